"""The home dashboard's charts: figures that add up, the access rule, the stored snapshots, the
lists behind the cells, the XLSX export and months without data."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.dates import add_months
from guanxi.core.models import StoredSnapshot
from guanxi.relationships.health import COVERAGE_BANDS
from guanxi.relationships.models import AccountRelationshipHealth
from guanxi.relationships.services import buying_centre_member_set
from guanxi.workspace.charts import charts_compute, cohort_account_ids
from guanxi.workspace.snapshots import VERSION, dashboard_figures, dashboard_snapshots_store
from guanxi.workspace.tests.dashboard_support import build_book
from tests.support import PASSWORD, make_contact, make_transaction

TODAY = timezone.localdate()


def _on(day: dt.date, amount: str, account) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    make_transaction(account=account, amount=amount, when=moment)


@pytest.fixture
def book(cast):
    return build_book(cast)


def test_the_pyramid_adds_up_to_the_accounts_and_100_percent_of_revenue(cast, book):
    data = charts_compute(accounts_visible_to(cast.mia), TODAY)["pyramid"]
    assert data["accounts"] == 4
    assert sum(r["accounts"] for r in data["rows"]) == 4
    assert sum(r["revenue_share"] for r in data["rows"]) == pytest.approx(100, abs=0.05)
    by_tier = {r["tier"]: r["accounts"] for r in data["rows"]}
    assert by_tier == {book["a"].pk: 1, book["b"].pk: 2, None: 1}  # alice3 has no tier


def test_a_kam_sees_only_their_accounts(cast, book):
    data = charts_compute(accounts_visible_to(cast.alice), TODAY)
    assert data["pyramid"]["accounts"] == 3
    assert {(c["r"], c["f"], c["accounts"]) for c in data["rfm"]["cells"]} == {(5, 4, 2)}
    assert data["pareto"]["revenue"] == pytest.approx(11000)
    assert dashboard_figures(cast.bob, today=TODAY)["pyramid"]["accounts"] == 0


def test_pareto_reaches_100_percent_and_marks_the_best_20_percent(cast, book):
    data = charts_compute(accounts_visible_to(cast.mia), TODAY)["pareto"]
    assert data["accounts"] == 3
    assert data["points"][-1]["y"] == pytest.approx(100)
    assert data["top20_share"] == pytest.approx(10000 / 16000 * 100, abs=0.01)
    assert data["threshold"] == pytest.approx(10000)


def test_migration_flows_from_last_months_tier_to_this_months(cast, book):
    data = charts_compute(accounts_visible_to(cast.mia), TODAY)["migration"]
    flows = {(f["from"], f["to"]): f["accounts"] for f in data["flows"]}
    a, b = book["a"].pk, book["b"].pk
    assert flows[(a, b)] == 1  # alice2 moved down this month
    assert flows[(b, b)] == 1 and flows[(a, a)] == 1  # the others stayed


def test_cohorts_and_months_without_data(cast, book):
    data = charts_compute(accounts_visible_to(cast.mia), TODAY)
    cohorts = {c["cohort"]: c for c in data["cohorts"]["cohorts"]}
    month = TODAY.replace(day=1)
    first = cohorts[add_months(month, -2).isoformat()]
    assert first["size"] == 1
    assert [m["accounts"] for m in first["months"]] == [1, 0, 1]  # 华东 came back this month
    assert cohorts[add_months(month, -5).isoformat()]["size"] is None  # no data, not 0
    assert cohort_account_ids(cast.mia, add_months(month, -2), 2) == [cast.account.pk]
    assert cohort_account_ids(cast.bob, add_months(month, -2), 2) == []
    series = data["categories"]["series"]
    assert len(series) == 1
    values = series[0]["values"]
    assert values[-1] == pytest.approx(3000) and values[-2] == pytest.approx(5000)
    assert values[0] is None  # a month nobody bought in is "no data"


def test_the_nightly_step_stores_every_scope(cast, book):
    """The director's ("all"), each team lead's and each KAM's; a user gone is dropped."""
    StoredSnapshot.objects.create(name="dashboard", scope="user:999999", as_of=TODAY)
    assert dashboard_snapshots_store(as_of=TODAY) == {"scopes": 5}
    assert set(StoredSnapshot.objects.values_list("scope", flat=True)) == {
        "all", *(f"user:{u.pk}" for u in (cast.alice, cast.bob, cast.charlie, cast.lena))
    }  # fmt: skip
    StoredSnapshot.objects.filter(scope="all").update(data={"marker": 1, "version": VERSION})
    assert dashboard_figures(cast.mia, today=TODAY) == {"marker": 1, "version": VERSION}
    assert dashboard_figures(cast.mia, today=TODAY + dt.timedelta(days=3))["pyramid"]
    lena = dashboard_figures(cast.lena, today=TODAY)
    assert lena["pyramid"]["accounts"] == 3  # the east team: alice's three
    assert dashboard_figures(cast.alice, today=TODAY)["pyramid"]["accounts"] == 3


def _login(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("who", ["mia", "lena", "alice"])
def test_the_page_draws_each_chart_with_its_links(client, cast, book, who):
    _login(client, getattr(cast, who))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("pyramid", "pareto", "rfm", "migration", "cohorts", "categories"):
        assert f'data-dashboard-chart="{key}"' in html
    charts = {c.key: c for c in response.context["charts"]}
    first = {"mia": "pyramid", "lena": "forecast", "alice": "lights"}[who]
    assert response.context["charts"][0].key == first
    assert {"forecast", "renewals", "pace", "funnel", "lights", "nps", "compliance"} <= set(charts)
    assert "chartjs-chart-matrix.min.js" in html and "chartjs-chart-sankey.min.js" in html
    assert "guanxi/charts.js" in html  # the shared number format, on every admin page
    tier_link = charts["pyramid"].links[0]
    assert parse_qs(urlsplit(tier_link).query) == {"tier": [str(book["a"].pk)]}


def test_a_cell_link_opens_the_list_behind_it(client, cast, book):
    _login(client, cast.alice)
    charts = {c.key: c for c in client.get(reverse("admin:index")).context["charts"]}
    rfm = client.get(charts["rfm"].links[0])
    assert rfm.status_code == 200
    assert {a.pk for a in rfm.context["cl"].result_list} == {cast.account.pk, book["alice2"].pk}
    pareto = client.get(charts["pareto"].links[3])  # the 20 % mark
    assert {a.pk for a in pareto.context["cl"].result_list} == {cast.account.pk}
    tier = client.get(charts["pyramid"].links[0])
    assert {a.pk for a in tier.context["cl"].result_list} == {cast.account.pk}
    moved = [u for u, f in zip(charts["migration"].links,
                               charts["migration"].config["data"]["datasets"][0]["data"],
                               strict=True) if f["from"][1:] != f["to"][1:]]  # fmt: skip
    moves = client.get(moved[0])
    assert moves.status_code == 200
    assert {c.account_id for c in moves.context["cl"].result_list} == {book["alice2"].pk}
    month = TODAY.replace(day=1)
    cohort = client.get(reverse("dashboard_cohort"), {"cohort": add_months(month, -2), "k": 2})
    listed = client.get(cohort["Location"])
    assert {a.pk for a in listed.context["cl"].result_list} == {cast.account.pk}
    category = client.get(charts["categories"].links[0][-1])
    assert category.status_code == 200
    assert len(category.context["cl"].result_list) == 2


def test_the_export_writes_the_charts_rows(client, cast, book, english):
    _login(client, cast.mia)
    response = client.get(reverse("dashboard_export"), {"chart": "pyramid"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "tier"
    assert [r[1] for r in rows[1:]] == [1, 2, 1]
    export = client.get(reverse("dashboard_export"), {"chart": "categories"})
    cats = load_workbook(io.BytesIO(export.content)).active
    assert list(cats.iter_rows(values_only=True))[1][1] == "no data"
    assert client.get(reverse("dashboard_export"), {"chart": "nope"}).status_code == 400


def test_the_charts_of_other_pages_agree_with_those_pages(client, cast, book):
    _login(client, cast.mia)
    charts = {c.key: c for c in client.get(reverse("admin:index")).context["charts"]}
    counts = client.get(reverse("loyalty_lights")).context["counts"]
    assert [row[1] for row in charts["lights"].rows] == [counts["red"], counts["yellow"]]
    funnel_page = client.get(charts["funnel"].list_url).context["funnel"]
    assert [row[1] for row in charts["funnel"].rows] == [s.entered for s in funnel_page.steps]


def test_relationship_coverage_adds_up_and_each_band_opens_its_accounts(client, cast, book):
    boss = make_contact(account=cast.account, name="王总")
    buying_centre_member_set(account=cast.account, contact=boss, actor=cast.alice,
                             stance="supporter", buying_roles=["decision_maker"])  # fmt: skip
    score = AccountRelationshipHealth.objects.get(account=cast.account).score
    _login(client, cast.alice)
    charts = {c.key: c for c in client.get(reverse("admin:index")).context["charts"]}
    coverage = charts["coverage"]
    counts = dict(zip(coverage.config["data"]["labels"],
                      coverage.config["data"]["datasets"][0]["data"], strict=True))  # fmt: skip
    assert sum(counts.values()) == accounts_visible_to(cast.alice).count()
    band = next(i for i, (_k, low, high) in enumerate(COVERAGE_BANDS) if low <= score <= high)
    assert coverage.config["data"]["datasets"][0]["data"][band] == 1
    listed = client.get(coverage.links[band])
    assert [a.pk for a in listed.context["cl"].result_list] == [cast.account.pk]
    unscored = client.get(coverage.links[-1])
    assert cast.account.pk not in {a.pk for a in unscored.context["cl"].result_list}
    assert len(unscored.context["cl"].result_list) == coverage.rows[-1][1]
