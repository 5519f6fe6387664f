"""The finder's nightly step: recorded under the finder's name, incremental after the first
night (only the blocks holding a record changed since the last successful run)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.core.jobs import job_record
from guanxi.core.models import JobRun, JobStatus
from guanxi.duplicates.models import Candidate
from guanxi.duplicates.tasks import duplicates_nightly_job
from guanxi.workspace.tasks import NIGHTLY_STEPS
from tests.support import make_account


def _night() -> dict:
    return job_record("duplicates_find", duplicates_nightly_job, as_of=dt.date(2026, 6, 30))


def _account_pairs() -> set:
    return set(Candidate.objects.values_list("account_a_id", "account_b_id"))


def test_the_step_runs_before_the_dashboard(db):
    names = [name for name, _fn in NIGHTLY_STEPS]
    assert names.index("duplicates_find") + 1 == names.index("dashboard_snapshots")
    assert dict(NIGHTLY_STEPS)["duplicates_find"] is duplicates_nightly_job


def test_first_night_reads_everything_then_only_what_changed(cast):
    a = make_account(owner=cast.alice, name="华彩医药有限公司")
    b = make_account(owner=cast.alice, name="上海华彩医药（集团）有限公司")
    first = _night()
    assert first["full"] is True and first["account_pairs"] == 1
    assert _account_pairs() == {(a.pk, b.pk)}

    # A pair neither of whose rows changed since the last run is not read again (the clock
    # moved back: everything so far happened three days ago, the last run after it) …
    old = timezone.now() - dt.timedelta(days=3)
    make_account(owner=cast.alice, name="信达物流有限公司")
    make_account(owner=cast.bob, name="信达物流")
    Account.objects.update(updated_at=old)
    JobRun.objects.filter(name="duplicates_find").update(started_at=old + dt.timedelta(hours=1))
    # … one with a row created since is.
    e = make_account(owner=cast.alice, name="恒瑞科技有限公司")
    f = make_account(owner=cast.bob, name="恒瑞科技股份有限公司")
    second = _night()
    assert second["full"] is False and second["account_pairs"] == 1
    assert _account_pairs() == {(a.pk, b.pk), (e.pk, f.pk)}
    runs = JobRun.objects.filter(name="duplicates_find").values_list("status", flat=True)
    assert list(runs) == [JobStatus.SUCCEEDED, JobStatus.SUCCEEDED]


def test_a_failed_run_does_not_move_the_start_on(cast):
    JobRun.objects.create(name="duplicates_find", status=JobStatus.FAILED)
    make_account(owner=cast.alice, name="华彩医药有限公司")
    make_account(owner=cast.alice, name="华彩医药")
    assert _night()["full"] is True


def test_an_incremental_night_scores_the_open_queue_again(cast):
    """Pairs queued by older rules (深圳市财政局 / 青岛市财政局, before places were read) leave
    the queue on the next night, though neither record changed; a true pair gets today's score,
    a decided pair is left alone."""
    seen = timezone.now() - dt.timedelta(days=3)
    sz = make_account(owner=cast.alice, name="深圳市财政局")
    qd = make_account(owner=cast.alice, name="青岛市财政局")
    gz = make_account(owner=cast.alice, name="广州市财政局")
    hc = make_account(owner=cast.alice, name="华彩医药有限公司")
    hc2 = make_account(owner=cast.alice, name="华彩医药股份有限公司")
    old = {"score": 91, "reasons": [["similar_names", {"score": 91}]], "found_at": seen}
    stale = Candidate.objects.create(kind="account", account_a=sz, account_b=qd, **old)
    decided = Candidate.objects.create(kind="account", account_a=sz, account_b=gz,
                                       status="dismissed", **old)  # fmt: skip
    true = Candidate.objects.create(kind="account", account_a=hc, account_b=hc2, **old)
    Account.objects.update(updated_at=seen)
    JobRun.objects.create(name="duplicates_find", status=JobStatus.SUCCEEDED, started_at=seen)

    summary = _night()

    assert summary["full"] is False and summary["rescored_away"] == 1
    assert not Candidate.objects.filter(pk=stale.pk).exists()
    decided.refresh_from_db()
    assert (decided.status, decided.score) == ("dismissed", 91)
    true.refresh_from_db()
    assert true.score >= 80 and true.reasons != old["reasons"]
