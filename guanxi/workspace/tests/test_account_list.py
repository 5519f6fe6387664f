"""The account list at scale: sorted by CLV a page at a time with unscored accounts last, filter
dropdowns and search that do not drag the score join or a DISTINCT along, light cells, and a
number of queries that does not grow with the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.accounts.models import Account
from guanxi.core.models import UserPreference
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
from tests.support import make_account, make_contact

LIST = reverse("admin:accounts_account_changelist")


def score(run: AnalysisRun, account: Account, clv: str | None, p_alive: float = 0.5) -> None:
    AccountScore.objects.create(
        run=run, account=account, frequency=3, recency=10, age=20, periods_since_last=1,
        monetary=Decimal("100"), total_revenue=Decimal("1000"), total_cost=Decimal("0"),
        r_score=3, f_score=3, m_score=3, rfm_cell="333", segment="Loyal", abc_class="A",
        revenue_rank=1, clv=None if clv is None else Decimal(clv), p_alive=p_alive,
        cost_to_serve=Decimal("0"), historic_clp=Decimal("0"),
    )  # fmt: skip


@pytest.fixture
def book(cast):
    """Alice's seven accounts: five scored by the latest run (one with no CLV), two not scored;
    an older run ranks them the other way round."""
    old = AnalysisRun.objects.create(status=RunStatus.SUCCEEDED, observation_end="2026-01-31")
    run = AnalysisRun.objects.create(status=RunStatus.SUCCEEDED, observation_end="2026-05-31")
    accounts = [cast.account] + [make_account(owner=cast.alice, name=f"客户{n}") for n in range(6)]
    for account, clv in zip(accounts, ("300", "100", "500", None, "200"), strict=False):
        score(run, account, clv)
        score(old, account, str(1000 - int(clv or 0)))
    return {"accounts": accounts, "run": run}


@pytest.fixture
def per_page(monkeypatch):
    def set_to(n: int) -> None:
        monkeypatch.setattr(admin.site._registry[Account], "list_per_page", n)

    return set_to


def clv_column(client) -> int:
    return list(client.get(LIST).context["cl"].list_display).index("clv_display")


def pages(client, order: str, n: int) -> list[int]:
    ids = []
    for p in range(1, n + 1):
        response = client.get(LIST, {"o": order, "p": p})
        assert response.status_code == 200
        ids += [a.pk for a in response.context["cl"].result_list]
    return ids


def test_sorted_by_clv_page_by_page_with_unscored_accounts_last(client, cast, book, per_page):
    per_page(2)
    client.force_login(cast.alice)
    column = clv_column(client)
    a = book["accounts"]
    # Unscored (no CLV in the latest run, or no score at all) last in both directions, newest
    # id first among them; the older run's ranking plays no part.
    unscored = sorted([a[3].pk, a[5].pk, a[6].pk], reverse=True)
    assert pages(client, f"-{column}", 4) == [a[2].pk, a[0].pk, a[4].pk, a[1].pk, *unscored]
    assert pages(client, str(column), 4) == [a[1].pk, a[4].pk, a[0].pk, a[2].pk, *unscored]


def test_one_page_lists_sort_the_same_way(client, cast, book):
    client.force_login(cast.alice)
    column = clv_column(client)
    rows = client.get(LIST, {"o": f"-{column}"}).context["cl"].result_list
    assert [r.score_clv for r in rows][:4] == [Decimal(v) for v in ("500", "300", "200", "100")]
    assert [r.score_clv for r in rows][4:] == [None, None, None]


def test_search_finds_own_names_codes_and_contacts_once(client, cast, book):
    a = book["accounts"]
    make_contact(account=a[1], name="孙立")
    make_contact(account=a[1], name="孙立新")  # two matching contacts: still one row
    make_contact(account=cast.west_account, name="孙立人")  # not alice's
    Account.objects.filter(pk=a[2].pk).update(code="VIP-007", english_name="Grand Hotel")
    client.force_login(cast.alice)

    def found(q: str) -> list[int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"q": q})
        listed = [r.pk for r in response.context["cl"].result_list]
        assert len(listed) == len(set(listed))
        assert not any("SELECT DISTINCT" in s["sql"] and "contacts_contact" in s["sql"]
                       for s in queries.captured_queries)  # fmt: skip
        return sorted(listed)

    assert found("孙立") == [a[1].pk]
    assert found("vip-0") == [a[2].pk] and found("grand") == [a[2].pk]
    assert found("客户0 孙") == [a[1].pk]  # every word must match
    assert found('"Grand Hotel"') == [a[2].pk]
    assert found("客户") == sorted(x.pk for x in a[1:])
    client.force_login(cast.mia)
    assert found("孙立") == sorted([a[1].pk, cast.west_account.pk])


def test_filter_dropdowns_list_what_the_user_sees_without_the_scores(client, cast, book):
    def choices(user, path: str) -> set:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"_filters": "1"})  # the panel's own request
        scored = [q["sql"] for q in queries.captured_queries if "insights_accountscore" in q["sql"]]
        assert len(scored) == 2  # the page's rows and their count; no dropdown joins the scores
        specs = response.context["cl"].filter_specs
        spec = next(s for s in specs if getattr(s, "field_path", "") == path)
        return {pk for pk, _label in spec.lookup_choices}

    owners = set(Account.objects.values_list("owner", flat=True))
    assert len(owners) > 1 and choices(cast.mia, "owner") == owners
    assert choices(cast.alice, "team") == {cast.east.pk}


def test_cells_are_light(client, cast, book):
    client.force_login(cast.alice)
    text = client.get(LIST).content.decode()
    assert "data-light-cells" in text and 'class="field-clv_display gx-cell"' in text
    assert "before:content-[attr(data-label)]" not in text.split('id="result_list"')[1]
    assert "data-open-360" in text


def test_the_list_reads_a_fixed_number_of_queries(
    client, cast, book, django_assert_max_num_queries
):
    client.force_login(cast.alice)
    column = clv_column(client)
    for params in ({}, {"o": f"-{column}"}, {"q": "客户"}, {"segment": "Loyal"}):
        with django_assert_max_num_queries(22):
            client.get(LIST, params)
    for n in range(40):
        account = make_account(owner=cast.alice, name=f"更多{n}")
        score(book["run"], account, str(n))
        make_contact(account=account, name=f"联系人{n}")
    for params in ({}, {"o": f"-{column}"}, {"q": "客户"}, {"segment": "Loyal"}):
        with django_assert_max_num_queries(22):
            assert client.get(LIST, params).status_code == 200


# --- the columns a user chooses, the name that opens the 360° page, the default order ----------

COLUMNS_URL = reverse("admin:accounts_account_columns")


def shown(client, params: dict | None = None) -> list[str]:
    return list(client.get(LIST, params or {}).context["cl"].list_display)


def test_the_default_list_is_compact_sorted_by_value_and_the_name_opens_360(client, cast, book):
    client.force_login(cast.alice)
    response = client.get(LIST)
    columns = list(response.context["cl"].list_display)
    assert columns[:2] == ["action_checkbox", "name_link"]
    assert {"clv_display", "p_alive_display", "segment_display", "abc_display"} <= set(columns)
    assert "code" not in columns and "lifecycle_display" not in columns
    # Most valuable first (CLV), unscored last: the same order as clicking CLV twice.
    a = book["accounts"]
    listed = [r.pk for r in response.context["cl"].result_list]
    assert listed[:4] == [a[2].pk, a[0].pk, a[4].pk, a[1].pk]
    text = response.content.decode()
    view_360 = reverse("admin:accounts_account_view_360", args=(a[2].pk,))
    edit = reverse("admin:accounts_account_change", args=(a[2].pk,))
    assert f'href="{view_360}" class="font-medium text-primary-600" data-open-360' in text
    assert f'href="{edit}"' in text and "data-edit" in text


def test_a_chosen_set_of_columns_is_remembered_per_user(client, cast, book):
    client.force_login(cast.alice)
    response = client.post(
        COLUMNS_URL,
        {"column": ["code", "lifecycle", "clv", "nonsense"], "next": f"{LIST}?q=vip"},
    )
    assert response.status_code == 302 and response.url == f"{LIST}?q=vip"
    assert UserPreference.objects.get(user=cast.alice).value == ["code", "lifecycle", "clv"]
    expected = ["action_checkbox", "name_link", "code", "lifecycle_display", "clv_display"]
    assert shown(client) == expected
    assert shown(client, {"q": "客户"}) == expected  # on every later page load
    client.force_login(cast.lena)
    assert "code" not in shown(client)  # another user's list is their own
    client.force_login(cast.alice)
    client.post(COLUMNS_URL, {"reset": "1"})
    assert "code" not in shown(client) and "abc_display" in shown(client)


def test_the_columns_address_takes_only_a_post_and_stays_on_this_site(client, cast):
    client.force_login(cast.alice)
    reloaded = client.get(COLUMNS_URL)
    assert reloaded.status_code == 302 and reloaded.url == LIST
    assert not UserPreference.objects.exists()
    response = client.post(COLUMNS_URL, {"column": ["clv"], "next": "https://evil.example/"})
    assert response.url == LIST


def test_badge_columns_cost_no_query_when_hidden(client, cast, book):
    client.force_login(cast.alice)
    client.post(COLUMNS_URL, {"column": ["clv"]})
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    assert not any("tiers_accounttier" in q["sql"] for q in queries.captured_queries)


def test_the_filter_panel_is_loaded_on_demand_and_filters_as_before(client, cast, book):
    """The plain list leaves the panel's twenty dropdowns out (a button loads them); the
    panel's request and a filtered list have them, and the filter applies."""
    client.force_login(cast.alice)
    with CaptureQueriesContext(connection) as queries:
        plain = client.get(LIST, {"q": "客户", "o": "1"})
    assert plain.context["cl"].filter_specs == [] and "data-filters-lazy" in plain.content.decode()
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)
    panel = client.get(LIST, {"q": "客户", "_filters": "1"})
    assert len(panel.context["cl"].filter_specs) > 10
    assert 'id="changelist-filter"' in panel.content.decode()
    assert "data-filters-lazy" not in panel.content.decode()
    filtered = client.get(LIST, {"segment": "Loyal"})
    assert len(filtered.context["cl"].filter_specs) > 10
    assert {r.pk for r in filtered.context["cl"].result_list} == {
        a.pk for a in book["accounts"][:5]
    }
