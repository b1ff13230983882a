"""Code lists shared by every service (district, industry, company kind, tiers...)."""

from typing import Literal

District = Literal[
    "zhongshan", "xigang", "shahekou", "ganjingzi", "lvshunkou", "jinpu",
    "pulandian", "wafangdian", "zhuanghe", "changhai", "hitech",
]
Industry = Literal[
    "next_gen_it", "intelligent_manufacturing", "clean_energy", "fine_chemicals",
    "life_health", "other",
]
CompanyKind = Literal["independent", "branch", "production_base", "sales", "trading"]
Currency = Literal["CNY", "USD"]
InvestorKind = Literal["vc_pe", "other"]
CertificateKind = Literal[
    "high_tech_enterprise", "tech_sme", "software_enterprise", "software_product",
    "contest_prize_national", "contest_prize_provincial", "st_award",
]
ComplianceFlag = Literal["abnormal_list", "dishonest_list", "listed"]
Tier = Literal["none", "eaglet", "gazelle", "unicorn", "leader"]
FiledTier = Literal["eaglet", "gazelle", "unicorn", "leader"]
UnicornGrade = Literal["seed", "potential", "unicorn"]
TargetKey = Literal["eaglet", "gazelle", "unicorn", "leader", "high_tech_enterprise", "tech_sme"]

DISTRICTS: tuple[str, ...] = District.__args__  # type: ignore[attr-defined]
INDUSTRIES: tuple[str, ...] = Industry.__args__  # type: ignore[attr-defined]
TIER_ORDER: tuple[str, ...] = Tier.__args__  # type: ignore[attr-defined]


def city_decides(tier: str) -> bool:
    """Leader 领军 is Dalian's own tier: after a passed district check the city, not the
    province, decides and files it (docs/rulebook.md, "The round")."""
    return tier == "leader"
