import datetime as dt
from decimal import Decimal

from guanxi.accounts.models import Account, Tag
from guanxi.contacts.models import Contact
from guanxi.imports.tests.helpers import messages, run

ACC = ["code", "name", "account_type", "parent_code", "tags", "owner", "team", "annual_sales",
       "customer_since"]  # fmt: skip


def test_accounts_import_with_parent_tags_and_default_owner(cast):
    rows = [ACC,
            ["G1", "华东集团", "mice", "", "VIP、会展", "", "", "1000000", "2021-03-01"],
            ["G1-SH", "华东集团上海公司", "会展", "G1", "VIP，新客户", "", "", "", ""]]  # fmt: skip
    report = run("accounts", rows, user=cast.alice)
    assert report.ok, report.describe()
    assert report.created == 2
    group, sub = Account.objects.get(code="G1"), Account.objects.get(code="G1-SH")
    assert sub.parent == group and sub.account_type == "mice"
    assert group.owner == cast.alice and group.team == cast.east
    assert group.annual_sales == Decimal("1000000.00")
    assert group.customer_since == dt.date(2021, 3, 1)
    assert sorted(t.name for t in sub.tags.all()) == ["VIP", "新客户"]
    assert Tag.objects.filter(name="会展").exists()
    hist = group.history.get()
    assert hist.history_type == "+" and hist.history_user == cast.alice
    assert hist.history_change_reason == f"import #{report.run_id}"
    assert sorted(t.tag.name for t in hist.tags.all()) == ["VIP", "会展"]


def test_account_rerun_is_unchanged_and_a_change_is_an_update(cast):
    rows = [ACC, ["G2", "甲公司", "corporate", "", "VIP", "", "", "", ""]]
    run("accounts", rows, user=cast.alice)
    before = Account.history.count()
    again = run("accounts", rows, user=cast.alice)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Account.history.count() == before
    rows[1][1] = "甲公司（新名）"
    rows[1][4] = "VIP, 重点"
    changed = run("accounts", rows, user=cast.alice)
    assert changed.updated == 1
    acc = Account.objects.get(code="G2")
    assert acc.name == "甲公司（新名）"
    assert sorted(t.name for t in acc.tags.all()) == ["VIP", "重点"]
    assert acc.history.count() == 2
    assert acc.history.order_by("-history_id").first().history_type == "~"


def test_a_kam_cannot_give_accounts_to_someone_else_but_a_manager_can(cast):
    rows = [ACC, ["G3", "乙公司", "corporate", "", "", "bob", "", "", ""]]
    report = run("accounts", rows, user=cast.alice)
    assert messages(report)[2] == [
        "owner: only managers and admins may make someone else the owner"
    ]
    assert not Account.objects.filter(code="G3").exists()
    report = run("accounts", rows, user=cast.mia)
    assert report.created == 1
    assert Account.objects.get(code="G3").owner == cast.bob
    assert Account.objects.get(code="G3").team == cast.east


def test_a_kam_cannot_touch_or_parent_to_hidden_accounts(cast):
    west = cast.west_account.code
    rows = [ACC, [west, "改名", "corporate", "", "", "", "", "", ""],
            ["G4", "丙公司", "corporate", west, "", "", "", "", ""]]  # fmt: skip
    report = run("accounts", rows, user=cast.alice)
    m = messages(report)
    assert m[2] == [f"code: account {west} belongs to someone you cannot see"]
    assert m[3] == [f"parent_code: account {west} not found or not visible to you"]
    cast.west_account.refresh_from_db()
    assert cast.west_account.name == "西部旅行社"


def test_account_errors_name_the_line(cast):
    rows = [ACC, ["", "无编号", "mice", "", "", "", "", "", ""],
            ["G5", "", "rocket", "", "", "", "", "abc", "2021-02-30"],
            ["G6", "丁", "mice", "G6", "", "nobody", "Nowhere", "", ""],
            ["G7", "戊", "mice", "", "", "", "", "", ""],
            ["G7", "戊", "mice", "", "", "", "", "", ""]]  # fmt: skip
    report = run("accounts", rows, user=cast.mia)
    m = messages(report)
    assert "code: is required" in m[2]
    assert "name: is required" in m[3]
    assert any(x.startswith("account_type: is not one of: mice") for x in m[3])
    assert any(x.startswith("annual_sales: is not a number") for x in m[3])
    assert "customer_since: is not a date (use YYYY-MM-DD)" in m[3]
    assert len(m[4]) == 1  # the first problem found stops the row
    assert m[6] == ["code: repeats the code of line 5"]
    assert report.created == 1 and report.failed == 4
    assert report.counts_add_up


def test_system_import_needs_an_owner(cast):
    rows = [ACC, ["G8", "己", "mice", "", "", "", "", "", ""],
            ["G9", "庚", "mice", "", "", "charlie", "", "", ""]]  # fmt: skip
    report = run("accounts", rows)
    assert messages(report)[2] == ["owner: is required when importing without a user"]
    assert Account.objects.get(code="G9").owner == cast.charlie
    assert Account.objects.get(code="G9").team == cast.west


CON = ["code", "account_code", "name", "gender", "birthday", "mobile", "email", "is_primary"]


def test_contacts_import_update_and_access(cast):
    rows = [CON, ["P1", cast.account.code, "王芳", "女", "1980-05-12", "138", "wf@example.com",
                  "是"],
            ["P2", cast.west_account.code, "李雷", "male", "", "", "", ""],
            ["P3", cast.account.code, "韩梅梅", "", "1980-02-30", "", "", ""]]  # fmt: skip
    report = run("contacts", rows, user=cast.alice)
    assert report.created == 1 and report.failed == 2
    m = messages(report)
    assert m[3] == [
        f"account_code: account {cast.west_account.code} not found or not visible to you"
    ]
    assert "birthday: is not a date (use YYYY-MM-DD)" in m[4]
    c = Contact.objects.get(code="P1")
    assert (c.gender, c.birthday, c.is_primary) == ("female", dt.date(1980, 5, 12), True)
    assert c.history.get().history_user == cast.alice
    again = run("contacts", rows[:2], user=cast.alice)
    assert again.unchanged == 1 and c.history.count() == 1
    rows[1][5] = "139"
    changed = run("contacts", rows[:2], user=cast.alice)
    assert changed.updated == 1
    assert Contact.objects.get(code="P1").mobile == "139"
    email_error = run("contacts", [CON, ["P4", cast.account.code, "x", "", "", "", "bad", ""]],
                      user=cast.alice)  # fmt: skip
    assert messages(email_error)[2][0].startswith("email: ")


def test_dry_run_of_accounts_writes_nothing(cast):
    rows = [ACC, ["G10", "辛", "mice", "", "VIP", "", "", "", ""],
            ["G11", "壬", "mice", "G10", "", "", "", "", ""]]  # fmt: skip
    report = run("accounts", rows, user=cast.alice, dry_run=True)
    assert report.ok and report.created == 2  # the parent earlier in the file counts
    assert not Account.objects.filter(code__in=["G10", "G11"]).exists()
    assert not Tag.objects.filter(name="VIP").exists()
