"""Background jobs: every attempt leaves a JobRun; retries; the nightly chain's order and its stop
on failure; the schedule in local time; the queue's storage (SQLite by default, Redis by URL)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.contrib.djhuey import HUEY
from huey.utils import load_class

from guanxi.core.jobs import JobFailed, job_record, recorded_task
from guanxi.core.models import JobRun, JobStatus
from guanxi.settings import cache_config, huey_config
from guanxi.workspace import tasks as workspace_tasks

# ------------------------------------------------------------------ recording one attempt


def test_a_successful_job_records_its_summary_and_duration(db):
    summary = job_record(
        "sample",
        lambda *, n: {"as_of": dt.date(2026, 6, 30), "total": Decimal("1.50"), "n": n},
        n=3,
    )
    run = JobRun.objects.get()
    assert (run.name, run.status, run.attempt) == ("sample", JobStatus.SUCCEEDED, 1)
    assert run.summary == {"as_of": "2026-06-30", "total": "1.50", "n": 3} == summary
    assert run.finished_at is not None and run.duration_seconds >= 0
    assert run.error == ""


def boom_job(**kwargs):
    raise RuntimeError("the database went away")


def test_a_failed_job_records_the_error_with_its_traceback_and_re_raises(db):
    with pytest.raises(RuntimeError):
        job_record("sample", boom_job, attempt=2, final=False)
    run = JobRun.objects.get()
    assert (run.status, run.attempt) == (JobStatus.RETRYING, 2)
    assert run.error.startswith("RuntimeError: the database went away")
    assert "Traceback" in run.error and "boom_job" in run.error
    assert run.finished_at is not None


def test_a_partial_summary_of_a_failed_job_is_kept(db):
    def partial(**kwargs):
        raise JobFailed("step two failed", summary={"done": ["one"]})

    with pytest.raises(JobFailed):
        job_record("sample", partial)
    run = JobRun.objects.get()
    assert run.status == JobStatus.FAILED and run.summary == {"done": ["one"]}


# ------------------------------------------------------------------ retries through Huey

CALLS: list[int] = []


def flaky_job(*, fail_times: int) -> dict:
    CALLS.append(1)
    if len(CALLS) <= fail_times:
        raise ValueError(f"failure #{len(CALLS)}")
    return {"calls": len(CALLS)}


flaky = recorded_task("test_flaky", retries=2, retry_delay=0)(flaky_job)


@pytest.fixture
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


def test_jobs_run_inline_in_tests_on_an_in_memory_queue():
    assert HUEY.immediate
    assert type(HUEY.storage).__name__ == "MemoryStorage"


def test_a_job_that_fails_once_is_retried_and_both_attempts_are_visible(db, calls):
    flaky(fail_times=1)
    runs = list(JobRun.objects.filter(name="test_flaky").order_by("attempt"))
    assert [(r.attempt, r.status) for r in runs] == [
        (1, JobStatus.RETRYING),
        (2, JobStatus.SUCCEEDED),
    ]
    assert "failure #1" in runs[0].error and runs[1].summary == {"calls": 2}


def test_a_job_that_keeps_failing_ends_failed_after_its_retries(db, calls):
    result = flaky(fail_times=10)
    runs = list(JobRun.objects.filter(name="test_flaky").order_by("attempt"))
    assert [(r.attempt, r.status) for r in runs] == [
        (1, JobStatus.RETRYING),
        (2, JobStatus.RETRYING),
        (3, JobStatus.FAILED),
    ]
    assert "failure #3" in runs[-1].error and len(calls) == 3
    with pytest.raises(Exception, match="failure #3"):
        result.get()


def test_the_shipped_jobs_retry_twice_five_minutes_apart():
    from guanxi.activities.tasks import policy_tasks
    from guanxi.insights.tasks import analytics
    from guanxi.tiers.tasks import discount_reviews, tiering

    for task in (analytics, tiering, discount_reviews, policy_tasks, workspace_tasks.nightly):
        assert task.retries == 2 and task.retry_delay == 300, task.name


# ------------------------------------------------------------------ the nightly chain


@pytest.fixture
def fake_steps(monkeypatch):
    """Replace the four steps by recorders; `fail` names the step that raises."""
    order: list[tuple[str, dt.date]] = []
    state = {"fail": None}

    def step(name):
        def run(*, as_of, progress=False):
            order.append((name, as_of))
            if state["fail"] == name:
                raise RuntimeError(f"{name} broke")
            return {"step": name}

        return run

    steps = tuple((name, step(name)) for name, _fn in workspace_tasks.NIGHTLY_STEPS)
    monkeypatch.setattr(workspace_tasks, "NIGHTLY_STEPS", steps)
    return order, state


def test_the_nightly_order_puts_agreement_facts_before_tiering_and_renewal_risk_after_tasks():
    # Expiry first (the steps after it read what is in force), rebates before the analysis
    # (accrued rebates are cost to serve in lifetime profit).
    assert [name for name, _fn in workspace_tasks.NIGHTLY_STEPS] == [
        "ledger_rollups", "agreements_expire", "rebate_accruals", "analytics", "agreement_facts",
        "tiering", "discount_reviews", "policy_tasks", "survey_yearly", "survey_events",
        "relationship_health", "renewal_risk", "warning_lights", "loyalty_matrix",
        "referral_asks", "odds_train", "duplicates_find", "dashboard_snapshots",
        "ledger_partitions",
    ]  # fmt: skip


def test_nightly_runs_every_step_in_order_as_of_one_day_and_records_each(db, fake_steps):
    order, _state = fake_steps
    workspace_tasks.nightly(as_of=dt.date(2026, 6, 30))
    assert order == [
        (name, dt.date(2026, 6, 30))
        for name in (
            "ledger_rollups",
            "agreements_expire",
            "rebate_accruals",
            "analytics",
            "agreement_facts",
            "tiering",
            "discount_reviews",
            "policy_tasks",
            "survey_yearly",
            "survey_events",
            "relationship_health",
            "renewal_risk",
            "warning_lights",
            "loyalty_matrix",
            "referral_asks",
            "odds_train",
            "duplicates_find",
            "dashboard_snapshots",
            "ledger_partitions",
        )
    ]
    nightly = JobRun.objects.get(name="nightly")
    assert nightly.status == JobStatus.SUCCEEDED
    assert nightly.summary["as_of"] == "2026-06-30"
    assert set(nightly.summary["steps"]) == {n for n, _d in order}  # (JSONB keeps no order)
    steps = JobRun.objects.exclude(name="nightly")
    assert sorted(steps.values_list("name", "status")) == sorted(
        (n, JobStatus.SUCCEEDED) for n, _d in order
    )


def test_nightly_defaults_to_today_local_time(db, fake_steps, settings):
    import time_machine

    order, _state = fake_steps
    # 20:30 UTC on 29 June is 04:30 on 30 June in Shanghai
    with time_machine.travel(dt.datetime(2026, 6, 29, 20, 30, tzinfo=dt.UTC), tick=False):
        workspace_tasks.nightly_job()
    assert {d for _n, d in order} == {dt.date(2026, 6, 30)}


def test_a_failed_step_stops_the_chain_and_every_attempt_is_recorded(db, fake_steps, monkeypatch):
    order, state = fake_steps
    state["fail"] = "tiering"
    monkeypatch.setattr(workspace_tasks.nightly.task_class, "default_retry_delay", 0)
    workspace_tasks.nightly(as_of=dt.date(2026, 6, 30))
    # three attempts, each stopping at tiering: later steps never ran
    assert [n for n, _d in order] == [
        "ledger_rollups", "agreements_expire", "rebate_accruals", "analytics", "agreement_facts",
        "tiering",
    ] * 3  # fmt: skip
    assert not JobRun.objects.filter(name__in=["discount_reviews", "policy_tasks"]).exists()
    nightly = list(JobRun.objects.filter(name="nightly").order_by("attempt"))
    assert [(r.attempt, r.status) for r in nightly] == [
        (1, JobStatus.RETRYING), (2, JobStatus.RETRYING), (3, JobStatus.FAILED),
    ]  # fmt: skip
    last = nightly[-1]
    assert "step 'tiering' failed: RuntimeError: tiering broke" in last.error
    assert last.summary["failed"] == "tiering"
    assert last.summary["skipped"] == [
        "discount_reviews", "policy_tasks", "survey_yearly", "survey_events",
        "relationship_health", "renewal_risk", "warning_lights", "loyalty_matrix",
        "referral_asks", "odds_train", "duplicates_find", "dashboard_snapshots",
        "ledger_partitions",
    ]  # fmt: skip
    assert last.summary["steps"] == {
        "ledger_rollups": {"step": "ledger_rollups"},
        "agreements_expire": {"step": "agreements_expire"},
        "rebate_accruals": {"step": "rebate_accruals"},
        "analytics": {"step": "analytics"},
        "agreement_facts": {"step": "agreement_facts"},
    }
    tiering = list(JobRun.objects.filter(name="tiering").order_by("attempt"))
    assert [(r.attempt, r.status) for r in tiering] == [
        (1, JobStatus.RETRYING), (2, JobStatus.RETRYING), (3, JobStatus.FAILED),
    ]  # fmt: skip
    assert set(JobRun.objects.filter(name="analytics").values_list("status", flat=True)) == {
        JobStatus.SUCCEEDED
    }


# ------------------------------------------------------------------ the schedule


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        (dt.datetime(2026, 6, 29, 18, 0), True),  # 02:00 on 30 June in Shanghai
        (dt.datetime(2026, 6, 29, 18, 1), False),
        (dt.datetime(2026, 6, 30, 2, 0), False),  # 02:00 UTC is 10:00 in Shanghai
        (dt.datetime(2026, 6, 29, 17, 0), False),
    ],
)
def test_the_nightly_schedule_fires_at_the_local_hour_not_the_utc_hour(utc, due, settings):
    settings.TIME_ZONE, settings.GUANXI_NIGHTLY_HOUR = "Asia/Shanghai", 2
    assert workspace_tasks.nightly_due(utc) is due


def test_the_schedule_follows_the_configured_zone_and_hour_across_daylight_saving(settings):
    settings.TIME_ZONE, settings.GUANXI_NIGHTLY_HOUR = "Europe/Berlin", 3
    assert workspace_tasks.nightly_due(dt.datetime(2026, 1, 15, 2, 0))  # CET, UTC+1
    assert workspace_tasks.nightly_due(dt.datetime(2026, 7, 15, 1, 0))  # CEST, UTC+2
    assert not workspace_tasks.nightly_due(dt.datetime(2026, 7, 15, 2, 0))
    # an aware datetime is taken as it is
    cest = dt.timezone(dt.timedelta(hours=2))
    assert workspace_tasks.nightly_due(dt.datetime(2026, 7, 15, 3, 0, tzinfo=cest))


def test_the_consumer_finds_the_nightly_schedule_once_a_day(settings):
    settings.TIME_ZONE, settings.GUANXI_NIGHTLY_HOUR = "Asia/Shanghai", 2
    assert HUEY.utc  # the consumer hands naive UTC to the schedule
    day = dt.datetime(2026, 6, 29, 0, 0)
    fired = [
        day + dt.timedelta(minutes=m)
        for m in range(24 * 60)
        if any(
            t.name.endswith("nightly_schedule")
            for t in HUEY.read_periodic(day + dt.timedelta(minutes=m))
        )
    ]
    assert fired == [dt.datetime(2026, 6, 29, 18, 0)]


def test_the_schedule_enqueues_the_recorded_nightly_task(db, fake_steps):
    order, _state = fake_steps
    workspace_tasks.nightly_schedule.call_local()
    assert JobRun.objects.get(name="nightly").status == JobStatus.SUCCEEDED
    assert len(order) == len(workspace_tasks.NIGHTLY_STEPS)


# ------------------------------------------------------------------ the queue's storage


def build(config: dict):
    """The queue djhuey builds from a HUEY setting (huey.contrib.djhuey does exactly this)."""
    config = dict(config)
    name, cls = config.pop("name"), load_class(config.pop("huey_class"))
    config.pop("consumer")
    return cls(name, **config)


def test_the_queue_is_a_sqlite_file_in_the_data_dir_unless_redis_is_configured(tmp_path):
    config = huey_config(redis_url="", data_dir=tmp_path, immediate=False, workers=3)
    assert config["huey_class"] == "huey.SqliteHuey"
    assert config["filename"] == str(tmp_path / "huey.sqlite3")
    assert config["consumer"] == {"workers": 3, "worker_type": "thread"}
    queue = build(config)
    assert isinstance(queue, SqliteHuey) and (tmp_path / "huey.sqlite3").exists()

    config = huey_config(
        redis_url="redis://127.0.0.1:6379/15", data_dir=tmp_path, immediate=False, workers=2
    )
    assert config["huey_class"] == "huey.RedisHuey" and "filename" not in config
    assert isinstance(build(config), RedisHuey)
    immediate = build(huey_config(redis_url="", data_dir=tmp_path / "x", immediate=True, workers=1))
    assert immediate.immediate and not (tmp_path / "x").exists()


def test_a_task_goes_through_redis_and_a_real_consumer_worker(db, tmp_path):
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    config = huey_config(redis_url=url, data_dir=tmp_path, immediate=False, workers=1)
    config["name"] = f"guanxi-test-{uuid.uuid4().hex[:8]}"
    queue = build(config)
    assert not isinstance(queue, MemoryHuey)

    @queue.task(name="probe")
    def probe(n):
        return job_record("redis_probe", lambda *, n: {"doubled": 2 * n}, n=n)

    try:
        result = probe(21)
        assert queue.pending_count() == 1 and not JobRun.objects.exists()
        worker = queue.create_consumer(workers=1)._create_worker()
        worker.loop()
        assert result.get() == {"doubled": 42}
        run = JobRun.objects.get(name="redis_probe")
        assert run.status == JobStatus.SUCCEEDED and run.summary == {"doubled": 42}
    finally:
        queue.storage.flush_all()


# ------------------------------------------------------------------ what admins see


def test_managers_see_the_job_list_with_status_and_error_kams_do_not(client, cast, english):
    job_record("analytics", lambda: {"accounts": 12})
    with pytest.raises(RuntimeError):
        job_record("tiering", boom_job)
    client.force_login(cast.mia)
    page = client.get("/admin/core/jobrun/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "analytics" in html and "accounts: 12" in html
    assert "RuntimeError: the database went away" in html
    assert "failed" in html and "succeeded" in html
    failed = client.get("/admin/core/jobrun/?status__exact=failed").content.decode()
    assert "RuntimeError" in failed and "accounts: 12" not in failed
    only = client.get("/admin/core/jobrun/?name=analytics").content.decode()
    assert "accounts: 12" in only and "RuntimeError" not in only
    run = JobRun.objects.get(name="tiering")
    detail = client.get(f"/admin/core/jobrun/{run.pk}/change/").content.decode()
    assert "Traceback" in detail
    assert client.get("/admin/core/jobrun/add/").status_code == 403
    client.force_login(cast.alice)
    assert client.get("/admin/core/jobrun/").status_code == 403


def test_the_dashboard_tells_managers_when_the_last_nightly_run_failed(client, cast, english):
    client.force_login(cast.mia)
    assert 'data-notice="nightly-failed"' not in client.get("/admin/").content.decode()
    with pytest.raises(RuntimeError):
        job_record("nightly", boom_job)
    html = client.get("/admin/").content.decode()
    assert 'data-notice="nightly-failed"' in html and "The nightly run failed" in html
    assert "/admin/core/jobrun/?status__exact=failed" in html
    client.force_login(cast.alice)  # a KAM cannot act on it
    assert 'data-notice="nightly-failed"' not in client.get("/admin/").content.decode()
    client.force_login(cast.mia)
    job_record("nightly", lambda: {"steps": {}})  # the next night went fine
    assert 'data-notice="nightly-failed"' not in client.get("/admin/").content.decode()


def test_the_cache_every_process_shares_is_redis_or_files_and_memory_only_under_pytest(tmp_path):
    files = cache_config(redis_url="", data_dir=tmp_path, testing=False)["default"]
    assert files["BACKEND"].endswith("FileBasedCache")
    cache = FileBasedCache(files["LOCATION"], {})
    cache.add("k", 0)
    assert cache.incr("k") == 1 and (tmp_path / "cache").is_dir()
    url = "redis://127.0.0.1:6379/15"
    redis = cache_config(redis_url=url, data_dir=tmp_path, testing=False)["default"]
    assert redis["LOCATION"] == url
    shared = RedisCache(url, {})
    shared.delete("guanxi-test-k")
    shared.add("guanxi-test-k", 0)
    assert shared.incr("guanxi-test-k") == 1
    shared.delete("guanxi-test-k")
    memory = cache_config(redis_url=url, data_dir=tmp_path, testing=True)["default"]
    assert memory["BACKEND"].endswith("LocMemCache")
