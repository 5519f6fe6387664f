"""The house keeps its floors (ARCHITECTURE.md): no upward import, no import circle, no import
hidden inside a function without a reason."""

from __future__ import annotations

from tests import architecture


def test_no_import_runs_against_the_floors_or_in_a_circle():
    report = architecture.check()
    assert report.ok, "\n".join(["", *report.lines()])


def test_the_checker_sees_an_upward_import():
    # A domain module on floor 2 importing floor 7, and a door importing a higher app's door.
    up = architecture.Import("guanxi.accounts.services", "guanxi.tiers.models", 1, False, False)
    door = architecture.Import("guanxi.contacts.admin", "guanxi.tiers.admin_filters", 1, False,
                               False)  # fmt: skip
    sideways = architecture.Import("guanxi.touchpoints.selectors", "guanxi.transactions.models",
                                   1, False, False)  # fmt: skip
    assert architecture.violation(up)
    assert architecture.violation(door)
    assert architecture.violation(sideways)
    fine = architecture.Import("guanxi.tiers.admin", "guanxi.workspace.flows", 1, False, False)
    assert architecture.violation(fine) is None


def test_core_and_analytics_import_nothing_above_them():
    core = architecture.Import("guanxi.core.admin_mixins", "guanxi.accounts.models", 1, False,
                               False)  # fmt: skip
    maths = architecture.Import("guanxi.analytics.pipeline", "guanxi.core.dates", 1, False, False)
    assert architecture.violation(core) and architecture.violation(maths)
