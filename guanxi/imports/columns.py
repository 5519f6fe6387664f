"""The one place that documents the import/export file format of every kind.

Headers are matched case-insensitively, ignoring spaces, dashes and underscores; each column also
accepts Chinese aliases because users export from Chinese PMS/POS/ERP systems (客户编号, 金额, …).
Exports write the English keys, so an export can be imported again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KINDS = ("accounts", "contacts", "transactions", "payments")


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: Promise | str = ""
    example: str = ""


@dataclass(frozen=True)
class Spec:
    kind: str
    label: Promise | str
    match_by: Promise | str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.key for c in self.columns if c.required]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


_CHOICE_HELP = _("Code or label of one of: %(choices)s.")

ACCOUNTS = Spec(
    kind="accounts",
    label=_("Accounts"),
    match_by=_("code: an existing code updates that account, a new code creates one"),
    columns=(
        Column("code", _("Account code"), ("客户编号", "客户代码", "编号"), True,
               _("Your own customer number; unique."), "A1001"),
        Column("name", _("Name"), ("客户名称", "名称", "公司名称", "单位名称"), True,
               _("Full name of the organisation or person."), "华东会展集团"),
        Column("account_type", _("Account type"), ("客户类型", "类型"), True,
               _("mice, gov_ent, corporate, ota, travel_agency, wedding, individual, other."),
               "mice"),
        Column("kind", _("Kind"), ("客户性质", "性质"), False,
               _("organisation (default) or individual."), "organisation"),
        Column("short_name", _("Short name"), ("简称",), False, "", "华东会展"),
        Column("english_name", _("English name"), ("英文名称", "英文名"), False, "", ""),
        Column("credit_code", _("Unified social credit code"),
               ("统一社会信用代码", "社会信用代码", "信用代码"), False,
               _("18 characters with its check digit; a new account with the code of one on "
                 "file is not imported."), "91110000802100433B"),
        Column("status", _("Status"), ("状态",), False,
               _("prospect, active (default), dormant, lost."), "active"),
        Column("organisation_form", _("Organisation form"), ("组织形式",), False,
               _("company, government, agency, ota, association, institution, other."),
               "company"),
        Column("industry", _("Industry"), ("行业",), False, _("Industry code or label."),
               "finance"),
        Column("enterprise_nature", _("Enterprise nature"), ("企业性质",), False,
               _("soe, private, foreign, joint_venture, government, institution, other."),
               "soe"),
        Column("scale", _("Scale"), ("规模", "企业规模"), False,
               _("micro, small, medium, large, group."), "large"),
        Column("province", _("Province"), ("省份", "省"), False, "", "上海"),
        Column("city", _("City"), ("城市", "市"), False, "", "上海"),
        Column("address", _("Address"), ("地址",), False, "", ""),
        Column("website", _("Website"), ("网址", "网站"), False, "", ""),
        Column("phone", _("Phone"), ("电话", "联系电话"), False, "", ""),
        Column("credit_rating", _("Credit rating"), ("信用度", "信用等级"), False,
               _("AAA, AA, A, B or C."), "AA"),
        Column("annual_sales", _("Annual sales (CNY)"), ("年销售额",), False,
               _("Number, up to 2 decimals."), ""),
        Column("attitude", _("Attitude to our products"), ("态度",), False,
               _("advocate, positive, neutral, sceptical, negative."), ""),
        Column("customer_since", _("Customer since"), ("入网时间", "建档日期"), False,
               _("Date, YYYY-MM-DD."), "2021-03-01"),
        Column("parent_code", _("Parent account code"), ("上级客户编号", "集团编号"), False,
               _("Code of the group account; it must exist or appear earlier in the file."),
               ""),
        Column("owner", _("Owner (username)"), ("客户经理", "负责人"), False,
               _("Username of the KAM. Empty: you (new accounts) or unchanged. Only managers "
                 "and admins may name someone else (team leads: members of their team)."),
               ""),
        Column("team", _("Team"), ("团队", "销售团队"), False,
               _("Team name. Empty: the owner's team."), ""),
        Column("tags", _("Tags"), ("标签",), False,
               _("Comma-separated (Chinese commas work too); missing tags are created."),
               "VIP、会展"),
        Column("notes", _("Notes"), ("备注",), False, "", ""),
    ),
)  # fmt: skip

CONTACTS = Spec(
    kind="contacts",
    label=_("Contacts"),
    match_by=_("contact code"),
    columns=(
        Column("code", _("Contact code"), ("联系人编号", "编号"), True,
               _("Your own contact number; unique."), "C2001"),
        Column("account_code", _("Account code"), ("客户编号",), True,
               _("Code of an account you can see."), "A1001"),
        Column("name", _("Name"), ("姓名", "联系人", "联系人姓名"), True, "", "王芳"),
        Column("english_name", _("English name"), ("英文名",), False, "", ""),
        Column("nickname", _("Nickname / how to address"), ("称呼", "昵称"), False, "", "王总"),
        Column("gender", _("Gender"), ("性别",), False,
               _("male/female (Chinese values work too)."), "female"),
        Column("birthday", _("Birthday"), ("生日", "出生日期"), False, _("Date, YYYY-MM-DD."),
               "1980-05-12"),
        Column("title", _("Title"), ("职务", "职位"), False, "", "总经理"),
        Column("department", _("Department"), ("部门",), False, "", ""),
        Column("mobile", _("Mobile"), ("手机", "手机号"), False, "", "13800000000"),
        Column("phone", _("Office phone"), ("电话", "办公电话"), False, "", ""),
        Column("email", _("Email"), ("邮箱", "电子邮件"), False, "", ""),
        Column("wechat", _("WeChat ID"), ("微信", "微信号"), False, "", ""),
        Column("is_primary", _("Primary contact"), ("主要联系人",), False,
               _("yes/no, 1/0 or true/false (Chinese values work too)."), "yes"),
        Column("is_active", _("Still at the account"), ("在职",), False,
               _("yes (default) / no."), "yes"),
        Column("notes", _("Notes"), ("备注",), False, "", ""),
    ),
)  # fmt: skip

TRANSACTIONS = Spec(
    kind="transactions",
    label=_("Transactions"),
    match_by=_("(source, external_id): the same pair again updates the transaction"),
    columns=(
        Column("source", _("Source system"), ("来源", "来源系统"), False,
               _("Where the ids come from (PMS, POS…). Empty: the source given for the whole "
                 "import (default \"import\")."), "pms"),
        Column("external_id", _("External id"), ("外部编号", "单号", "订单号", "流水号"), True,
               _("Id in the source system; unique per source."), "PMS-000001"),
        Column("account_code", _("Account code"), ("客户编号",), True,
               _("Code of an account you can see."), "A1001"),
        Column("contact_code", _("Contact code"), ("联系人编号",), False,
               _("Optional; the contact must belong to that account."), ""),
        Column("occurred_at", _("Occurred at"), ("发生时间", "消费时间", "日期", "时间"), True,
               _("ISO date or date-time (YYYY-MM-DD[ HH:MM[:SS]][+08:00]); without offset it "
                 "is local time."), "2024-05-01 19:30"),
        Column("category", _("Category"), ("产品类别", "类别", "消费类别"), True,
               _("Product category code, Chinese or English name (rooms, fnb…)."), "fnb"),
        Column("kind", _("Kind"), ("类型", "单据类型", "交易类型"), False,
               _("sale (default) or refund (a credit note; the Chinese words work too): a refund "
                 "gives back its amount and quantity, written with either sign."), "sale"),
        Column("amount", _("Amount (CNY)"), ("金额", "消费金额"), True,
               _("Zero or more, up to 2 decimals; negative only on a refund."), "3880.00"),
        Column("cost", _("Cost (CNY)"), ("成本",), False, _("Zero or more; optional."), ""),
        Column("head_count", _("Head count"), ("人数",), False, _("Whole number; optional."),
               "12"),
        Column("quantity", _("Quantity"), ("数量", "间夜", "间夜数"), False,
               _("Room nights, covers or units, zero or more, up to 2 decimals; "
                 "optional."), "3"),
        Column("channel", _("Channel"), ("渠道",), False,
               _("direct (default), walk_in, phone, website, mini_program, ota, travel_agency, "
                 "other."), "direct"),
        Column("discount_rate", _("Discount rate"), ("折扣", "折扣率", "折让"), False,
               _("Price paid as a share of list price, more than 0 and at most 1: 0.85 or 85% "
                 "(the Chinese zhe notation works too); optional."), ""),
        Column("description", _("Description"), ("说明", "备注", "摘要"), False, "", "商务宴请"),
    ),
)  # fmt: skip

PAYMENTS = Spec(
    kind="payments",
    label=_("Payments"),
    match_by=_("(source, external_id): the same pair again updates the payment"),
    columns=(
        Column("source", _("Source system"), ("来源", "来源系统"), False,
               _("Empty: the source given for the whole import (default \"import\")."), "erp"),
        Column("external_id", _("External id"), ("外部编号", "回款单号", "单号", "流水号"), True,
               _("Id in the source system; unique per source."), "ERP-PAY-0001"),
        Column("account_code", _("Account code"), ("客户编号",), True,
               _("Code of an account you can see."), "A1001"),
        Column("received_at", _("Received at"), ("回款时间", "到账时间", "回款日期", "日期"),
               True, _("ISO date or date-time; without offset it is local time."), "2024-05-20"),
        Column("amount", _("Amount (CNY)"), ("金额", "回款金额"), True,
               _("More than zero, up to 2 decimals."), "50000.00"),
        Column("method", _("Method"), ("方式", "付款方式", "回款方式"), False,
               _("bank_transfer (default), card, wechat_pay, alipay, cash, other."),
               "bank_transfer"),
        Column("reference", _("Reference / invoice no."), ("凭证号", "发票号"), False, "", ""),
        Column("notes", _("Notes"), ("备注",), False, "", ""),
    ),
)  # fmt: skip

# Chinese words for choice values that Chinese source systems write (besides codes and labels).
CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "channel": {"直销": "direct", "销售": "direct", "散客": "walk_in", "电话": "phone",
                "预订部": "phone", "官网": "website", "网站": "website", "小程序": "mini_program",
                "微信小程序": "mini_program", "旅行社": "travel_agency", "其他": "other"},
    "kind": {"销售": "sale", "消费": "sale", "退款": "refund", "退货": "refund",
             "红冲": "refund", "冲红": "refund", "credit note": "refund", "credit": "refund"},
    "method": {"银行转账": "bank_transfer", "转账": "bank_transfer", "刷卡": "card",
               "银行卡": "card", "信用卡": "card", "微信": "wechat_pay", "微信支付": "wechat_pay",
               "支付宝": "alipay", "现金": "cash", "其他": "other"},
}  # fmt: skip

SPECS: dict[str, Spec] = {s.kind: s for s in (ACCOUNTS, CONTACTS, TRANSACTIONS, PAYMENTS)}


# The traditional characters of the Chinese headers and aliases, for a Big5 file's headers
# (客戶編號 is 客户编号): header matching only, cells are kept as written.
_SIMPLIFIED = str.maketrans(
    "業買爭產價關決憑則別辦務動協單發號團場塊備復複對開徑態戶據數時暱機權來標檔註滿點"
    "狀電蓋盤碼礎稱競簽簡類係繫約級線組織經結統續編網職聯薦營見規計訂讓議論證評話說諾"
    "調負責賬帳質購費贏輸違適郵銷門閉問間隊階項預頻額",
    "业买争产价关决凭则别办务动协单发号团场块备复复对开径态户据数时昵机权来标档注满点"
    "状电盖盘码础称竞签简类系系约级线组织经结统续编网职联荐营见规计订让议论证评话说诺"
    "调负责账账质购费赢输违适邮销门闭问间队阶项预频额",
)


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKC", header.strip().lstrip("\ufeff")).translate(_SIMPLIFIED)
    return re.sub(r"[\s_\-（）()]+", "", text).lower()


def header_map(spec: Spec) -> dict[str, str]:
    """Normalised header text → column key, for the keys, English labels and Chinese aliases."""
    out: dict[str, str] = {}
    for col in spec.columns:
        # Labels in both UI languages, whichever is active: an XLSX export from the Chinese UI
        # must import again under the English one.
        labels = []
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                labels.append(str(col.label))
        for name in (col.key, *labels, *col.aliases):
            out.setdefault(_norm(name), col.key)
    return out


def resolve_headers(spec: Spec, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map file headers to column keys. Returns ({file header: key}, [unknown headers])."""
    lookup = header_map(spec)
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for h in headers:
        key = lookup.get(_norm(h))
        if key is None or key in mapping.values():
            unknown.append(h)
        else:
            mapping[h] = key
    return mapping, unknown


def template_csv(kind: str) -> str:
    """A CSV with the headers (and one example row) of `kind`, for the download button."""
    spec = SPECS[kind]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(spec.keys)
    writer.writerow([c.example for c in spec.columns])
    return buf.getvalue()
