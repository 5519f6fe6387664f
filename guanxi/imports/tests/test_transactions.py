import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from guanxi.imports import services
from guanxi.imports.models import ImportRun, ImportStatus
from guanxi.imports.tests.helpers import messages, run
from guanxi.transactions.models import Transaction
from tests.support import analyze_count, make_contact, make_transaction, watch_analyze

HEAD = ["external_id", "account_code", "occurred_at", "category", "amount", "cost", "head_count",
        "channel", "description"]  # fmt: skip
SH = ZoneInfo("Asia/Shanghai")


def good_rows(code: str) -> list[list[object]]:
    return [
        HEAD,
        ["P1", code, "2024-05-01 19:30", "fnb", "3880.00", "2000", "12", "direct", "商务宴请"],
        ["P2", code, "2024-05-02", "客房", "1,200.5", "", "", "", ""],
        ["P3", code, "2024-05-03T10:00:00+00:00", "Meeting & event space", "0", "", "", "ota", ""],
    ]


def test_it_imports_good_rows_with_audit(cast):
    report = run("transactions", good_rows(cast.account.code), user=cast.alice)
    assert report.ok, report.describe()
    assert (report.rows_read, report.created, report.updated, report.failed) == (3, 3, 0, 0)
    p1 = Transaction.objects.get(source="import", external_id="P1")
    assert p1.account == cast.account and p1.category.code == "fnb"
    assert p1.amount == Decimal("3880.00") and p1.cost == Decimal("2000.00")
    assert p1.head_count == 12 and p1.description == "商务宴请"
    assert p1.occurred_at == dt.datetime(2024, 5, 1, 19, 30, tzinfo=SH)
    p2 = Transaction.objects.get(external_id="P2")
    assert p2.amount == Decimal("1200.50") and p2.cost is None and p2.category.code == "rooms"
    assert p2.channel == "direct" and p2.occurred_at == dt.datetime(2024, 5, 2, tzinfo=SH)
    p3 = Transaction.objects.get(external_id="P3")
    assert p3.occurred_at == dt.datetime(2024, 5, 3, 10, tzinfo=dt.UTC)
    assert p3.category.code == "meeting" and p3.channel == "ota"
    history = Transaction.history.filter(external_id__in=["P1", "P2", "P3"])
    assert history.count() == 3
    assert {h.history_type for h in history} == {"+"}
    assert {h.history_user_id for h in history} == {cast.alice.pk}
    assert {h.history_change_reason for h in history} == {f"import #{report.run_id}"}
    run_row = ImportRun.objects.get(pk=report.run_id)
    assert run_row.status == ImportStatus.SUCCEEDED and run_row.created_count == 3
    assert run_row.user == cast.alice


def test_rerun_changes_nothing(cast):
    rows = good_rows(cast.account.code)
    run("transactions", rows, user=cast.alice)
    before = (Transaction.objects.count(), Transaction.history.count())
    again = run("transactions", rows, user=cast.alice)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 3, 0)
    assert (Transaction.objects.count(), Transaction.history.count()) == before


def test_a_changed_row_updates_the_record_with_history(cast):
    rows = good_rows(cast.account.code)
    run("transactions", rows, user=cast.alice)
    rows[1][4] = "4000"
    rows[1][8] = "改了"
    report = run("transactions", rows, user=cast.mia)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    p1 = Transaction.objects.get(external_id="P1")
    assert p1.amount == Decimal("4000.00") and p1.description == "改了"
    latest = p1.history.order_by("-history_id").first()
    assert latest.history_type == "~" and latest.history_user == cast.mia
    assert latest.amount == Decimal("4000.00")
    assert latest.history_change_reason == f"import #{report.run_id}"
    assert p1.history.count() == 2


def test_bad_rows_are_reported_with_line_column_and_reason(cast):
    code = cast.account.code
    rows = [
        HEAD,
        ["B1", code, "2024-05-01", "fnb", "10", "", "", "", ""],  # line 2: good
        ["B2", code, "2024-13-01", "fnb", "-5", "", "x", "bike", ""],  # line 3
        ["", "NOPE", "2024-05-01", "caviar", "1.234", "", "", "", ""],  # line 4
        ["B1", code, "2024-05-01", "fnb", "10", "", "", "", ""],  # line 5: duplicate of 2
        ["B5", "", "", "", "", "", "", "", "x" * 201],  # line 6
    ]
    report = run("transactions", rows, user=cast.alice)
    assert not report.ok
    assert (report.rows_read, report.created, report.failed) == (5, 1, 4)
    assert report.created + report.updated + report.unchanged + report.failed == report.rows_read
    m = messages(report)
    assert set(m) == {3, 4, 5, 6}
    assert "occurred_at: is not a date or date-time (use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)" in m[3]
    assert (
        "amount: is negative on a sale; a refund says so in the kind column (refund, 退款)" in m[3]
    )
    assert "head_count: is not a whole number" in m[3]
    assert any(x.startswith("channel: is not one of: direct") for x in m[3])
    assert "external_id: is required" in m[4]
    assert "account_code: account NOPE not found or not visible to you" in m[4]
    assert any(x.startswith("category: unknown product category") for x in m[4])
    assert "amount: has more than 2 decimal places" in m[4]
    assert "external_id: repeats the source and external id of line 2" in m[5]
    assert "description: is longer than 200 characters" in m[6]
    assert "amount: is required" in m[6]
    assert Transaction.objects.filter(source="import").count() == 1
    assert Transaction.history.filter(source="import").count() == 1
    assert (
        "line 3, amount: is negative on a sale; a refund says so in the kind column (refund, 退款)"
        in report.describe()
    )
    stored = ImportRun.objects.get(pk=report.run_id)
    assert stored.status == ImportStatus.PARTIAL and stored.failed_count == 4
    assert {"line": 5, "column": "external_id", "value": "B1",
            "message": "repeats the source and external id of line 2"} in stored.errors  # fmt: skip


def test_source_comes_from_the_column_or_the_option(cast):
    code = cast.account.code
    rows = [["source", *HEAD], ["pos", "S1", code, "2024-05-01", "fnb", "1", "", "", "", ""],
            ["", "S1", code, "2024-05-01", "fnb", "1", "", "", "", ""]]  # fmt: skip
    report = run("transactions", rows, user=cast.alice, source="pms")
    assert report.created == 2, report.describe()
    assert set(Transaction.objects.values_list("source", flat=True)) == {"pos", "pms"}


def test_contact_must_belong_to_the_account(cast):
    own = make_contact(account=cast.account, code="CT-OWN")
    make_contact(account=cast.west_account, code="CT-WEST")
    code = cast.account.code
    rows = [[*HEAD, "contact_code"],
            ["C1", code, "2024-05-01", "fnb", "1", "", "", "", "", "CT-OWN"],
            ["C2", code, "2024-05-01", "fnb", "1", "", "", "", "", "CT-WEST"],
            ["C3", code, "2024-05-01", "fnb", "1", "", "", "", "", "CT-NONE"]]  # fmt: skip
    report = run("transactions", rows, user=cast.alice)
    assert report.created == 1
    assert Transaction.objects.get(external_id="C1").contact == own
    m = messages(report)
    assert m[3] == ["contact_code: contact CT-WEST does not belong to this account"]
    assert m[4] == ["contact_code: contact CT-NONE not found"]


@pytest.mark.parametrize(
    ("username", "visible"),
    [("alice", True), ("bob", False), ("charlie", False), ("lena", True), ("mia", True)],
)
def test_rows_may_only_touch_visible_accounts(cast, username, visible):
    user = getattr(cast, username)
    rows = [HEAD, ["V1", cast.account.code, "2024-05-01", "fnb", "1", "", "", "", ""]]
    report = run("transactions", rows, user=user)
    assert Transaction.objects.filter(external_id="V1").exists() is visible
    if not visible:
        assert messages(report)[2] == [
            f"account_code: account {cast.account.code} not found or not visible to you"
        ]


def test_an_existing_record_on_a_hidden_account_is_not_changed(cast):
    make_transaction(account=cast.west_account, source="import", external_id="H1", amount="5")
    rows = [HEAD, ["H1", cast.account.code, "2024-05-01", "fnb", "1", "", "", "", ""]]
    report = run("transactions", rows, user=cast.alice)
    assert report.failed == 1 and report.created == report.updated == 0
    assert messages(report)[2] == [
        "external_id: belongs to a record on an account not visible to you"
    ]
    assert Transaction.objects.get(external_id="H1").account == cast.west_account


def test_without_a_user_the_system_sees_everything(cast):
    rows = [HEAD, ["SYS1", cast.west_account.code, "2024-05-01", "fnb", "1", "", "", "", ""]]
    report = run("transactions", rows)
    assert report.created == 1
    h = Transaction.history.get(external_id="SYS1")
    assert h.history_user_id is None and h.history_change_reason == f"import #{report.run_id}"


def test_dry_run_writes_nothing(cast):
    report = run("transactions", good_rows(cast.account.code), user=cast.alice, dry_run=True)
    assert report.ok and report.created == 3 and report.dry_run
    assert not Transaction.objects.filter(source="import").exists()
    assert not Transaction.history.filter(source="import").exists()
    assert "dry run" in report.describe()


def test_small_batches_write_every_row(cast, settings):
    settings.GUANXI_IMPORT_BATCH_SIZE = 2
    rows = [HEAD] + [[f"K{i}", cast.account.code, "2024-05-01", "fnb", str(i), "", "", "", ""]
                     for i in range(7)]  # fmt: skip
    report = run("transactions", rows, user=cast.alice)
    assert report.created == 7
    ids = sorted(Transaction.objects.filter(source="import").values_list("id", flat=True))
    assert len(set(ids)) == 7
    assert Transaction.history.filter(source="import").count() == 7
    # the ORM keeps working after explicit ids: the sequence moved past them
    later = make_transaction(account=cast.account)
    assert later.pk > max(ids)


def test_an_import_refreshes_the_planner_statistics_of_the_ledger(cast, monkeypatch):
    seen = watch_analyze(monkeypatch, services)
    before = analyze_count("transactions_transaction")
    run("transactions", good_rows(cast.account.code), user=cast.alice, dry_run=True)
    assert seen == []  # a dry run writes nothing
    report = run("transactions", good_rows(cast.account.code), user=cast.alice)
    assert report.ok and seen == ["transactions_transaction", "transactions_historicaltransaction"]
    if before is not None:  # PostgreSQL: it really ran
        assert analyze_count("transactions_transaction") == before + 1
    run("transactions", good_rows(cast.account.code), user=cast.alice)  # all unchanged
    assert len(seen) == 2


def test_a_refund_is_a_deliberate_kind_and_is_stored_negative(cast):
    """A 退款 line gives back what it says, written with or without the minus; a negative amount
    on a sale is refused (a typo), as is a refund of nothing."""
    code = cast.account.code
    rows = [
        ["单号", "客户编号", "发生时间", "类别", "金额", "数量", "类型"],
        ["S1", code, "2024-05-01 12:00", "rooms", "1000", "3", ""],
        ["R1", code, "2024-05-03 12:00", "rooms", "300", "1", "退款"],
        ["R2", code, "2024-05-04 12:00", "rooms", "-200", "", "refund"],
        ["R3", code, "2024-05-05 12:00", "rooms", "-50", "", ""],
        ["R4", code, "2024-05-05 12:00", "rooms", "0", "", "红冲"],
    ]
    report = run("transactions", rows, user=cast.alice)
    assert messages(report) == {
        5: ["amount: is negative on a sale; a refund says so in the kind column (refund, 退款)"],
        6: ["amount: a refund gives back money or units"],
    }
    got = dict(Transaction.objects.values_list("external_id", "kind"))
    assert got == {"S1": "sale", "R1": "refund", "R2": "refund"}
    r1 = Transaction.objects.get(external_id="R1")
    assert (r1.amount, r1.quantity, r1.refund_of_id) == (Decimal("-300"), Decimal("-1"), None)
    assert cast.account.ledger_rollup.revenue_lifetime == Decimal("500")
    assert cast.account.ledger_rollup.count_lifetime == 1
