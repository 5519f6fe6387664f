"""Importing leads from CSV or XLSX (exhibition visitor lists, website exports, BD call sheets):
the file is read by the importer of `imports` (`read_table`: encodings, separators, Excel, the
headers matched with Chinese aliases, the `_line` of each row); every row is created through
`leads.services.lead_create`, so the rules, the team and the audit history are the same as by
hand. A bad row is reported with its line, column, value and the reason, and written nowhere;
the good rows are created (or, on a dry run, only checked and rolled back).

Here, not in `imports`: leads stand above imports (ARCHITECTURE.md), which knows only accounts,
contacts and the ledgers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.errors import InvalidInput
from guanxi.core.models import User
from guanxi.imports.columns import Column, Spec
from guanxi.imports.rows import RowImportResult, rows_import
from guanxi.leads.models import Answer, Lead, LeadSource, ListEntry
from guanxi.leads.services import lead_create, lead_man_set


def _yes_no_help() -> SafeString:
    """The MAN columns' help: both languages' words work, the Chinese ones marked as such."""
    return format_html(
        _("yes or no; {chinese} work too."),
        chinese=format_html('<span lang="zh-Hans">{}</span>', "是 / 否, 有 / 无"),
    )


YES_NO = lazy(_yes_no_help, SafeString)()

LEADS = Spec(
    kind="leads",
    label=gettext_lazy("Leads"),
    match_by=gettext_lazy("every row is a new lead; likely duplicates are counted, not merged"),
    columns=(
        Column("company", gettext_lazy("Company"), ("公司", "公司名称", "单位名称", "客户名称"),
               True, "", "上海星辰会展服务有限公司"),
        Column("source", gettext_lazy("Source"), ("来源", "线索来源"), True,
               gettext_lazy("A source key (bd, exhibition, website …) or its name."),
               "exhibition"),
        Column("person_name", gettext_lazy("Contact person"), ("联系人", "姓名"), False, "",
               "王磊"),
        Column("job_title", gettext_lazy("Job title"), ("职务", "职位"), False, "", "行政经理"),
        Column("mobile", gettext_lazy("Mobile"), ("手机", "手机号"), False, "", "13800138000"),
        Column("email", gettext_lazy("Email"), ("邮箱", "电子邮件"), False, "", ""),
        Column("wechat", gettext_lazy("WeChat ID"), ("微信", "微信号"), False, "", ""),
        Column("city", gettext_lazy("City"), ("城市",), False, "", "上海"),
        Column("campaign", gettext_lazy("Campaign"), ("活动", "营销活动"), False, "", ""),
        Column("owner", gettext_lazy("Owner"), ("负责人", "客户经理"), False,
               gettext_lazy("Username; default: you."), ""),
        Column("money", gettext_lazy("Has the money"), ("有购买力",), False, YES_NO, ""),
        Column("money_evidence", gettext_lazy("Evidence of money"), ("购买力依据",), False),
        Column("authority", gettext_lazy("Can decide"), ("有决定权",), False, YES_NO, ""),
        Column("authority_evidence", gettext_lazy("Evidence of authority"), ("决定权依据",)),
        Column("need", gettext_lazy("Has a need"), ("有购买需求",), False, YES_NO, ""),
        Column("need_evidence", gettext_lazy("Evidence of need"), ("需求依据",)),
        Column("notes", gettext_lazy("Notes"), ("备注",), False, "", ""),
    ),
)  # fmt: skip
MAN = ("money", "money_evidence", "authority", "authority_evidence", "need", "need_evidence")
ANSWERED = ("money", "authority", "need")
PLAIN = ("person_name", "job_title", "mobile", "email", "wechat", "city", "campaign", "notes")
ANSWERS = {"yes": Answer.YES, "y": Answer.YES, "是": Answer.YES, "有": Answer.YES,
           "no": Answer.NO, "n": Answer.NO, "否": Answer.NO, "无": Answer.NO}  # fmt: skip


def entries_by_name(
    entries: Iterable[ListEntry], *, also: Callable[[Any], Iterable[str]] = lambda entry: ()
) -> dict[str, Any]:
    """Each entry of a list kept as data (sources, reasons, stages …) by its built-in key, its
    own name, its label in English and in Chinese, and what ``also`` names (lower-cased): how an
    import file may name it."""
    found: dict[str, Any] = {}
    for entry in entries:
        names = {entry.builtin, entry.name, *also(entry)}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.add(str(entry))
        found.update({n.strip().lower(): entry for n in names if n})
    return found


def _sources() -> dict[str, LeadSource]:
    """Each active source by its key, its own name, its kind and its label in both languages."""
    return entries_by_name(LeadSource.objects.filter(active=True), also=lambda s: (s.kind,))


def _answer(value: str | None, column: str) -> str:
    if not value:
        return Answer.UNKNOWN
    found = ANSWERS.get(value.strip().lower())
    if found is None:
        raise InvalidInput(_("Write yes or no (是 or 否)."), field=column)
    return found


def _row(actor: User, row: dict[str, Any], sources: dict, owners: dict) -> bool:
    """Create one lead; True when it has likely duplicates."""
    source = sources.get((row.get("source") or "").strip().lower())
    if source is None:
        raise InvalidInput(_("Unknown source."), field="source")
    owner = None
    if row.get("owner"):
        owner = owners.get(row["owner"])
        if owner is None:
            raise InvalidInput(_("Unknown user."), field="owner")
    plain = {k: row.get(k) or "" for k in PLAIN}
    man = {k: _answer(row.get(k), k) if k in ANSWERED else row.get(k) or "" for k in MAN}
    lead, duplicates = lead_create(actor=actor, company=row.get("company") or "", source=source,
                                   owner=owner, **plain)  # fmt: skip
    if any(man.values()):
        lead_man_set(actor=actor, lead=lead, **man)
    return bool(duplicates)


def lead_import(
    *, actor: User, content: bytes, file_name: str, dry_run: bool = False
) -> RowImportResult:
    """Create a lead from each good row; report each bad one by line. ``flagged`` counts the
    leads that look like records already on file."""
    sources = _sources()
    # Who may be given a lead is lead_create's rule; a row naming someone else fails there.
    owners = {u.username: u for u in User.objects.filter(is_active=True)}
    return rows_import(
        LEADS,
        lambda row: _row(actor, row, sources, owners),
        content=content,
        file_name=file_name,
        dry_run=dry_run,
    )


def lead_export_rows(qs: QuerySet[Lead]) -> Iterator[dict[str, Any]]:
    """The leads of ``qs`` (already limited by the access rule) in the import format."""
    for lead in qs.select_related("source", "owner").order_by("id").iterator(2000):
        row = {k: getattr(lead, k) for k in (*PLAIN, *MAN)}
        row.update(company=lead.company, source=lead.source.builtin or lead.source.name,
                   owner=lead.owner.username)  # fmt: skip
        yield row
