"""Runs whose process is gone are marked interrupted (core.leases): when the next run of their
kind starts, when the list, the dashboard or the command line look. The real thing, a run
killed with SIGKILL in a child process, is tests/test_killed_runs.py."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from guanxi.commands.common import report_interrupted
from guanxi.core import leases
from guanxi.core.jobs import job_record
from guanxi.core.models import JobRun, JobStatus
from guanxi.imports.models import ImportRun, ImportStatus
from guanxi.insights.models import AnalysisRun, RunStatus
from guanxi.tiers.models import TierRun, TierRunStatus
from guanxi.tiers.services import tiering_run


@pytest.fixture
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _orphan(model: type, pid: int, **fields) -> object:
    """A run left "running" by process `pid` of this host."""
    last_beat = timezone.now() - dt.timedelta(minutes=1)
    return model.objects.create(host=leases.HOST, pid=pid, heartbeat_at=last_beat, **fields)


def test_a_new_run_marks_the_one_whose_process_died(db, dead_pid):
    old = _orphan(JobRun, dead_pid, name="nightly")
    assert job_record("nightly", lambda: {"ok": 1}) == {"ok": 1}
    old.refresh_from_db()
    assert old.status == JobStatus.INTERRUPTED
    assert str(dead_pid) in old.error and leases.HOST in old.error
    assert old.finished_at == old.heartbeat_at  # its last sign of life
    new = JobRun.objects.exclude(pk=old.pk).get()
    assert (new.status, new.pid, new.host) == (JobStatus.SUCCEEDED, os.getpid(), leases.HOST)


def test_a_run_whose_process_lives_is_left_running(db):
    run = _orphan(JobRun, os.getpid(), name="nightly")
    assert leases.reap(JobRun) == []
    run.refresh_from_db()
    assert run.status == JobStatus.RUNNING


def test_a_process_id_used_again_by_a_younger_process_is_not_the_run(db):
    # This test process started after the run did: it cannot be the run's process.
    run = _orphan(JobRun, os.getpid(), name="nightly")
    JobRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(days=30))
    if leases._proc_start(os.getpid())[0] is None:
        pytest.skip("no /proc here to tell when a process started")
    assert leases.reap(JobRun) == [run.pk]


def test_another_hosts_run_is_interrupted_only_once_its_heartbeat_is_stale(db, settings):
    settings.GUANXI_RUN_STALE_SECONDS = 300
    now = timezone.now()
    fresh, stale, legacy = (JobRun.objects.create(name=n, host="worker-2", pid=1) for n in "abc")
    JobRun.objects.filter(pk=fresh.pk).update(heartbeat_at=now)
    JobRun.objects.filter(pk=stale.pk).update(heartbeat_at=now - dt.timedelta(seconds=301))
    # Rows from before runs had a heartbeat: their start counts.
    JobRun.objects.filter(pk=legacy.pk).update(
        host="", pid=None, heartbeat_at=None, started_at=now - dt.timedelta(hours=1)
    )
    assert sorted(leases.reap(JobRun)) == sorted([stale.pk, legacy.pk])
    assert JobRun.objects.get(pk=fresh.pk).status == JobStatus.RUNNING
    assert "worker-2" in JobRun.objects.get(pk=stale.pk).error


def test_a_finished_run_keeps_its_own_ending(db, dead_pid):
    run = _orphan(TierRun, dead_pid, as_of=dt.date(2026, 1, 31), status=TierRunStatus.SUCCEEDED)
    assert leases.reap(TierRun) == []
    run.refresh_from_db()
    assert run.status == TierRunStatus.SUCCEEDED and run.error == ""


def test_every_kind_of_run_is_marked_when_its_next_run_starts(db, dead_pid):
    tier = _orphan(TierRun, dead_pid, as_of=dt.date(2026, 1, 31))
    imported = _orphan(ImportRun, dead_pid, kind="accounts", file_name="a.csv")
    analysis = _orphan(AnalysisRun, dead_pid, observation_end=dt.date(2026, 1, 31))
    assert tiering_run().status == TierRunStatus.SUCCEEDED
    ImportRun.objects.create(kind="accounts", file_name="b.csv")
    AnalysisRun.objects.create(observation_end=dt.date(2026, 2, 1))
    for run, status, note in ((tier, TierRunStatus.INTERRUPTED, "error"),
                              (imported, ImportStatus.INTERRUPTED, "message"),
                              (analysis, RunStatus.INTERRUPTED, "error")):  # fmt: skip
        run.refresh_from_db()
        assert run.status == status and str(dead_pid) in getattr(run, note)


def test_the_command_line_names_the_runs_it_marks(db, dead_pid, capsys):
    run = _orphan(ImportRun, dead_pid, kind="transactions", file_name="big.csv")
    lines = report_interrupted()
    assert len(lines) == 1 and f"import run #{run.pk} (big.csv)" in lines[0]
    assert lines[0] in capsys.readouterr().err
    assert report_interrupted() == []  # marked once


def test_the_job_list_shows_an_orphan_as_interrupted(client, cast, english, dead_pid):
    run = _orphan(JobRun, dead_pid, name="nightly")
    client.force_login(cast.mia)
    html = client.get("/admin/core/jobrun/?status__exact=interrupted").content.decode()
    assert f"/admin/core/jobrun/{run.pk}/change/" in html
    assert JobRun.objects.get(pk=run.pk).status == JobStatus.INTERRUPTED


def test_the_import_list_shows_an_orphan_as_interrupted(client, cast, english, dead_pid):
    run = _orphan(ImportRun, dead_pid, kind="accounts", file_name="a.csv")
    client.force_login(cast.mia)
    assert client.get("/admin/imports/importrun/").status_code == 200
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.INTERRUPTED


def test_the_dashboard_warns_when_the_last_night_was_interrupted(client, cast, english, dead_pid):
    job_record("nightly", lambda: {"steps": {}})
    _orphan(JobRun, dead_pid, name="nightly")  # the next night, killed
    client.force_login(cast.mia)
    html = client.get("/admin/").content.decode()
    assert 'data-notice="nightly-failed" data-status="interrupted"' in html
    assert "The nightly run was interrupted" in html
    assert "/admin/core/jobrun/?status__exact=interrupted" in html
    job_record("nightly", lambda: {"steps": {}})  # the night after went fine
    assert 'data-notice="nightly-failed"' not in client.get("/admin/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_moves_while_a_run_is_in_progress_and_stops_after(settings):
    settings.GUANXI_RUN_HEARTBEAT_SECONDS = 0.05
    run = JobRun.objects.create(name="long")
    first = run.heartbeat_at
    deadline = time.monotonic() + 10
    while JobRun.objects.get(pk=run.pk).heartbeat_at == first:
        assert time.monotonic() < deadline, "no heartbeat"
        time.sleep(0.05)
    JobRun.objects.filter(pk=run.pk).update(status=JobStatus.SUCCEEDED)
    while leases._thread is not None:
        assert time.monotonic() < deadline, "the heartbeat did not stop"
        time.sleep(0.05)
