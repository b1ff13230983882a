"""Dalian as the generator draws it: division codes, district and industry weights, words."""

from __future__ import annotations

from shared.codes import DISTRICTS, INDUSTRIES

WAN = 10_000
YI = 100_000_000

# Dalian county-level division codes (GB/T 2260) for USCC characters 3-8. The high-tech
# zone has no county code of its own; its firms mostly register in Ganjingzi (210211).
DIVISION = {
    "zhongshan": "02", "xigang": "03", "shahekou": "04", "ganjingzi": "11", "lvshunkou": "12",
    "jinpu": "13", "pulandian": "14", "changhai": "24", "wafangdian": "81", "zhuanghe": "83",
    "hitech": "11",
}
# Share per district: eaglets 46% in the high-tech zone, gazelles 27.3% (scale reference).
EAGLET_DISTRICTS = {
    "hitech": 46, "ganjingzi": 12, "jinpu": 11, "shahekou": 8, "zhongshan": 6, "xigang": 5,
    "lvshunkou": 4, "pulandian": 2, "wafangdian": 2, "zhuanghe": 2, "changhai": 2,
}
GAZELLE_DISTRICTS = {
    "hitech": 27.3, "jinpu": 19, "ganjingzi": 15, "shahekou": 8, "zhongshan": 7, "xigang": 5,
    "lvshunkou": 5, "pulandian": 4, "wafangdian": 4, "zhuanghe": 4, "changhai": 1.7,
}
OTHER_DISTRICTS = {
    "hitech": 25, "ganjingzi": 15, "jinpu": 15, "shahekou": 9, "zhongshan": 9, "xigang": 8,
    "lvshunkou": 5, "pulandian": 4, "wafangdian": 4, "zhuanghe": 4, "changhai": 2,
}
INDUSTRY_WEIGHTS = {
    "next_gen_it": 32, "intelligent_manufacturing": 22, "life_health": 14, "clean_energy": 12,
    "fine_chemicals": 10, "other": 10,
}
assert set(DIVISION) == set(DISTRICTS) == set(EAGLET_DISTRICTS) == set(GAZELLE_DISTRICTS)
assert set(INDUSTRY_WEIGHTS) == set(INDUSTRIES)

WORDS = (
    "星海", "启航", "瀚宇", "蓝湾", "金沙", "海韵", "新港", "云帆", "银杏", "长兴", "北辰", "鲲鹏",
    "海纳", "博远", "睿思", "智云", "天元", "辰光", "旭日", "青云", "明德", "华卓", "恒信", "泰和",
    "汇通", "聚能", "安捷", "德润", "晟达", "嘉禾", "锦程", "远帆", "凌霄", "同舟", "滨城", "槐香",
    "东港", "棒棰", "老虎滩", "星火", "拓维", "凯旋", "鼎盛", "宏图", "信诚", "润泽", "朗润",
    "澄明",
)
INDUSTRY_WORDS = {
    "next_gen_it": ("信息", "软件", "数据", "智能", "网络", "云计算"),
    "intelligent_manufacturing": ("智造", "精密", "机器人", "装备", "自动化", "数控"),
    "clean_energy": ("新能源", "氢能", "储能", "光伏", "节能", "环保"),
    "fine_chemicals": ("化工", "新材料", "催化", "精细化学", "涂料", "高分子"),
    "life_health": ("生物", "医疗", "医药", "基因", "健康", "海洋生物"),
    "other": ("创新", "技术服务", "检测", "文化科技", "设计", "咨询"),
}
PARENT_CITIES = ("沈阳", "北京", "上海", "深圳", "杭州", "天津")
KIND_SUFFIX = {
    "branch": "科技有限公司大连分公司", "production_base": "科技有限公司大连生产基地",
    "sales": "销售有限公司", "trading": "贸易有限公司",
}

