"""A nightly run and an import killed with SIGKILL, for real: their rows end up interrupted, the
next runs complete, and the data stays as the killed run's transactions left it.

The runs happen in child processes on a database they can see: the test database itself on
PostgreSQL (committed rows: transactional_db), a migrated SQLite file on SQLite (the test
database is in memory, out of a child's reach).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
CSV = "code,name,account_type,owner\n" + "".join(f"K{i},客户{i},mice,olga\n" for i in range(1, 7))

SETUP = """
import django, json, os, sys, time
django.setup()
from django.utils import timezone
from guanxi.imports import orm
from guanxi.imports.services import import_file
from guanxi.insights.models import AnalysisRun
from guanxi.tiers import services as tier_services
from guanxi.tiers.tasks import tiering_job
from guanxi.core.models import User
from guanxi.workspace import tasks
User.objects.get_or_create(username="olga")
tasks.NIGHTLY_STEPS = (("tiering", tiering_job),)  # the step that matters here, no analytics
"""

# Child 1, run twice (one process per run: on SQLite a stuck writer holds the file's lock):
# "import" stops inside an import after its first batch, "nightly" inside the nightly's tiering
# step, after starting an analysis run. Each prints "stuck" and waits to be killed.
KILLED = (
    SETUP
    + """
def stuck(*args, **kwargs):
    print("stuck", flush=True)
    time.sleep(600)

if sys.argv[2] == "import":
    def slow_process(frame, ctx, out, handle):
        def slow(row):
            if row["_line"] > 3:  # lines 2-3 are the first batch
                stuck()
            return handle(row)
        return original(frame, ctx, out, slow)
    original, orm._process = orm._process, slow_process
    import_file(kind="accounts", content=sys.argv[1].encode(), file_name="accounts.csv")
else:
    AnalysisRun.objects.create(observation_end=timezone.localdate())
    tier_services._tiering = stuck
    from guanxi.core.jobs import job_record
    job_record("nightly", tasks.nightly_job)
"""
)

# Child 2: the same import and the nightly again, untouched; then the command line's report
# (which marks what no new run started: the analysis) and every run's state as JSON.
NEXT = (
    SETUP
    + """
from guanxi.accounts.models import Account
from guanxi.commands.common import RUN_KINDS, report_interrupted
from guanxi.core.jobs import job_record
report = import_file(kind="accounts", content=sys.argv[1].encode(), file_name="accounts.csv")
assert report.ok, report.describe()
job_record("nightly", tasks.nightly_job)
notes = report_interrupted()
runs = {m.__name__: [(r.status, getattr(r, m.LEASE_NOTE_FIELD)) for r in m.objects.order_by("pk")]
        for m, _kind in RUN_KINDS}
history = [(h.history_type, h.history_change_reason) for h in Account.history.all()]
print(json.dumps({"runs": runs, "notes": notes, "accounts": Account.objects.count(),
                  "history": history, "run": report.run_id}))
"""
)


def _database_url(tmp_path: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'killed.sqlite3'}"


def _kill_when_stuck(what: str, env: dict[str, str]) -> int:
    """Start child 1 doing `what`; SIGKILL it once it is stuck mid-run; its process id."""
    child = subprocess.Popen([sys.executable, "-c", KILLED, CSV, what], cwd=ROOT, env=env,
                             text=True, stdout=subprocess.PIPE)  # fmt: skip
    try:
        ready, _w, _x = select.select([child.stdout], [], [], 120)
        assert ready, f"the {what} never got under way"
        assert child.stdout.readline().strip() == "stuck"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    return child.pid


def test_killed_runs_show_as_interrupted_and_the_next_ones_complete(tmp_path):
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path), "GUANXI_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "guanxi.settings", "GUANXI_IMPORT_BATCH_SIZE": "2",
           "GUANXI_RUN_HEARTBEAT_SECONDS": "1", "HUEY_IMMEDIATE": "1"}  # fmt: skip
    if connection.vendor == "sqlite":
        subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip
    import_pid = _kill_when_stuck("import", env)
    nightly_pid = _kill_when_stuck("nightly", env)

    done = subprocess.run([sys.executable, "-c", NEXT, CSV], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout.strip().splitlines()[-1])
    runs = state["runs"]
    # The killed runs: interrupted, saying which process ended; the next runs: succeeded.
    assert [s for s, _n in runs["ImportRun"]] == ["interrupted", "succeeded"]
    assert str(import_pid) in runs["ImportRun"][0][1]
    assert [s for s, _n in runs["TierRun"]] == ["interrupted", "succeeded"]
    assert [s for s, _n in runs["AnalysisRun"]] == ["interrupted"]
    jobs = sorted(s for s, _n in runs["JobRun"])
    assert jobs == ["interrupted", "interrupted", "succeeded", "succeeded"]  # nightly, tiering ×2
    assert all(str(nightly_pid) in note for s, note in runs["JobRun"] if s == "interrupted")
    # The command line named what it marked itself: the analysis no new run had started.
    assert len(state["notes"]) == 1 and state["notes"][0].startswith("note: analysis run #")
    # The killed import wrote nothing it did not finish (one transaction), the next one all of
    # it, each account with its audit row naming that import.
    assert state["accounts"] == 6
    assert state["history"] == [["+", f"import #{state['run']}"]] * 6
