import csv
import io

from django.utils import translation
from openpyxl import load_workbook

from guanxi.accounts.admin_base import export_as_csv, export_as_xlsx
from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to, visible_to
from guanxi.contacts.models import Contact
from guanxi.imports.columns import SPECS
from guanxi.imports.exports import export_queryset
from guanxi.imports.services import import_file
from guanxi.transactions.models import Payment, Transaction
from tests.support import make_contact, make_payment, make_transaction


def _seed(cast):
    cast.account.tags.create(name="VIP")
    make_contact(account=cast.account, code="EC1", name="王芳", mobile="138")
    contact = Contact.objects.get(code="EC1")
    make_transaction(account=cast.account, amount="12.50", source="pms", external_id="E1",
                     contact=contact, head_count=3, description="午宴")  # fmt: skip
    make_transaction(account=cast.west_account, amount="99", source="pms", external_id="W1")
    make_payment(account=cast.account, amount="500", source="erp", external_id="EP1")


def test_export_then_import_changes_nothing(cast):
    _seed(cast)
    querysets = {
        "accounts": accounts_visible_to(cast.alice),
        "contacts": visible_to(Contact.objects.all(), cast.alice, "account__"),
        "transactions": visible_to(Transaction.objects.all(), cast.alice, "account__"),
        "payments": visible_to(Payment.objects.all(), cast.alice, "account__"),
    }
    for fmt in ("csv", "xlsx"):
        for kind, qs in querysets.items():
            response = export_queryset(kind, qs, fmt)
            before = (qs.model.objects.count(), qs.model.history.count())
            report = import_file(kind=kind, content=response.content, file_name=f"x.{fmt}",
                                 actor=cast.alice)  # fmt: skip
            assert report.ok, (kind, fmt, report.describe())
            assert report.rows_read == qs.count() and report.unchanged == qs.count(), kind
            assert (qs.model.objects.count(), qs.model.history.count()) == before


def test_export_has_the_import_columns_and_only_the_queryset(cast):
    _seed(cast)
    qs = visible_to(Transaction.objects.all(), cast.alice, "account__")
    text = export_queryset("transactions", qs, "csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == SPECS["transactions"].keys
    assert [r[1] for r in rows[1:]] == ["E1"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["amount"] == "12.50" and row["contact_code"] == "EC1" and row["head_count"] == "3"


def test_admin_actions_export_the_selection(cast, rf):
    _seed(cast)
    qs = Account.objects.filter(pk=cast.account.pk)
    response = export_as_csv(None, rf.get("/"), qs)
    assert response["Content-Disposition"].endswith('.csv"')
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{cast.account.code},华东会展集团")
    response = export_as_xlsx(None, rf.get("/"), qs)
    sheet = load_workbook(io.BytesIO(response.content)).active
    labels = {c.key: str(c.label) for c in SPECS["accounts"].columns}
    assert [c.value for c in sheet[1]] == [labels[k] for k in SPECS["accounts"].keys]
    assert sheet.max_row == 2


def test_xlsx_export_speaks_the_ui_language_and_has_numbers_yet_reimports_unchanged(cast):
    _seed(cast)
    qs = visible_to(Transaction.objects.all(), cast.alice, "account__")
    with translation.override("zh-hans"):
        content = export_queryset("transactions", qs, "xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    assert "金额（元）" in header and "amount" not in header
    assert sheet.cell(row=2, column=header.index("金额（元）") + 1).value == 12.5
    before = Transaction.history.count()
    report = import_file(kind="transactions", content=content, file_name="x.xlsx", actor=cast.alice)
    assert report.ok and report.created == 0 and report.updated == 0
    assert Transaction.history.count() == before
    assert str(export_as_csv.short_description)
