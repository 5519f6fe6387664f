"""The move of the touchpoint ledger out of `activities` keeps every row: a database at the old
schema, with data, is migrated and checked (on SQLite and on PostgreSQL, like every test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("activities", "0002_initial"),
    ("relationships", "0004_members_plural"),
    ("touchpoints", None),
]
WHEN = timezone.make_aware(dt.datetime(2026, 5, 4, 10, 30))


def _migrate(targets: list[tuple[str, str | None]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_data(apps) -> dict:
    """Rows as the old schema held them: a touchpoint fulfilling a task, with two contacts, its
    audit history, a second touchpoint without a task, a stage shown by the first one."""
    User = apps.get_model("core", "User")
    Account = apps.get_model("accounts", "Account")
    Contact = apps.get_model("contacts", "Contact")
    Touchpoint = apps.get_model("activities", "Touchpoint")
    HistoricalTouchpoint = apps.get_model("activities", "HistoricalTouchpoint")
    Task = apps.get_model("activities", "Task")
    StageEvent = apps.get_model("relationships", "RelationshipStageEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")

    kam = User.objects.create(username="mig-kam", role="kam", is_staff=True)
    account = Account.objects.create(code="MIG1", name="迁移测试客户", account_type="corporate",
                                     owner=kam)  # fmt: skip
    wang = Contact.objects.create(code="MIGC1", account=account, name="王总")
    li = Contact.objects.create(code="MIGC2", account=account, name="李经理")
    task = Task.objects.create(account=account, assignee=kam, kind="visit", title="拜访",
                               due_date=dt.date(2026, 5, 5), status="done",
                               completed_at=WHEN)  # fmt: skip
    visit = Touchpoint.objects.create(account=account, kind="visit", occurred_at=WHEN,
                                      logged_by=kam, subject="季度拜访", cost=Decimal("88.50"),
                                      task=task)  # fmt: skip
    visit.contacts.set([wang, li])
    call = Touchpoint.objects.create(account=account, kind="call", occurred_at=WHEN,
                                     logged_by=kam)  # fmt: skip
    HistoricalTouchpoint.objects.create(
        id=visit.pk, account=account, kind="visit", occurred_at=WHEN, logged_by=kam,
        subject="季度拜访", cost=Decimal("88.50"), created_at=WHEN, task=task,
        history_date=WHEN, history_type="+", history_user=kam,
    )  # fmt: skip
    stage = StageEvent.objects.create(account=account, contact=wang, stage="trust",
                                      reached_on=dt.date(2026, 5, 4), evidence=visit)  # fmt: skip
    # As a database created before the move has them (unapplying the move put them back).
    ContentType.objects.filter(app_label="touchpoints").delete()
    old_type, _ = ContentType.objects.get_or_create(app_label="activities", model="touchpoint")
    return {"account": account.pk, "task": task.pk, "visit": visit.pk, "call": call.pk,
            "contacts": {wang.pk, li.pk}, "stage": stage.pk, "type": old_type.pk}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_touchpoints_move_to_their_own_app_with_every_row_and_link():
    try:
        old = _old_data(_migrate(BEFORE))
        apps = _migrate(_latest())
    finally:
        _migrate(_latest())  # leave the schema as the other tests expect it
    Touchpoint = apps.get_model("touchpoints", "Touchpoint")
    HistoricalTouchpoint = apps.get_model("touchpoints", "HistoricalTouchpoint")
    Task = apps.get_model("activities", "Task")
    StageEvent = apps.get_model("relationships", "RelationshipStageEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")

    visit = Touchpoint.objects.get(pk=old["visit"])
    assert (visit.account_id, visit.kind, visit.occurred_at, visit.subject, visit.cost) == (
        old["account"],
        "visit",
        WHEN,
        "季度拜访",
        Decimal("88.50"),
    )
    assert set(visit.contacts.values_list("pk", flat=True)) == old["contacts"]
    assert Task.objects.get(pk=old["task"]).touchpoint_id == old["visit"]
    assert not Task.objects.filter(touchpoint_id=old["call"]).exists()
    assert StageEvent.objects.get(pk=old["stage"]).evidence_id == old["visit"]
    history = HistoricalTouchpoint.objects.get(id=old["visit"])
    assert (history.history_type, history.subject) == ("+", "季度拜访")
    moved = ContentType.objects.get(pk=old["type"])
    assert (moved.app_label, moved.model) == ("touchpoints", "touchpoint")
    # The tables carry the new app's names, and new rows still get fresh ids.
    tables = connection.introspection.table_names()
    assert "touchpoints_touchpoint" in tables and "activities_touchpoint" not in tables
    assert "touchpoints_touchpoint_contacts" in tables
    fresh = Touchpoint.objects.create(account_id=old["account"], kind="email", occurred_at=WHEN)
    assert fresh.pk > old["call"]
    if connection.vendor == "sqlite":
        # The foreign keys of other tables (stage evidence, task, contacts) follow the rename.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
