// Words of the dashboard in Chinese (default) and English.
const WORDS = {
  zh: {
    title: "大连市科技企业梯度培育工作台", subtitle: "雏鹰 → 瞪羚 → 独角兽 → 领军",
    year: "年度", live: "实时", signout: "退出", login: "输入访问令牌",
    loginHint: "令牌只保存在本标签页（sessionStorage），不会出现在网址中。", enter: "进入",
    badToken: "令牌无效或已撤销", targets: "年度目标", funnel: "梯度分布", cohorts: "成长队列",
    cohortsHint: "某年备案的雏鹰企业中，1、2、3 年内成长为瞪羚的数量。",
    candidates: "临近候选企业", feed: "实时动态", inbox: "我的待办", noTargets: "该年度尚未设定目标",
    achieved: "已完成", target: "目标", progress: "完成率", pace: "进度", expected: "按时序应完成",
    forecast: "预测区间", method: "预测方法", paceMarker: "时序进度", forecastBand: "预测区间",
    ahead: "超前", on_track: "正常", behind: "滞后", allIndustries: "全部产业",
    allDistricts: "全部区市县", firms: "企业数", share: "占全市比重", district: "区市县",
    industry: "产业", filingYear: "备案年份", eaglets: "雏鹰企业", within: (n) => `${n}年内成瞪羚`,
    open: "未满期", name: "企业名称", currentTier: "当前梯度", failing: "未达标项",
    probability: "转化概率", missing: "欠缺条件", none: "暂无", waiting: "等待新动态…",
    criteria: "评价明细", timeline: "历程", alerts: "相关提醒", passed: "达标", failed: "未达标",
    value: "实际值", threshold: "标准", criterion: "条件", indicator: "指标", gap: "差距", noAlerts: "暂无提醒", downloaded: "已导出",
    viewer: "只读", officer: "专员", admin: "管理员", expires: "到期", filed: "备案",
    budget: "年度资金预算", entitlements: "免申即享待遇", budgetLine: "政策", total: "合计",
    money_committed: "已承诺（审批+拨付）", money_paid: "已拨付", money_owed: "待兑现（告知+确认）",
    money_computed: "已测算", money_pipeline: "申报在途（加权）", money_expected: "预计", expectedBand: "预计区间", entitlementCount: "笔数",
    allStates: "全部状态", policy: "政策", triggerOn: "触发日期", amount: "金额", options: "兑现方式",
    stateCol: "状态", provisional: "暂定", trace: "测算依据", cap: "上限", month: "月份",
    budgetMethod: "依据本服务已掌握的数据测算（尚未接入梯度服务的目标预测）：预计 = 已承诺（审批+拨付）+ 待兑现（告知+确认）+ 已测算未告知 + 申报在途（本轮尚未备案的申报，按备案后应享金额乘以概率：已申报 0.5、区级核查通过 0.7、市级推荐 0.9，概率为假设值）；区间下限为已承诺 + 待兑现，上限为预计值加上尚缺年报数据的待遇按上限计、在途申报全部备案。已放弃、已过期、已撤销的不计入；已拨付的按实际拨付额计。金额为暂定数据。",
    state_computed: "已测算", state_offered: "已告知", state_confirmed: "已确认", state_approved: "已审批",
    state_paid: "已拨付", state_declined: "已放弃", state_expired: "已过期", state_cancelled: "已撤销",
    tierNames: { none: "未入库", eaglet: "雏鹰", gazelle: "瞪羚", unicorn: "独角兽",
      "unicorn:seed": "种子独角兽", "unicorn:potential": "潜在独角兽", "unicorn:unicorn": "独角兽",
      leader: "领军", high_tech_enterprise: "高新技术企业", tech_sme: "科技型中小企业" },
    districts: { zhongshan: "中山区", xigang: "西岗区", shahekou: "沙河口区", ganjingzi: "甘井子区",
      lvshunkou: "旅顺口区", jinpu: "金普新区", pulandian: "普兰店区", wafangdian: "瓦房店市",
      zhuanghe: "庄河市", changhai: "长海县", hitech: "高新区" },
    industries: { next_gen_it: "新一代信息技术", intelligent_manufacturing: "智能制造",
      clean_energy: "清洁能源", fine_chemicals: "精细化工", life_health: "生命健康", other: "其他" },
    events: { TierPromoted: "晋级", TierDemoted: "降级", TierAtRisk: "预警", TierRenewed: "续期", TierRevoked: "撤销", TierRecovered: "恢复达标", TierOverridden: "人工调整",
      FilingExpiring: "即将到期", NearMissDetected: "临近达标", TargetProgressChanged: "目标进展",
      TargetMilestoneReached: "目标里程碑", FirmRegistered: "新企业入库", FirmProfileChanged: "信息变更",
      AnnualReportFiled: "年报报送", AnnualReportRestated: "年报更正", FundingRoundRecorded: "融资",
      CertificateGranted: "获得资质", CertificateRevoked: "资质撤销", ComplianceFlagChanged: "合规变化",
      AlertDelivered: "提醒已送达", AlertFailed: "提醒失败",
      ApplicationSubmitted: "企业申报", ApplicationStepRecorded: "申报进展", FilingRecorded: "备案",
      FilingCorrected: "备案更正", FilingRevoked: "备案撤销", RoundReminderDue: "申报提醒",
      FilingListPublished: "名单公布", round_reminder: "申报提醒", list_published: "名单公布",
      entitlement_offered: "待遇告知", entitlement_overdue: "待遇待确认", EntitlementComputed: "待遇测算",
      EntitlementCorrected: "待遇更正", EntitlementStateChanged: "待遇进展",
      EntitlementAwaitingConfirmation: "待遇待确认" },
  },
  en: {
    title: "Dalian tech-firm cultivation dashboard", subtitle: "Eaglet → Gazelle → Unicorn → Leader",
    year: "Year", live: "Live", signout: "Sign out", login: "Enter your access token",
    loginHint: "The token stays in this tab only (sessionStorage), never in a URL.", enter: "Enter",
    badToken: "Invalid or revoked token", targets: "Targets", funnel: "Firms by tier",
    cohorts: "Cohorts", cohortsHint: "Of the eaglets filed in a year, how many became gazelles within 1, 2, 3 years.",
    candidates: "Near-miss candidates", feed: "Live feed", inbox: "My inbox", noTargets: "No targets set for this year",
    achieved: "Achieved", target: "Target", progress: "Progress", pace: "Pace", expected: "Expected by now",
    forecast: "Forecast", method: "Method", paceMarker: "Pace marker", forecastBand: "Forecast band",
    ahead: "ahead", on_track: "on track", behind: "behind", allIndustries: "All industries",
    allDistricts: "All districts", firms: "Firms", share: "Share of city", district: "District",
    industry: "Industry", filingYear: "Filed in", eaglets: "Eaglets", within: (n) => `Gazelle ≤ ${n}y`,
    open: "open", name: "Firm", currentTier: "Tier now", failing: "Failing", probability: "Chance",
    missing: "What it lacks", none: "None", waiting: "Waiting for events…", criteria: "Criteria",
    timeline: "Timeline", alerts: "Alerts", passed: "pass", failed: "fail", value: "Value",
    threshold: "Threshold", gap: "Gap", criterion: "Criterion", indicator: "Indicator", noAlerts: "No alerts", downloaded: "Exported",
    viewer: "viewer", officer: "officer", admin: "admin", expires: "expires", filed: "filed",
    budget: "Budget of the year", entitlements: "Entitlements (no application needed)", budgetLine: "Policy",
    total: "Total", money_committed: "Committed (approved + paid)", money_paid: "Paid",
    money_owed: "Owed (offered + confirmed)", money_computed: "Computed",
    money_pipeline: "Pipeline (weighted)", money_expected: "Expected",
    expectedBand: "Expected band", entitlementCount: "Count", allStates: "All states", policy: "Policy",
    triggerOn: "Trigger date", amount: "Amount", options: "Options", stateCol: "State",
    provisional: "provisional", trace: "How computed", cap: "cap", month: "Month",
    state_computed: "computed", state_offered: "offered", state_confirmed: "confirmed", state_approved: "approved",
    state_paid: "paid", state_declined: "declined", state_expired: "expired", state_cancelled: "cancelled",
    tierNames: { none: "None", eaglet: "Eaglet", gazelle: "Gazelle", unicorn: "Unicorn",
      "unicorn:seed": "Seed unicorn", "unicorn:potential": "Potential unicorn", "unicorn:unicorn": "Unicorn",
      leader: "Leader", high_tech_enterprise: "High-tech enterprises", tech_sme: "Tech SMEs" },
    districts: { zhongshan: "Zhongshan", xigang: "Xigang", shahekou: "Shahekou", ganjingzi: "Ganjingzi",
      lvshunkou: "Lüshunkou", jinpu: "Jinpu", pulandian: "Pulandian", wafangdian: "Wafangdian",
      zhuanghe: "Zhuanghe", changhai: "Changhai", hitech: "High-tech Zone" },
    industries: { next_gen_it: "Next-gen IT", intelligent_manufacturing: "Intelligent manufacturing",
      clean_energy: "Clean energy", fine_chemicals: "Fine chemicals", life_health: "Life & health", other: "Other" },
    events: { TierPromoted: "Promoted", TierDemoted: "Demoted", TierAtRisk: "At risk", TierRenewed: "Renewed", TierRevoked: "Revoked", TierRecovered: "Recovered", TierOverridden: "Set by hand",
      FilingExpiring: "Filing expiring", NearMissDetected: "Near miss", TargetProgressChanged: "Target progress",
      TargetMilestoneReached: "Milestone", FirmRegistered: "Firm registered", FirmProfileChanged: "Profile changed",
      AnnualReportFiled: "Annual report", AnnualReportRestated: "Report restated", FundingRoundRecorded: "Funding round",
      CertificateGranted: "Certificate", CertificateRevoked: "Certificate revoked", ComplianceFlagChanged: "Compliance",
      AlertDelivered: "Alert delivered", AlertFailed: "Alert failed",
      ApplicationSubmitted: "Applied", ApplicationStepRecorded: "Application step", FilingRecorded: "Filed",
      FilingCorrected: "Filing corrected", FilingRevoked: "Filing revoked", RoundReminderDue: "Round reminder",
      FilingListPublished: "List published", round_reminder: "Round reminder", list_published: "List published",
      entitlement_offered: "Entitlement offered", entitlement_overdue: "Awaiting confirmation",
      EntitlementComputed: "Entitlement", EntitlementCorrected: "Entitlement corrected",
      EntitlementStateChanged: "Entitlement step", EntitlementAwaitingConfirmation: "Awaiting confirmation" },
  },
};

let lang = sessionStorage.getItem("lang") || "zh";

export function t(key, ...args) {
  const value = WORDS[lang][key] ?? WORDS.zh[key] ?? key;
  return typeof value === "function" ? value(...args) : value;
}

export const tierName = (k) => WORDS[lang].tierNames[k] ?? k;
export const districtName = (k) => WORDS[lang].districts[k] ?? k;
export const industryName = (k) => WORDS[lang].industries[k] ?? k;
export const eventName = (k) => WORDS[lang].events[k] ?? k;
export const districtKeys = () => Object.keys(WORDS.zh.districts);
export const industryKeys = () => Object.keys(WORDS.zh.industries);
export const currentLang = () => lang;

export function setLang(next) {
  lang = next;
  sessionStorage.setItem("lang", next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}
