"""Who an organisation of the demo is: its name (unique in the demo), form, industry and nature,
web domain, switchboard, address, size and sales; or, for an individual account, the person's name.

Each kind of account (`AccountRow.subkind`) is named from its own word lists in `catalog`, the way
such organisations name themselves (青岛市商务局, 山东省口腔医学会, 华彩医药（济南）有限公司…).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

from guanxi.demo import catalog as C
from guanxi.demo.draw import Dice, person_name
from guanxi.demo.rows import AccountRow, money

AREA_CODES = {
    "青岛市": "0532", "济南市": "0531", "烟台市": "0535", "潍坊市": "0536", "威海市": "0631",
    "北京市": "010", "上海市": "021", "天津市": "022", "南京市": "025", "苏州市": "0512",
    "杭州市": "0571", "宁波市": "0574", "广州市": "020", "深圳市": "0755", "郑州市": "0371",
    "武汉市": "027", "成都市": "028", "西安市": "029", "大连市": "0411", "沈阳市": "024",
    "合肥市": "0551", "亳州市": "0558", "石家庄市": "0311",
}  # fmt: skip
SOE_INDUSTRY = (("能源", "energy"), ("电力", "energy"), ("银行", "finance"),
                ("建设", "real_estate"), ("城市", "real_estate"))  # fmt: skip
ANNUAL_SALES = {
    "micro": (1e6, 1e7),
    "small": (1e7, 1e8),
    "medium": (1e8, 1e9),
    "large": (1e9, 1e10),
    "group": (1e10, 1e11),
}
STRUCTURES = (
    "集团总部—总经理办公室（接待）—行政部（差旅采购）—市场部（会议）—各分子公司",
    "董事会—总经理—综合办公室 / 采购中心 / 市场中心 / 各事业部",
)
COMPANY_SUFFIXES = ("股份有限公司", "集团有限公司", "有限公司", "有限责任公司")


@dataclass
class _Stem:
    """The words one account's name is made of."""

    stem: str  # 海信, 华通…
    stem_en: str
    city_short: str  # 青岛
    prov: str  # 鲁


class IdentityPlanner:
    def __init__(self, dice: Dice, fake: Faker):
        self.dice = dice
        self.fake = fake
        self.used_names: set[str] = set()
        self._namers: dict[str, Callable[[AccountRow, _Stem], str]] = {
            "government": self._government,
            "institution": self._institution,
            "soe": self._soe,
            "association": self._association,
            "organiser": self._organiser,
            "mice_corporate": self._mice_corporate,
            "corporate": self._corporate,
            "ota": self._ota,
            "travel_agency": self._travel_agency,
            "wedding": self._wedding,
        }

    def identity(self, row: AccountRow) -> None:
        """Name the account and, for an organisation, give it its contact details and size."""
        dice = self.dice
        stem, stem_en = dice.pick(C.STEMS)
        words = _Stem(
            stem,
            stem_en,
            row.city.removesuffix("市"),
            C.PROVINCE_SHORT.get(row.province, row.province),
        )
        row.domain = f"{stem_en.lower()}{dice.pick(('', 'group', 'gx', 'china', 'sd'))}.com.cn"
        # individual key customers and wedding families: the account is the person
        namer = self._namers.get(row.subkind, self._person)
        row.english_name = namer(row, words)
        row.short_name = self._short_name(row)
        if row.kind == "organisation":
            self._details(row)

    def subsidiary_identity(self, row: AccountRow, parent: AccountRow) -> None:
        """A subsidiary carries its group's name (集团 → 分公司/子公司), industry and domain."""
        core = parent.name
        for suffix in ("股份有限公司", "集团有限公司", "有限公司"):
            core = core.removesuffix(suffix)
        city_short = row.city.removesuffix("市")
        self.used_names.discard(row.name)
        row.name = self._unique(
            lambda: self.dice.pick((f"{core}{city_short}分公司", f"{core}（{city_short}）有限公司"))
        )
        # The group's own short name and the city: whole words, never a slice of the name.
        row.short_name = f"{parent.short_name or core}{city_short}"
        row.english_name = ""
        row.domain, row.website = parent.domain, parent.website
        row.industry, row.enterprise_nature = parent.industry, parent.enterprise_nature
        row.organisation_form = parent.organisation_form

    def _unique(self, make: Callable[[], str]) -> str:
        for _ in range(30):
            name = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        name = f"{make()}（{len(self.used_names)}）"
        self.used_names.add(name)
        return name

    @staticmethod
    def _short_name(row: AccountRow) -> str:
        """The name without its legal form and its leading place (青岛星河信息技术有限公司 →
        星河信息技术): whole words only, never a name cut at a fixed length."""
        name = row.name
        for suffix in COMPANY_SUFFIXES:
            if name.endswith(suffix):
                core = name.removesuffix(suffix)
                places = (row.city, row.city.removesuffix("市"), row.province,
                          C.PROVINCE_SHORT.get(row.province, ""))  # fmt: skip
                for place in sorted(filter(None, places), key=len, reverse=True):
                    if core.startswith(place) and len(core) > len(place) + 1:
                        return core.removeprefix(place)
                return core
        return ""

    # ---- the names of each kind of account; each returns the English name

    def _government(self, row: AccountRow, w: _Stem) -> str:
        row.name = self._unique(lambda: self.dice.pick(C.GOVERNMENT_BODIES).format(city=row.city))
        row.organisation_form = row.industry = row.enterprise_nature = "government"
        row.domain = ""  # officials use personal mailboxes
        return ""

    def _institution(self, row: AccountRow, w: _Stem) -> str:
        row.name = self._unique(
            lambda: self.dice.pick(C.INSTITUTIONS).format(city=row.city, stem=w.city_short + w.stem)
        )
        row.organisation_form, row.enterprise_nature = "institution", "institution"
        row.industry = "pharma" if "医院" in row.name else "education"
        row.domain = ""
        return ""

    def _soe(self, row: AccountRow, w: _Stem) -> str:
        row.name = self._unique(
            lambda: self.dice.pick(C.SOE_PATTERNS).format(prov=w.prov, stem=w.stem)
        )
        row.organisation_form, row.enterprise_nature = "company", "soe"
        row.industry = next((ind for word, ind in SOE_INDUSTRY if word in row.name), "other")
        return f"{w.stem_en} Group Co., Ltd."

    def _association(self, row: AccountRow, w: _Stem) -> str:
        dice = self.dice
        row.name = self._unique(
            # 口腔医学 + 学会 is 口腔医学会, as the real societies write it
            lambda: (
                dice.pick(C.ASSOCIATIONS)
                .format(
                    field=dice.pick(C.ASSOCIATION_FIELDS),
                    prov=row.province,
                    med=dice.pick(C.MEDICAL_BRANCHES),
                    city=row.city,
                )
                .replace("学学会", "学会")
            )
        )
        row.organisation_form, row.industry = "association", "association"
        row.enterprise_nature = "institution"
        if "医学" in row.name:
            row.industry = "pharma"
        return ""

    def _organiser(self, row: AccountRow, w: _Stem) -> str:
        row.name = self._unique(
            lambda: w.city_short + self.dice.pick(C.CONFERENCE_ORGANISERS).format(stem=w.stem)
        )
        row.organisation_form, row.industry = "company", "media"
        row.enterprise_nature = "private"
        return f"{w.stem_en} Conference & Exhibition Co., Ltd."

    def _mice_corporate(self, row: AccountRow, w: _Stem) -> str:
        pattern, industry = self.dice.pick(C.MICE_CORPORATES)
        row.name = self._unique(lambda: w.city_short + pattern.format(stem=w.stem))
        row.organisation_form, row.industry = "company", industry
        row.enterprise_nature = self.dice.pick_weighted(
            (("private", 50), ("foreign", 25), ("joint_venture", 15), ("soe", 10))
        )
        return f"{w.stem_en} {industry.title()} Co., Ltd."

    def _corporate(self, row: AccountRow, w: _Stem) -> str:
        dice = self.dice
        english = ""
        industry = dice.pick_weighted(C.CORPORATE_INDUSTRIES)
        if dice.chance(0.35):
            row.name = self._unique(lambda: self.fake.company())
        else:
            row.name = self._unique(
                lambda: w.city_short + w.stem + dice.pick(C.INDUSTRY_SUFFIX[industry])
            )
            english = f"{w.stem_en} Co., Ltd."
        row.organisation_form, row.industry = "company", industry
        row.enterprise_nature = dice.pick_weighted(
            (("private", 60), ("foreign", 15), ("joint_venture", 10), ("soe", 15))
        )
        return english

    def _ota(self, row: AccountRow, w: _Stem) -> str:
        used = [n for n, _e in C.OTA_NAMES if n in self.used_names]
        if len(used) < len(C.OTA_NAMES):
            name, english = next((n, e) for n, e in C.OTA_NAMES if n not in self.used_names)
            self.used_names.add(name)
            row.name = name
        else:
            row.name = self._unique(lambda: f"{w.stem}旅行网")
            english = f"{w.stem_en} Travel"
        row.organisation_form, row.industry, row.enterprise_nature = "ota", "travel", "private"
        row.domain = english.split()[0].lower() + ".com"
        return english

    def _travel_agency(self, row: AccountRow, w: _Stem) -> str:
        row.name = self._unique(
            lambda: self.dice.pick(C.TRAVEL_AGENCIES).format(city_short=w.city_short, stem=w.stem)
        )
        row.organisation_form, row.industry = "agency", "travel"
        row.enterprise_nature = self.dice.pick_weighted((("private", 70), ("soe", 30)))
        return f"{w.stem_en} International Travel Service Co., Ltd."

    def _wedding(self, row: AccountRow, w: _Stem) -> str:
        row.name = self._unique(
            lambda: self.dice.pick(C.WEDDING_COMPANIES).format(city_short=w.city_short, stem=w.stem)
        )
        row.organisation_form, row.industry, row.enterprise_nature = "company", "media", "private"
        return ""

    def _person(self, row: AccountRow, w: _Stem) -> str:
        gender = "male" if self.dice.chance(0.6) else "female"
        row.name = self._unique(lambda: person_name(self.fake, gender))
        row.person_gender = gender
        return ""

    # ---- an organisation's contact details and size

    def _details(self, row: AccountRow) -> None:
        dice = self.dice
        area = AREA_CODES.get(row.city, "0532")
        row.phone = f"{area}-{dice.randint(6000_0000, 8999_9999)}"
        row.address = f"{row.city}{self.fake.street_name()}{dice.randint(1, 399)}号"
        if row.domain:
            row.website = f"https://www.{row.domain}"
        row.scale = self._scale(row)
        if row.scale in {"large", "group"}:
            row.organisation_structure = dice.pick(STRUCTURES)
        if row.organisation_form in {"company", "ota", "agency"} and row.scale:
            lo, hi = ANNUAL_SALES[row.scale]
            row.annual_sales = money(round(math.exp(dice.uniform(math.log(lo), math.log(hi))), -4))

    def _scale(self, row: AccountRow) -> str:
        pick_weighted = self.dice.pick_weighted
        if row.subkind in {"soe", "ota"}:
            return pick_weighted((("large", 50), ("group", 50)))
        if row.subkind in {"government", "institution"}:
            return pick_weighted((("medium", 60), ("large", 40)))
        if row.subkind == "association":
            return pick_weighted((("micro", 40), ("small", 60)))
        if row.annual > 600_000:
            return pick_weighted((("large", 60), ("group", 40)))
        return pick_weighted((("small", 40), ("medium", 45), ("micro", 15)))
