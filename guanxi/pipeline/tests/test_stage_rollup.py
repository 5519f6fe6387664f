"""The funnel's rollup of the stage log (`StageEntryDay`): every write keeps it equal to a
rebuild from the log, and the funnel read from it equals the funnel grouped from the raw log
(the report's former query, kept here as the reference) for any period, actor and owner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Sum

from guanxi.accounts.selectors import visible_to
from guanxi.core.dates import local_midnight
from guanxi.pipeline.admin.lists import PipelineAdmin
from guanxi.pipeline.importer import opportunity_import
from guanxi.pipeline.models import (
    ClosedDealStage,
    Opportunity,
    Outcome,
    Pipeline,
    Stage,
    StageChange,
    StageEntryDay,
)
from guanxi.pipeline.reports import cents, closed_deals, funnel, win_loss
from guanxi.pipeline.selectors import default_pipeline
from guanxi.pipeline.services import (
    opportunity_create,
    opportunity_delete,
    opportunity_move,
    opportunity_update,
)
from guanxi.pipeline.stage_rollup import CLOSED_COLUMNS, stage_rollup_rebuild
from guanxi.pipeline.tests.conftest import local
from tests.support import make_account

D = dt.date


def rollup() -> dict[tuple, tuple[int, int, int]]:
    return {
        (r.day, r.stage_id, r.account_id, r.owner_id, r.previous): (r.entered, r.advanced, r.won)
        for r in StageEntryDay.objects.all()
    }


def closed_rollup() -> set[tuple]:
    return set(ClosedDealStage.objects.values_list(*[c for c in CLOSED_COLUMNS]))


def rebuilt() -> dict[tuple, tuple[int, int, int]]:
    stage_rollup_rebuild()
    return rollup()


def funnel_from_log(actor, *, start, end, owner=None) -> list[tuple[str, int, int, int]]:
    """The funnel as the report computed it before the rollup: every entry of the period
    grouped per request, with each deal's furthest position over its whole log."""
    pipeline = default_pipeline()
    entries = StageChange.objects.filter(
        to_stage__pipeline=pipeline,
        to_stage__outcome=Outcome.OPEN,
        changed_at__gte=local_midnight(start),
        changed_at__lt=local_midnight(end + dt.timedelta(days=1)),
    )
    deals = visible_to(Opportunity.objects.all(), actor, prefix="account__")
    if owner is not None:
        deals = deals.filter(owner_id=owner)
    entries = entries.filter(opportunity__in=deals.values("id"))
    sql, params = entries.values("opportunity_id", "to_stage_id").order_by().query.sql_with_params()
    stage, change = Stage._meta.db_table, StageChange._meta.db_table
    query = f"""
        SELECT e.to_stage_id, COUNT(*),
               SUM(CASE WHEN r.furthest > st.position THEN 1 ELSE 0 END), SUM(r.won)
        FROM (SELECT DISTINCT opportunity_id, to_stage_id FROM ({sql}) x) e
        JOIN {stage} st ON st.id = e.to_stage_id
        JOIN (SELECT sc.opportunity_id,
                     MAX(CASE WHEN s.outcome IN (%s, %s) THEN s.position END) AS furthest,
                     MAX(CASE WHEN s.outcome = %s THEN 1 ELSE 0 END) AS won
              FROM {change} sc JOIN {stage} s ON s.id = sc.to_stage_id
              WHERE sc.opportunity_id IN (SELECT opportunity_id FROM ({sql}) y)
              GROUP BY sc.opportunity_id) r ON r.opportunity_id = e.opportunity_id
        GROUP BY e.to_stage_id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, "open", "won", "won", *params])
        rows = {r[0]: (r[1], int(r[2] or 0), int(r[3] or 0)) for r in cursor}
    steps = pipeline.stages.filter(active=True, outcome=Outcome.OPEN).order_by("position", "id")
    return [(s.builtin, *rows.get(s.pk, (0, 0, 0))) for s in steps]


def from_rollup(actor, **period) -> list[tuple[str, int, int, int]]:
    return [(s.stage.builtin, s.entered, s.advanced, s.won) for s in funnel(actor, **period).steps]


@pytest.fixture
def story(cast, clock, stages, price):
    """Deals created, moved forward and back (re-entering a stage in another month), won,
    lost, reopened, handed to another owner and account, and deleted, on days across months
    and across local midnight."""
    alice, account = cast.alice, cast.account
    other = make_account(owner=cast.bob, name="东区另一家", team=cast.east)
    account.co_owners.add(cast.bob)  # so alice's deal may be handed to bob

    def new(name, day, stage="identify", actor=alice, on=account):
        clock.move_to(day)
        return opportunity_create(actor=actor, account=on, name=name, stage=stages[stage],
                                  expected_close=D(2026, 12, 31))  # fmt: skip

    def move(deal, day, stage, **kw):
        clock.move_to(day)
        return opportunity_move(actor=alice if deal.owner == alice else cast.mia,
                                opportunity=deal, stage=stages[stage], **kw)  # fmt: skip

    a = new("a", local(2026, 1, 5))
    move(a, local(2026, 1, 20), "contact")
    move(a, local(2026, 2, 3), "identify")  # back, into identify again in another month
    move(a, local(2026, 3, 9), "contact")
    move(a, local(2026, 3, 30), "won")
    b = new("b", local(2026, 1, 31, 23, 30))  # 31 January local, 15:30 UTC
    move(b, local(2026, 2, 1, 0, 30), "propose")
    move(b, local(2026, 2, 10), "lost", lost_reason=price)
    move(b, local(2026, 2, 11), "negotiate")  # reopened
    c = new("c", local(2026, 2, 14), "contact")
    move(c, local(2026, 2, 14, 15), "identify")
    move(c, local(2026, 2, 14, 16), "contact")  # twice into contact on one day
    clock.move_to(local(2026, 2, 20))
    opportunity_update(actor=cast.mia, opportunity=c, owner=cast.bob)
    d = new("d", local(2026, 3, 2), on=other, actor=cast.bob)
    e = new("e", local(2026, 3, 3))
    move(e, local(2026, 4, 1), "propose")
    clock.move_to(local(2026, 4, 2))
    opportunity_delete(actor=alice, opportunity=e)
    new("charlie's", local(2026, 2, 2), actor=cast.charlie, on=cast.west_account)
    clock.move_to(local(2026, 4, 3))
    opportunity_update(actor=cast.lena, opportunity=d, account=account)
    return a, b, c, d


def test_every_write_keeps_the_rollups_equal_to_a_rebuild(story):
    kept, closed = rollup(), closed_rollup()
    assert kept and all(n > 0 for n, _adv, _won in kept.values())
    assert {row[0] for row in closed} == {story[0].pk}  # a, won; b was reopened
    assert kept == rebuilt()
    assert closed == closed_rollup()


def test_closing_reopening_and_changing_a_closed_deal_keeps_its_win_loss_rows(cast, story):
    a, b, _c, _d = story
    opportunity_move(actor=cast.alice, opportunity=b, stage=Stage.objects.get(
        pipeline__is_default=True, builtin="won"), closed_on=D(2026, 4, 2))  # fmt: skip
    opportunity_update(actor=cast.mia, opportunity=a, amount="777", owner=cast.bob)
    kept = closed_rollup()
    rows = ClosedDealStage.objects.filter(opportunity=a)
    assert {(r.amount, r.owner_id) for r in rows} == {(777, cast.bob.pk)}
    assert {r.stage.builtin for r in rows.filter(reached=True)} == {"contact"}
    assert rebuilt() and closed_rollup() == kept


def test_a_deal_counts_once_per_stage_in_a_period_and_its_later_moves_count(cast, story):
    def steps(start, end):
        found = from_rollup(cast.alice, start=start, end=end)
        return {key: (n, advanced, won) for key, n, advanced, won in found}

    # identify: a (entered twice, counted once; won), b (went on, lost, reopened), c (went on
    # to contact; bob's now, on alice's account) and d (moved to alice's account, still there)
    assert steps(D(2026, 1, 1), D(2026, 3, 31))["identify"] == (4, 3, 1)
    # February: a again (its January entry is before the period) and c
    assert steps(D(2026, 2, 1), D(2026, 2, 28))["identify"] == (2, 2, 1)
    # b entered propose at 00:30 on 1 February, local time (still 31 January in UTC)
    assert steps(D(2026, 1, 1), D(2026, 1, 31))["propose"] == (0, 0, 0)
    assert steps(D(2026, 2, 1), D(2026, 2, 1))["propose"] == (1, 1, 0)


PERIODS = [
    (D(2026, 1, 1), D(2026, 12, 31)),
    (D(2026, 1, 1), D(2026, 1, 31)),
    (D(2026, 1, 31), D(2026, 2, 1)),
    (D(2026, 2, 1), D(2026, 2, 1)),
    (D(2026, 1, 21), D(2026, 3, 8)),
    (D(2026, 2, 3), D(2026, 3, 31)),
    (D(2026, 3, 10), D(2026, 4, 30)),
    (D(2026, 5, 1), D(2026, 5, 31)),
]


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "lena", "mia"])
def test_the_funnel_from_the_rollup_equals_the_funnel_from_the_log(cast, story, who):
    actor = getattr(cast, who)
    for start, end in PERIODS:
        assert from_rollup(actor, start=start, end=end) == funnel_from_log(
            actor, start=start, end=end
        ), (start, end)
        for owner in (cast.alice, cast.bob):
            period = {"start": start, "end": end, "owner": owner.pk}
            assert from_rollup(actor, **period) == funnel_from_log(actor, **period)


def win_loss_from_log(actor, *, start, end, owner=None):
    """Win/loss's stage-reached rates and stage cycle as the report grouped them from the log
    before the rollup: (reached rows, cycle rows, average cycle)."""
    closed = closed_deals(actor, start=start, end=end, owner=owner).order_by()
    reached = (
        StageChange.objects.filter(opportunity_id=OuterRef("pk"), to_stage__outcome=Outcome.OPEN)
        .order_by("-to_stage__position", "-id")
        .values("to_stage_id")[:1]
    )
    rows = (
        closed.annotate(reached=Subquery(reached))
        .values("reached", "outcome")
        .annotate(n=Count("id"), amount=Sum("amount"))
    )
    by_stage = sorted((r["reached"] or 0, r["outcome"], r["n"], cents(r["amount"])) for r in rows)
    cycle = (
        StageChange.objects.filter(opportunity__in=closed.values("id"), from_stage__isnull=False)
        .order_by()
        .values("from_stage_id")
        .annotate(n=Count("id"), total=Sum("seconds_in_from_stage"))
    )
    per_stage = sorted(
        (r["from_stage_id"], r["n"], round(r["total"] / r["n"] / 86_400, 1)) for r in cycle
    )
    n = closed.count()
    days = round(sum(r["total"] or 0 for r in cycle) / n / 86_400, 1) if n else None
    return by_stage, per_stage, days


def win_loss_from_rollup(actor, **period):
    report = win_loss(actor, **period)
    by_stage = sorted(
        (r.key or 0, o, n, amount)
        for r in report.by_stage_reached
        for o, n, amount in (("won", r.won, r.won_amount), ("lost", r.lost, None))
        if n
    )
    per_stage = sorted((r.stage.pk, r.changes, r.average_days) for r in report.by_stage_cycle)
    return by_stage, per_stage, report.cycle_days


@pytest.mark.parametrize("who", ["alice", "lena", "mia"])
def test_win_loss_from_the_rollup_equals_win_loss_from_the_log(cast, story, clock, stages,
                                                              price, who):  # fmt: skip
    a, b, c, d = story
    clock.move_to(local(2026, 5, 3))
    opportunity_move(actor=cast.alice, opportunity=b, stage=stages["won"])
    opportunity_move(actor=cast.mia, opportunity=c, stage=stages["lost"], lost_reason=price)
    opportunity_move(actor=cast.alice, opportunity=d, stage=stages["lost"], lost_reason=price)
    new = opportunity_create(actor=cast.alice, account=cast.account, name="lost at once",
                             stage=stages["lost"], lost_reason=price,
                             expected_close=D(2026, 5, 3))  # fmt: skip
    assert new.outcome == "lost"
    actor = getattr(cast, who)
    for start, end in [(D(2026, 1, 1), D(2026, 12, 31)), (D(2026, 3, 31), D(2026, 4, 30)),
                       (D(2026, 5, 3), D(2026, 5, 3))]:  # fmt: skip
        for owner in (None, cast.alice.pk, cast.bob.pk):
            period = {"start": start, "end": end, "owner": owner}
            expected = win_loss_from_log(actor, **period)
            by_stage, per_stage, days = win_loss_from_rollup(actor, **period)
            assert [row[:3] for row in by_stage] == [row[:3] for row in expected[0]]
            assert [row[3] for row in by_stage if row[1] == "won"] == [
                row[3] for row in expected[0] if row[1] == "won"
            ]
            assert (per_stage, days) == expected[1:]


def test_an_import_keeps_the_rollup(cast, clock):
    make_account(owner=cast.alice, code="A1", name="华东会展")
    content = (
        "客户编号,商机名称,预计成交日期,阶段,类型,金额,输单原因,关闭日期\n"
        "A1,年会,2027-03-31,propose,mice,180000,,\n"
        "A1,协议价,2027-01-15,contact,corporate_rate,60000,,\n"
        "A1,丢了,2026-05-01,lost,banquet,90000,price,2026-05-02\n"
    ).encode()
    result = opportunity_import(actor=cast.alice, content=content, file_name="deals.csv")
    assert result.created == 3
    kept = rollup()
    assert sum(n for n, _adv, _won in kept.values()) == 2  # the lost deal entered no open stage
    assert kept == rebuilt()
    period = {"start": D(2026, 6, 1), "end": D(2026, 6, 30)}
    assert from_rollup(cast.alice, **period) == funnel_from_log(cast.alice, **period)


def test_the_rebuild_reports_what_it_wrote(cast, story):
    StageEntryDay.objects.all().delete()
    result = stage_rollup_rebuild()
    assert result == {"rows": StageEntryDay.objects.count(),
                      "entries": sum(n for n, _a, _w in rollup().values()),
                      "closed_rows": ClosedDealStage.objects.count()}  # fmt: skip
    assert result["rows"] > 0


def test_reordering_the_stages_in_the_admin_rewrites_the_rollups(cast, story, rf):
    identify = Stage.objects.get(pipeline__is_default=True, builtin="identify")
    last = Stage.objects.filter(pipeline=identify.pipeline).order_by("-position").first()

    class Formset:  # what the pipeline page's stage inline saves: identify moved to the end
        model = Stage
        changed_objects = [(identify, ["position"])]
        forms: list = []

        def save(self):
            identify.position = last.position + 10
            identify.save()

    kept = rollup()
    PipelineAdmin(Pipeline, admin.site).save_formset(rf.post("/"), None, Formset(), True)
    assert rollup() != kept  # identify is now after contact: fewer went "on" from it
    assert rollup() == rebuilt()
