"""Importing survey answers from surveys run elsewhere (a paper form typed up, a WeChat or
questionnaire platform's export): one CSV or XLSX sheet, a row per answer.

Columns (English keys or Chinese aliases, as `imports.columns` matches them): the template
code (nps, csat or servqual), the account's code, optionally the contact's code, the day (or
moment) of the answer, the scores the template asks (NPS 0–10, CSAT 1–5; SERVQUAL ``e1``…``e22``
and ``p1``…``p22``, expectation and perception of items 1–22 on 1–7), a comment, and the
answer's own id in the other system (``external_id``): a row whose id is already on file for
that template is skipped, so loading a file twice adds nothing.

**All or nothing**: every row is checked and written inside one transaction; one bad row rolls
back the whole file and the report lists every bad row by line and column. A dry run checks
everything and writes nothing. The access rule is the accounts': an account out of sight reads
as unknown. A detractor answered within the last 30 days gets a recovery task, older ones not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.contacts.models import Contact
from guanxi.core.dates import local_midnight
from guanxi.core.errors import ApplicationError, InvalidInput
from guanxi.core.models import User
from guanxi.imports.cells import ambiguous_day_sentence, day_text, is_ambiguous_day
from guanxi.imports.columns import Column, Spec
from guanxi.imports.reader import LINE, FileRejected, read_table
from guanxi.imports.rows import MAX_ROWS, SHOWN_ERRORS, RowImportResult, row_errors
from guanxi.surveys.models import AnswerKind, SurveyItem, SurveyResponse, SurveyTemplate
from guanxi.surveys.services import Answers, answers_check, response_record

RECOVERY_DAYS = 30
SERVQUAL_ITEMS = 22
DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _numbered(text: str, n: int) -> str:
    return gettext(text) % {"n": n}


# Read in the language of the page that shows it, not of the moment the module was imported
# (a lazy string's % formats at once).
_numbered_lazy = lazy(_numbered, str)


def _servqual_columns() -> tuple[Column, ...]:
    columns = []
    expectation, perception = gettext_noop("Expectation %(n)s"), gettext_noop("Perception %(n)s")
    for n in range(1, SERVQUAL_ITEMS + 1):
        columns.append(Column(f"e{n}", _numbered_lazy(expectation, n), (f"期望{n}",)))
        columns.append(Column(f"p{n}", _numbered_lazy(perception, n), (f"感知{n}",)))
    return tuple(columns)


SURVEY_ANSWERS = Spec(
    kind="survey_answers",
    label=gettext_lazy("Survey answers"),
    match_by=gettext_lazy(
        "external_id: an answer whose id is already on file for its template is skipped. One "
        "bad row and nothing is written"
    ),
    columns=(
        Column("template", gettext_lazy("Survey"), ("问卷", "调查"), True,
               gettext_lazy("nps, csat or servqual (the template's code)."), "nps"),
        Column("account", gettext_lazy("Account code"), ("客户编号", "客户代码"), True,
               gettext_lazy("The account's code (customer number)."), "A1001"),
        Column("contact", gettext_lazy("Contact code"), ("联系人编号",), False, "", "C1001"),
        Column("answered_at", gettext_lazy("Answered on"), ("答卷日期", "日期"), True,
               "YYYY-MM-DD [HH:MM]", "2026-03-15"),
        Column("nps_score", gettext_lazy("NPS score"), ("推荐值", "NPS"), False, "0–10", "9"),
        Column("csat_score", gettext_lazy("CSAT score"), ("满意度", "CSAT"), False, "1–5", ""),
        Column("comment", gettext_lazy("Comment"), ("意见", "评论", "原因"), False, "", ""),
        Column("external_id", gettext_lazy("Answer id"), ("答卷编号",), False,
               gettext_lazy("The answer's id in the other system."), "WJ-2026-0001"),
        *_servqual_columns(),
    ),
)  # fmt: skip


@dataclass
class SurveyImportResult(RowImportResult):
    #: The accounts whose answers the file wrote (none on a dry run or a refused file): what
    #: their answers mean for loyalty follows through `workspace.flows.survey_answers_imported`.
    answered_accounts: list[int] = field(default_factory=list)


class _Rollback(Exception):
    """Undoes the whole file: a dry run, or a file with a bad row."""


def _text(row: dict[str, Any], column: str) -> str:
    return (row.get(column) or "").strip()


def _moment(row: dict[str, Any]) -> dt.datetime:
    value = day_text(_text(row, "answered_at"))
    match = DAY.match(value)
    try:
        if match:
            y, m, d, hh, mm, ss = match.groups()
            day = dt.date(int(y), int(m), int(d))
            moment = local_midnight(day) + dt.timedelta(
                hours=int(hh or 0), minutes=int(mm or 0), seconds=int(ss or 0)
            )
            if hh is None or int(hh) < 24:
                if moment <= timezone.now():
                    return moment
                raise InvalidInput(_("An answer cannot come from the future."), field="answered_at")
    except ValueError:
        pass  # 2026-02-30: shaped like a date, but none
    if is_ambiguous_day(value):
        raise InvalidInput(ambiguous_day_sentence(), field="answered_at")
    raise InvalidInput(_("Not a date: write YYYY-MM-DD."), field="answered_at")


def _row_answers(template: SurveyTemplate, items: dict[int, int], row: dict) -> Answers:
    pairs = {}
    for position, item_id in items.items():
        expected, perceived = _text(row, f"e{position}"), _text(row, f"p{position}")
        if expected or perceived:
            pairs[item_id] = (expected or None, perceived or None)
    answers = Answers(
        nps_score=_text(row, "nps_score") or None,
        csat_score=_text(row, "csat_score") or None,
        comment=_text(row, "comment"),
        pairs=pairs,
    )
    try:
        return answers_check(template, answers)
    except InvalidInput as exc:
        # Name the file's columns: item_<id> → e<n>.
        by_id = {f"item_{item_id}": f"e{position}" for position, item_id in items.items()}
        raise InvalidInput(
            errors={by_id.get(field, field): messages for field, messages in exc.errors.items()}
        ) from None


def _write_row(actor: User, row: dict[str, Any], cache: dict[str, Any]) -> int | None:
    """Write one answer; its account's id, None when it was skipped (already on file)."""
    code = _text(row, "template").lower()
    template = cache["templates"].get(code)
    if template is None:
        raise InvalidInput(_("Unknown survey: write nps, csat or servqual."), field="template")
    account_code = _text(row, "account")
    account = accounts_visible_to(actor).filter(code=account_code).first() if account_code else None
    if account is None:
        raise InvalidInput(_("No account with this code."), field="account")
    contact = None
    if _text(row, "contact"):
        contact = Contact.objects.filter(account=account, code=_text(row, "contact")).first()
        if contact is None:
            raise InvalidInput(_("No contact with this code at this account."), field="contact")
    answered_at = _moment(row)
    answers = _row_answers(template, cache["items"].get(template.pk, {}), row)
    external = _text(row, "external_id")[:80]
    if (
        external
        and SurveyResponse.objects.filter(template=template, external_ref=external).exists()
    ):
        return None
    recent = answered_at >= timezone.now() - dt.timedelta(days=RECOVERY_DAYS)
    response_record(
        template=template,
        account=account,
        contact=contact,
        answers=answers,
        answered_at=answered_at,
        external_ref=external,
        recovery=recent,
    )
    return account.pk


def survey_answers_import(
    *, actor: User, content: bytes, file_name: str, dry_run: bool = False
) -> SurveyImportResult:
    """Import the file's answers, all or nothing. ``flagged``: rows skipped as already on file;
    ``answered_accounts``: the accounts answers were written for (pages and commands import
    through `workspace.flows.survey_answers_imported`, which refreshes their loyalty)."""
    result = SurveyImportResult(dry_run=dry_run)
    try:
        table = read_table(SURVEY_ANSWERS, content=content, file_name=file_name)
    except FileRejected as exc:
        result.fatal = str(exc)
        return result
    result.take_read(table)
    if table.frame.height > MAX_ROWS:
        result.fatal = _("At most %(n)s rows a file.") % {"n": MAX_ROWS}
        return result
    cache: dict[str, Any] = {"templates": {t.code: t for t in SurveyTemplate.objects.all()}}
    cache["items"] = {}
    for item in SurveyItem.objects.filter(answer=AnswerKind.SERVQUAL).order_by("position"):
        cache["items"].setdefault(item.template_id, {})[item.position] = item.pk
    answered: set[int] = set()
    try:
        with transaction.atomic():
            for row in table.frame.iter_rows(named=True):
                result.rows_read += 1
                try:
                    with transaction.atomic():
                        account_id = _write_row(actor, row, cache)
                    if account_id is None:
                        result.flagged += 1
                    else:
                        result.created += 1
                        answered.add(account_id)
                except ApplicationError as exc:
                    result.failed += 1
                    if len(result.errors) < SHOWN_ERRORS:
                        result.errors.extend(row_errors(row[LINE], row, exc))
            if dry_run or result.failed:
                raise _Rollback
    except _Rollback:
        if result.failed:
            result.created = 0  # nothing of the file was kept
    else:
        result.answered_accounts = sorted(answered)
    return result
