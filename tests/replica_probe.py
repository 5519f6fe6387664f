"""Run by tests/test_read_replica.py in a subprocess whose DATABASE_URL is a real primary and
DATABASE_REPLICA_URL its streaming replica: migrate, write, read the account list with replay
paused on the replica, and print what each step saw as JSON (the test asserts on it).

Replay paused makes the replica's answer recognisable: an account written on the primary after
the pause is missing from a list served by the replica and present in one served by the primary.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import django


def _wait_for_replay(connections: Any) -> None:
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_insert_lsn()")
        lsn = cur.fetchone()[0]
    with connections["replica"].cursor() as cur:
        for _ in range(300):
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cur.fetchone()[0]:
                return
            cur.execute("SELECT pg_sleep(0.1)")
    raise TimeoutError("replica did not catch up")


def _replica_sql(connections: Any, sql: str) -> Any:
    with connections["replica"].cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0] if cur.description else None


def main() -> dict[str, Any]:
    django.setup()
    from django.core.management import call_command  # deferred: after django.setup()
    from django.db import connections  # deferred: after django.setup()
    from django.test import Client  # deferred: after django.setup()
    from django.test.utils import setup_test_environment  # deferred: after django.setup()
    from django.urls import reverse  # deferred: after django.setup()

    from guanxi.core.models import Role  # deferred: after django.setup()
    from tests.support import PASSWORD, make_account, make_user  # deferred: after django.setup()

    setup_test_environment()  # response.context, as under pytest
    call_command("migrate", interactive=False, verbosity=0)
    director = make_user("director", role=Role.MANAGER)
    before = make_account(owner=director, name="written before the pause")
    _wait_for_replay(connections)
    seen: dict[str, Any] = {"in_recovery": _replica_sql(connections, "SELECT pg_is_in_recovery()")}
    _replica_sql(connections, "SELECT pg_wal_replay_pause()")
    after = make_account(owner=director, name="written during the pause")
    url = reverse("admin:accounts_account_changelist")

    def listed(client: Client) -> dict[str, Any]:
        response = client.get(url)
        rows = response.context["cl"].result_list
        return {
            "status": response.status_code,
            "aliases": sorted({a._state.db for a in rows}),
            "has_before": any(a.pk == before.pk for a in rows),
            "has_after": any(a.pk == after.pk for a in rows),
        }

    client = Client()
    client.force_login(director)
    seen["list"] = listed(client)  # served by the paused replica
    login = client.post(reverse("admin:login"), {"username": "director", "password": PASSWORD})
    seen["login_status"] = login.status_code
    seen["list_after_write"] = listed(client)  # pinned to the primary
    _replica_sql(connections, "SELECT pg_wal_replay_resume()")
    _wait_for_replay(connections)
    del client.cookies["gx_primary"]
    seen["list_after_replay"] = listed(client)
    try:
        _replica_sql(connections, "CREATE TABLE written_on_replica (x int)")
        seen["replica_writable"] = True
    except django.db.Error:
        seen["replica_writable"] = False
    return seen


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    if not os.environ.get("DATABASE_REPLICA_URL"):
        sys.exit("DATABASE_REPLICA_URL is not set")
    print(json.dumps(main()))
