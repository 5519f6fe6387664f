"""The pages where lights show: the 警报客户管理表 (filters, access, XLSX), a light's page
(feedback, countermeasure), Today, the 360° page and the account list; the loyalty matrix."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from guanxi.activities.models import Task, TaskKind, TaskSource
from guanxi.loyalty.models import AccountLight, AccountLoyalty, LightStatus, Referral
from guanxi.loyalty.tests.support import rule
from tests.support import make_account, make_transaction

pytestmark = pytest.mark.django_db


def light(account, code="complaint-overdue", **fields) -> AccountLight:
    r = rule(code)
    fields.setdefault("facts", {"case": 7, "opened": "2026-06-01", "due": "2026-06-02 09:00"})
    return AccountLight.objects.create(
        account=account, rule=r, colour=r.colour, raised_at=timezone.now(),
        last_seen_on=timezone.localdate(), **fields,
    )  # fmt: skip


def test_the_table_lists_the_lights_the_user_may_see(client, cast):
    mine, theirs = light(cast.account), light(cast.west_account, "detractor",
                                                facts={"score": 3, "on": "2026-06-01"})  # fmt: skip
    client.force_login(cast.alice)
    text = client.get(reverse("loyalty_lights")).content.decode()
    assert f'data-light="{mine.pk}"' in text and f'data-light="{theirs.pk}"' not in text
    client.force_login(cast.mia)
    text = client.get(reverse("loyalty_lights"), {"colour": "yellow"}).content.decode()
    assert f'data-light="{theirs.pk}"' in text and f'data-light="{mine.pk}"' not in text


def test_the_table_exports_the_filtered_rows_as_xlsx(client, cast, english):
    light(cast.account, kam_feedback="客户对菜品口味有意见")
    light(cast.west_account)
    client.force_login(cast.alice)
    response = client.get(reverse("loyalty_lights_export"), {"colour": "red"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and alice's one light
    assert rows[1][0] == cast.account.name and rows[1][9] == "客户对菜品口味有意见"
    assert "Complaint #7" in rows[1][5]


def test_the_kam_records_feedback_and_only_a_lead_the_countermeasure(client, cast):
    lit = light(cast.account)
    url = reverse("loyalty_light", args=(lit.pk,))
    client.force_login(cast.alice)
    response = client.post(
        url, {"kam_feedback": "已上门道歉", "countermeasure": "赠送代金券", "status": "open"}
    )
    assert response.status_code == 302
    lit.refresh_from_db()
    assert lit.kam_feedback == "已上门道歉" and lit.feedback_by == cast.alice
    assert lit.status == LightStatus.ACKNOWLEDGED
    assert lit.countermeasure == ""  # a KAM's form has no countermeasure field
    assert lit.history.first().history_user == cast.alice

    client.force_login(cast.lena)
    client.post(url, {"countermeasure": "总监拜访，赠送代金券", "status": "resolved"})
    lit.refresh_from_db()
    assert lit.countermeasure == "总监拜访，赠送代金券" and lit.status == LightStatus.RESOLVED
    assert lit.kam_feedback == "已上门道歉"

    client.force_login(cast.bob)
    assert client.get(url).status_code == 404
    assert client.post(url, {"kam_feedback": "x"}).status_code == 404


def test_today_shows_the_kam_s_lights_with_a_feedback_form(client, cast):
    red = light(cast.account)
    cleared = light(make_account(owner=cast.alice), cleared_at=timezone.now())
    client.force_login(cast.alice)
    text = client.get(reverse("admin:activities_task_today")).content.decode()
    assert 'data-section="warning_lights" data-total="1"' in text
    assert f'data-light="{red.pk}"' in text and f'data-light="{cleared.pk}"' not in text
    assert f'action="{reverse("loyalty_light", args=(red.pk,))}"' in text
    response = client.post(
        reverse("loyalty_light", args=(red.pk,)),
        {"kam_feedback": "下周拜访", "next": reverse("admin:activities_task_today")},
    )
    assert response["Location"] == reverse("admin:activities_task_today")
    red.refresh_from_db()
    assert red.kam_feedback == "下周拜访"


def test_the_360_page_and_the_account_list_show_the_light(client, cast):
    red = light(cast.account)
    other = make_account(owner=cast.alice)
    AccountLoyalty.objects.create(account=other, behavioural="high", cell="true",
                                  as_of=dt.date(2026, 6, 1))  # fmt: skip
    client.force_login(cast.alice)
    text = client.get(reverse("admin:accounts_account_view_360", args=(cast.account.pk,)))
    assert f'data-light="{red.pk}"' in text.content.decode()
    listed = client.get(reverse("admin:accounts_account_changelist"), {"light": "red"})
    assert [a.pk for a in listed.context["cl"].result_list] == [cast.account.pk]
    listed = client.get(reverse("admin:accounts_account_changelist"), {"loyalty": "true"})
    assert [a.pk for a in listed.context["cl"].result_list] == [other.pk]


def test_the_matrix_counts_the_cells_the_user_may_see(client, cast):
    for cell in ("true", "true", "spurious", "no_survey"):
        AccountLoyalty.objects.create(account=make_account(owner=cast.alice), behavioural="high",
                                      cell=cell, as_of=dt.date(2026, 6, 1))  # fmt: skip
    AccountLoyalty.objects.create(account=cast.west_account, behavioural="low", cell="none",
                                  as_of=dt.date(2026, 6, 1))  # fmt: skip
    client.force_login(cast.alice)
    text = client.get(reverse("loyalty_matrix")).content.decode()
    assert 'data-cell="true" data-count="2"' in text
    assert 'data-cell="none" data-count="0"' in text
    assert 'data-cell="no_survey" data-count="1"' in text
    assert f'href="{reverse("admin:accounts_account_changelist")}?loyalty=spurious"' in text


def test_the_referral_list_shows_the_value_and_follows_the_access_rule(client, cast):
    referred = make_account(owner=cast.alice)
    make_transaction(account=referred, amount="1200.00")
    mine = Referral.objects.create(referrer_account=cast.account, referred_account=referred,
                                   referred_on=dt.date(2026, 5, 1))  # fmt: skip
    theirs = Referral.objects.create(referrer_account=cast.west_account, referred_account=referred,
                                     referred_on=dt.date(2026, 5, 2))  # fmt: skip
    client.force_login(cast.alice)
    response = client.get(reverse("admin:loyalty_referral_changelist"))
    rows = list(response.context["cl"].result_list)
    assert [r.pk for r in rows] == [mine.pk] and theirs.pk
    assert rows[0].value == Decimal("1200.00")


def test_the_api_lists_the_lights_waiting_for_the_kam(as_user, cast):
    red = light(cast.account)
    light(make_account(owner=cast.alice), cleared_at=timezone.now())
    client = as_user("alice")
    day = client.get("/api/activities/today").json()
    page = client.get("/api/activities/today/warning_lights").json()
    assert day["totals"]["warning_lights"] == 1 and page["count"] == 1
    assert page["items"] == day["warning_lights"]
    assert page["items"][0]["light"] == red.pk and page["items"][0]["colour"] == red.colour


def test_red_lights_come_first_and_the_link_says_what_it_does(client, cast, english):
    red = light(cast.account)
    yellow = light(cast.account, "detractor", facts={"score": 3, "on": "2026-06-01"})
    AccountLight.objects.filter(pk=yellow.pk).update(raised_at=red.raised_at + dt.timedelta(1))
    client.force_login(cast.alice)
    text = client.get(reverse("loyalty_lights")).content.decode()
    assert text.index(f'data-light="{red.pk}"') < text.index(f'data-light="{yellow.pk}"')
    assert ">Respond</a>" in text and ">Open</a>" not in text
    assert "<h1" in text and ">Warning lights table</h1>" in text


def test_today_puts_the_due_work_before_the_lights_and_folds_their_feedback(client, cast):
    """The trial: eleven lights with an open feedback box each came before "Overdue and due
    today", and each light said "Open" twice (its status and the link)."""
    lit = light(cast.account)
    Task.objects.create(account=cast.account, assignee=cast.alice, kind=TaskKind.CALL,
                        title="Call", due_date=timezone.localdate(),
                        source=TaskSource.MANUAL)  # fmt: skip
    client.force_login(cast.alice)
    for language in ("en", "zh-hans"):
        text = client.get(
            reverse("admin:activities_task_today"), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
        assert text.index('data-section="due"') < text.index('data-section="warning_lights"')
        row = text.split(f'data-light="{lit.pk}"')[1].split("</li>")[0]
        # The feedback box is folded: a closed <details> around the form.
        fold = row.split("<details")[1].split("</details>")[0]
        assert "data-feedback-form" in fold and not fold.split(">")[0].count(" open")
        link = row.split("data-open-light>")[1].split("</a>")[0].strip()
        with translation.override(language):
            assert link and link != str(lit.get_status_display())
