"""The job commands: `guanxi tier`, `tasks`, `nightly`, `tiers presets`, `worker`. Each prints a
short summary, records a JobRun, and answers bad arguments with a message and a non-zero exit."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from guanxi.activities.models import Task, TaskStatus
from guanxi.cli import main
from guanxi.core.models import JobRun, JobStatus
from guanxi.service.models import Case, SlaPolicy
from guanxi.service.services import case_open
from guanxi.tiers.models import AccountTier, DiscountReview, TierRun, TierRunStatus, TierScheme
from tests.support import make_account, make_contact, make_transaction

AS_OF = dt.date(2026, 6, 30)  # the tiers' month is May 2026


def at(day: dt.date, hour: int = 18) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def diners(cast):
    """Ten accounts dining for two years up to June 2026; in May 2026 two come 7 times (A),
    three 4 times (B), three twice (C), two once (no tier). One A bill in May is below the A
    floor (8.5折)."""
    accounts = [make_account(owner=cast.alice if i % 2 else cast.charlie) for i in range(10)]
    may_visits = [7, 7, 4, 4, 4, 2, 2, 2, 1, 1]
    wobble = (0.8, 1.2, 1.0, 1.4, 0.7, 1.1)
    for i, (account, n) in enumerate(zip(accounts, may_visits, strict=True)):
        make_contact(account=account, birthday=dt.date(1980, 7, 2 + i))
        day, k = dt.date(2024, 6, 1) + dt.timedelta(days=i), i
        while day < AS_OF:  # a visit every two to three weeks, May aside
            if day.month != 5 or day.year != 2026:
                amount = f"{(600 + 50 * i) * wobble[k % 6]:.2f}"
                make_transaction(account=account, when=at(day), amount=amount, head_count=6)
            day, k = day + dt.timedelta(days=14 + 3 * (i % 3)), k + 1
        for v in range(n):  # May: ¥1100 for 10 people a visit (¥110 a head)
            make_transaction(
                account=account, when=at(dt.date(2026, 5, 2 + 3 * v)), amount="1100.00",
                head_count=10, discount_rate=Decimal("0.800") if (i, v) == (0, 0) else None,
            )  # fmt: skip
    # and some who stopped coming or came once, as in any restaurant's book (the purchase model
    # needs to see both kinds to fit)
    for i in range(6):
        gone = make_account(owner=cast.alice)
        day = dt.date(2024, 7, 3) + dt.timedelta(days=20 * i)
        last = dt.date(2025, 3, 1) + dt.timedelta(days=30 * i) if i < 4 else day
        while day <= last:
            make_transaction(account=gone, when=at(day), amount=f"{400 + 90 * i}.00", head_count=4)
            day += dt.timedelta(days=12 + 5 * i)
    return accounts


def test_presets_are_listed_loaded_inactive_and_activated_on_request(db, capsys):
    assert main(["tiers", "presets"]) == 0
    out = capsys.readouterr().out
    assert "restaurant-monthly" in out and "clp-levels" in out and "pyramid" in out
    assert "lifecycle-004" in out  # lifecycle stage sets are presets too
    assert out.count("not loaded") == 6 and not TierScheme.objects.exists()

    assert main(["tiers", "presets", "--load", "restaurant-monthly"]) == 0
    out = capsys.readouterr().out
    scheme = TierScheme.objects.get()
    assert scheme.code == "restaurant-monthly" and not scheme.is_active
    assert "inactive" in out and "6 tiers" in out and "until activated" in out

    assert main(["tiers", "presets", "--all", "--activate"]) == 0
    assert set(TierScheme.objects.values_list("code", "is_active")) == {
        ("restaurant-monthly", True), ("clp-levels", True), ("pyramid", True),
        ("lifecycle-001", True), ("lifecycle-004", True), ("lifecycle-000", True),
    }  # fmt: skip
    assert main(["tiers", "presets", "--all"]) == 0  # again: nothing doubles
    assert TierScheme.objects.count() == 6


def test_presets_refuse_unknown_codes_and_activate_without_load(db, capsys):
    assert main(["tiers", "presets", "--load", "gold-club"]) == 2
    err = capsys.readouterr().err
    assert "no preset named gold-club" in err and "restaurant-monthly" in err
    assert main(["tiers", "presets", "--activate"]) == 2
    assert "--activate needs" in capsys.readouterr().err
    assert not TierScheme.objects.exists()
    with pytest.raises(SystemExit) as exc:
        main(["tiers"])  # argparse: usage and exit 2, no traceback
    assert exc.value.code == 2


@pytest.mark.parametrize("command", ["tier", "tasks", "nightly"])
def test_job_commands_reject_bad_and_future_dates(db, capsys, command):
    assert main([command, "--as-of", "30/06/2026"]) == 2
    assert "--as-of must be a date like 2026-06-30, not '30/06/2026'" in capsys.readouterr().err
    future = timezone.localdate() + dt.timedelta(days=1)
    assert main([command, "--as-of", future.isoformat()]) == 2
    assert "is in the future" in capsys.readouterr().err
    assert not JobRun.objects.exists() and not TierRun.objects.exists()


def test_tier_prints_the_tiers_per_scheme_and_records_the_job(diners, capsys):
    assert main(["tiers", "presets", "--load", "restaurant-monthly", "--activate"]) == 0
    capsys.readouterr()
    assert main(["tier", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "tiering: run #" in out and "as of 2026-06-30" in out and "8 tier changes" in out
    assert "restaurant-monthly: a-quality 2, b-quality 3, c-quality 3; changes: new 8" in out
    job = JobRun.objects.get(name="tiering")
    assert job.status == JobStatus.SUCCEEDED and job.summary["changes"] == 8
    assert main(["tier", "--as-of", AS_OF.isoformat()]) == 0  # nothing changed since
    assert "0 tier changes" in capsys.readouterr().out


def test_tier_without_an_active_scheme_says_how_to_get_one(diners, capsys):
    assert main(["tier", "--as-of", AS_OF.isoformat()]) == 0
    assert "no active tier scheme" in capsys.readouterr().out


def test_tasks_prints_what_the_policy_engine_did(diners, capsys):
    main(["tiers", "presets", "--load", "restaurant-monthly", "--activate"])
    main(["tier", "--as-of", AS_OF.isoformat()])
    capsys.readouterr()
    assert main(["tasks", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    created = Task.objects.filter(status=TaskStatus.OPEN).count()
    assert created > 0 and f"policy tasks: created {created}," in out
    assert JobRun.objects.get(name="policy_tasks").summary["created"] == created
    assert main(["tasks", "--as-of", AS_OF.isoformat()]) == 0
    assert "created 0," in capsys.readouterr().out


def test_escalate_runs_the_case_escalation_job_now_and_records_it(cast, capsys):
    SlaPolicy.objects.all().delete()
    SlaPolicy.objects.create(
        name="标准", name_en="Standard", is_default=True,
        first_response_hours=Decimal(4), resolution_hours=Decimal(72),
    )  # fmt: skip
    opened = dt.datetime(2025, 6, 16, 1, 0, tzinfo=dt.UTC)  # a Monday, 09:00 in Shanghai
    with time_machine.travel(opened, tick=False):
        case = case_open(actor=cast.alice, account=cast.account, kind="complaint", subject="Noise")
    with time_machine.travel(opened + dt.timedelta(hours=5), tick=False):  # past the first response
        assert main(["escalate"]) == 0
        out = capsys.readouterr().out
        assert "case escalation: 1 running cases checked, 1 escalated, 1 newly breached" in out
        case.refresh_from_db()
        assert case.escalation_level == 2 and case.first_response_breached
        job = JobRun.objects.get(name="case_escalation")
        assert job.status == JobStatus.SUCCEEDED
        assert job.summary == {"checked": 1, "escalated": 1, "breached": 1}
        assert main(["escalate"]) == 0  # again: a level is reached once
        assert "0 escalated, 0 newly breached" in capsys.readouterr().out
    assert JobRun.objects.filter(name="case_escalation").count() == 2
    assert Case.objects.get(pk=case.pk).escalation_level == 2


def test_nightly_runs_the_chain_in_order_and_prints_each_step(diners, capsys):
    main(["tiers", "presets", "--load", "restaurant-monthly", "clp-levels", "--activate"])
    capsys.readouterr()
    assert main(["nightly", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    lines = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert lines[:19] == [
        "ledger rollups", "agreements", "rebate accruals", "analytics", "agreement facts",
        "tiering", "discount reviews", "policy tasks", "yearly surveys", "event surveys",
        "relationship health", "renewal risk", "warning lights", "loyalty matrix",
        "referral asks", "deal odds", "duplicates", "dashboard", "ledger partitions",
    ]  # fmt: skip
    assert "16 accounts scored" in out and "clp-levels:" in out
    assert "discount reviews: 1 newly flagged, 1 waiting for review" in out
    review = DiscountReview.objects.get()
    assert review.account == diners[0] and review.floor == Decimal("0.850")
    assert Task.objects.filter(status=TaskStatus.OPEN).exists()
    names = JobRun.objects.order_by("started_at", "id").values_list("name", "status")
    assert list(names) == [
        ("nightly", JobStatus.SUCCEEDED), ("ledger_rollups", JobStatus.SUCCEEDED),
        ("agreements_expire", JobStatus.SUCCEEDED), ("rebate_accruals", JobStatus.SUCCEEDED),
        ("analytics", JobStatus.SUCCEEDED), ("agreement_facts", JobStatus.SUCCEEDED),
        ("tiering", JobStatus.SUCCEEDED), ("discount_reviews", JobStatus.SUCCEEDED),
        ("policy_tasks", JobStatus.SUCCEEDED), ("survey_yearly", JobStatus.SUCCEEDED),
        ("survey_events", JobStatus.SUCCEEDED), ("relationship_health", JobStatus.SUCCEEDED),
        ("renewal_risk", JobStatus.SUCCEEDED),
        ("warning_lights", JobStatus.SUCCEEDED), ("loyalty_matrix", JobStatus.SUCCEEDED),
        ("referral_asks", JobStatus.SUCCEEDED),
        ("odds_train", JobStatus.SUCCEEDED), ("duplicates_find", JobStatus.SUCCEEDED),
        ("dashboard_snapshots", JobStatus.SUCCEEDED),
        ("ledger_partitions", JobStatus.SUCCEEDED),
    ]  # fmt: skip


def test_a_failing_tiering_stops_the_nightly_run_and_leaves_no_half_tier_run(
    diners, capsys, monkeypatch
):
    """The first scheme is evaluated and written, then the second one fails: nothing of the
    run may stay, and the policy tasks must not be built on it."""
    from guanxi.tiers import services

    main(["tiers", "presets", "--load", "restaurant-monthly", "clp-levels", "--activate"])
    capsys.readouterr()
    real = services._evaluate_scheme
    seen: list[str] = []

    def second_fails(scheme, **kwargs):
        seen.append(scheme.code)
        if len(seen) == 2:
            assert AccountTier.objects.exists()  # the first scheme's rows were written …
            raise RuntimeError("disk full")
        return real(scheme, **kwargs)

    monkeypatch.setattr(services, "_evaluate_scheme", second_fails)
    assert main(["nightly", "--as-of", AS_OF.isoformat()]) == 1
    captured = capsys.readouterr()
    assert "step 'tiering' failed: RuntimeError: disk full" in captured.err
    assert (
        "not run: discount_reviews, policy_tasks, survey_yearly, survey_events, "
        "relationship_health, renewal_risk, warning_lights, loyalty_matrix, referral_asks, "
        "odds_train, duplicates_find, dashboard_snapshots, ledger_partitions" in captured.err
    )
    assert captured.out.startswith("ledger rollups:") and "\nanalytics:" in captured.out
    assert len(seen) == 2
    assert not AccountTier.objects.exists()  # … and rolled back with the rest
    assert TierRun.objects.get().status == TierRunStatus.FAILED
    assert not Task.objects.exists() and not DiscountReview.objects.exists()
    statuses = dict(JobRun.objects.values_list("name", "status"))
    assert statuses == {
        "nightly": JobStatus.FAILED, "ledger_rollups": JobStatus.SUCCEEDED,
        "agreements_expire": JobStatus.SUCCEEDED, "rebate_accruals": JobStatus.SUCCEEDED,
        "analytics": JobStatus.SUCCEEDED, "agreement_facts": JobStatus.SUCCEEDED,
        "tiering": JobStatus.FAILED,
    }  # fmt: skip
    assert "disk full" in JobRun.objects.get(name="tiering").error


def test_nightly_reports_an_analysis_that_cannot_run(db, capsys, english):
    assert main(["nightly", "--as-of", AS_OF.isoformat()]) == 1
    err = capsys.readouterr().err
    assert "step 'analytics' failed" in err and "no transactions up to 2026-06-30" in err
    assert (
        "not run: agreement_facts, tiering, discount_reviews, policy_tasks, survey_yearly, "
        "survey_events, relationship_health, renewal_risk, warning_lights, loyalty_matrix, "
        "referral_asks, odds_train, duplicates_find, dashboard_snapshots, ledger_partitions"
        in err
    )


def test_worker_says_where_the_queue_lives_and_runs_the_consumer(db, capsys, monkeypatch, settings):
    calls = []

    class Consumer:
        def run(self):
            calls.append("run")

    def consumer_for(huey, **options):
        calls.append({k: options[k] for k in ("workers", "periodic", "worker_type")})
        return Consumer()

    monkeypatch.setattr("guanxi.commands.server.consumer_for", consumer_for)
    settings.HUEY = {
        **settings.HUEY, "immediate": False, "filename": "/data/huey.sqlite3",
        "consumer": {"workers": 2, "worker_type": "thread"},
    }  # fmt: skip
    settings.HUEY.pop("url", None)
    assert main(["worker"]) == 0
    out = capsys.readouterr().out
    assert "queue in SQLite file /data/huey.sqlite3; 2 worker(s)" in out
    assert "02:00 Asia/Shanghai" in out
    assert calls == [{"workers": 2, "periodic": True, "worker_type": "thread"}, "run"]

    settings.HUEY = {**settings.HUEY, "url": "redis://:s3cret@10.0.0.5:6379/0"}
    settings.HUEY.pop("filename")
    assert main(["worker", "--workers", "4", "--no-scheduler"]) == 0
    out = capsys.readouterr().out
    assert "queue in Redis at redis://:***@10.0.0.5:6379/0; 4 worker(s)" in out
    assert "--no-scheduler" in out and "02:00" not in out
    assert "s3cret" not in out
    assert calls[-2:] == [{"workers": 4, "periodic": False, "worker_type": "thread"}, "run"]

    assert main(["worker", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_worker_refuses_to_start_in_immediate_mode(db, capsys):
    assert main(["worker"]) == 2  # tests run Huey in immediate mode
    assert "HUEY_IMMEDIATE is on" in capsys.readouterr().err


@pytest.fixture
def no_server(monkeypatch):
    """`guanxi serve` / `guanxi demo` up to the server, which is not started."""
    served = []
    monkeypatch.setattr("waitress.serve", lambda app, **kw: served.append(kw))
    monkeypatch.setattr(
        "guanxi.commands.serving.gunicorn_serve",
        lambda host, port, **kw: served.append({"host": host, "port": port, **kw}),
    )
    monkeypatch.setattr("guanxi.commands.common.migrate", lambda verbosity=0: None)
    return served


@pytest.fixture
def queued(monkeypatch, settings):
    """Huey as a server without HUEY_IMMEDIATE has it: jobs wait for a worker (tests run inline)."""
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", False)
    settings.HUEY = {**settings.HUEY, "immediate": False}
    return HUEY


def test_serve_says_to_run_a_worker_for_the_background_jobs(
    db, capsys, no_server, queued, monkeypatch
):
    monkeypatch.setenv("GUANXI_SERVE_PROCESSES", "3")
    assert main(["serve", "--addr", "127.0.0.1:8123"]) == 0
    out = capsys.readouterr().out
    assert "running at http://127.0.0.1:8123/" in out
    assert "run `guanxi worker` alongside (nightly chain at 02:00 Asia/Shanghai)" in out
    assert no_server == [{"host": "127.0.0.1", "port": 8123, "threads": 4, "processes": 3}]
    assert "gunicorn: 3 process(es) × 4 thread(s)" in out
    # one process: waitress, as on Windows
    assert main(["serve", "--addr", "127.0.0.1:8123", "--processes", "1", "--threads", "8"]) == 0
    assert no_server[-1] == {"host": "127.0.0.1", "port": 8123, "threads": 8}
    assert queued.immediate is False


def test_the_demo_server_runs_background_jobs_inline(db, capsys, monkeypatch, no_server, queued):
    from guanxi.tiers.tasks import tiering

    children = []
    # The data is built by `guanxi demo --no-serve` in a child process (see the next test).
    monkeypatch.setattr(subprocess, "call", lambda command: children.append(command) or 0)
    assert main(["demo", "--addr", "127.0.0.1:8124", "--accounts", "20", "--reset"]) == 0
    child = ["demo", "--no-serve", "--addr", "127.0.0.1:8124", "--accounts", "20", "--seed"]
    assert children == [[sys.executable, "-m", "guanxi.cli", *child, "2026", "--reset"]]
    out = capsys.readouterr().out
    assert "Background jobs run inline in the demo" in out and "`guanxi worker`" in out
    assert len(no_server) == 1
    # a job enqueued by the UI ("re-evaluate now") runs at once, recorded
    assert queued.immediate is True
    tiering(as_of=AS_OF)
    assert JobRun.objects.filter(name="tiering", status=JobStatus.SUCCEEDED).count() == 1


def test_the_demo_server_builds_nothing_in_the_process_that_forks(monkeypatch, no_server):
    # The build starts polars' thread pool, which does not survive gunicorn's fork: a worker's
    # first polars call (an upload to import) would hang. So the serving process builds nothing.
    from guanxi.demo import services

    monkeypatch.setattr(subprocess, "call", lambda command: 0)
    monkeypatch.setattr(services, "demo_build", lambda **kw: pytest.fail("built in the server"))
    monkeypatch.setattr("guanxi.commands.demo.demo_nightly", lambda: pytest.fail("nightly here"))
    assert main(["demo"]) == 0
    assert len(no_server) == 1


def test_the_demo_failing_to_build_does_not_serve(monkeypatch, no_server):
    monkeypatch.setattr(subprocess, "call", lambda command: 2)
    assert main(["demo"]) == 2
    assert no_server == []


def test_the_demo_without_serving_leaves_the_queue_alone(db, capsys, monkeypatch, queued):
    from guanxi.demo import services

    class Built:
        def describe(self):
            return "demo built"

    monkeypatch.setattr(services, "demo_build", lambda **kw: Built())
    monkeypatch.setattr("guanxi.commands.demo.demo_nightly", lambda: None)
    monkeypatch.setattr("guanxi.commands.common.migrate", lambda verbosity=0: None)
    assert main(["demo", "--no-serve"]) == 0
    assert "inline" not in capsys.readouterr().out
    assert queued.immediate is False


def _request_log(status: int, exc: Exception) -> logging.LogRecord:
    """Log a response the way Django's request handler does, through the configured loggers."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.log import log_response

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)
            self.format(record)  # what the console handler would print

    handler = Keep()
    logging.getLogger().addHandler(handler)
    try:
        try:
            raise exc
        except Exception as raised:
            log_response(
                "%s: %s", type(raised).__name__, "/admin/x/",
                response=HttpResponse(status=status), request=RequestFactory().get("/admin/x/"),
                exception=raised,
            )  # fmt: skip
    finally:
        logging.getLogger().removeHandler(handler)
    (record,) = records
    return record


def test_expected_4xx_answers_are_logged_in_one_line_and_5xx_keep_their_traceback():
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    for status, exc in ((403, PermissionDenied()), (404, Http404("no such account"))):
        record = _request_log(status, exc)
        assert record.levelno == logging.WARNING and record.exc_info is None
        text = logging.Formatter().format(record)
        assert "\n" not in text and "Traceback" not in text, text
    record = _request_log(500, ValueError("boom"))
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "Traceback" in logging.Formatter().format(record)
