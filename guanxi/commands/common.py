"""What several commands share: the database migrated before they run, dates on the
command line, jobs run by hand and the one-line summaries of their results."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from guanxi.core import leases
from guanxi.core.jobs import job_record
from guanxi.core.models import JobRun
from guanxi.imports.models import ImportRun
from guanxi.insights.models import AnalysisRun
from guanxi.tiers.models import TierRun


class CliError(Exception):
    """Bad arguments or state: print the message, exit 2, no traceback."""


def migrate(verbosity: int = 0) -> None:
    """Bring the database up to date (and create the SQLite folder) before any command runs."""
    db_name = settings.DATABASES["default"]["NAME"]
    directory = os.path.dirname(str(db_name))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and directory:
        os.makedirs(directory, exist_ok=True)
    # WhiteNoise serves from the apps' folders but expects STATIC_ROOT to exist.
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)


def jobs_inline() -> None:
    """Run Huey jobs where they are enqueued: the demo has no worker, and the UI's buttons that
    enqueue a job ("re-evaluate now") would otherwise wait for one forever."""
    HUEY.immediate = True  # also swaps the queue for an in-memory one
    settings.HUEY = {**settings.HUEY, "immediate": True}


def parse_as_of(value: str | None) -> dt.date | None:
    """--as-of as a date, not in the future; raises CliError with the message to print."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--as-of must be a date like 2026-06-30, not '{value}'") from None
    today = timezone.localdate()
    if day > today:
        raise CliError(f"--as-of {day} is in the future; use today ({today}) or earlier")
    return day


# The runs a killed process can leave behind, with how the command line names them.
RUN_KINDS = ((JobRun, "job"), (ImportRun, "import"), (AnalysisRun, "analysis"),
             (TierRun, "tiering"))  # fmt: skip


def report_interrupted() -> list[str]:
    """Mark the runs whose process was killed as interrupted and say so on stderr, before a
    command starts new ones: a crashed night is named, not silently left "running"."""
    lines = []
    for model, kind in RUN_KINDS:
        for run in model.objects.filter(pk__in=leases.reap(model)).order_by("pk"):
            name = getattr(run, "name", "") or getattr(run, "file_name", "")
            lines.append(
                f"note: {kind} run #{run.pk}{f' ({name})' if name else ''} started "
                f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M} was interrupted: "
                f"{getattr(run, model.LEASE_NOTE_FIELD)}"
            )
    for line in lines:
        print(line, file=sys.stderr)
    return lines


def run_job(name: str, fn: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """Run a job by hand, recorded like the scheduled ones (a JobRun row admins can see)."""
    report_interrupted()
    return job_record(name, fn, **kwargs)


def describe_ledger_rollups(summary: dict[str, Any]) -> str:
    return f"ledger rollups: {summary['accounts']} accounts as of {summary['as_of']}"


def describe_analytics(summary: dict[str, Any]) -> str:
    return (
        f"analytics: run #{summary['run']} as of {summary['as_of']}, "
        f"{summary['accounts']} accounts scored from {summary['transactions']} transactions"
    )


def describe_tiering(summary: dict[str, Any]) -> str:
    lines = [
        f"tiering: run #{summary['run']} as of {summary['as_of']}, {summary['accounts']} accounts,"
        f" {summary['changes']} tier changes"
    ]
    schemes = sorted(set(summary.get("tiers", {})) | set(summary.get("by_scheme", {})))
    if not schemes:
        lines.append("  no active tier scheme (guanxi tiers presets --all --activate loads some)")
    for code in schemes:
        moves = summary.get("by_scheme", {}).get(code, {})
        moved = ", ".join(f"{k} {moves[k]}" for k in ("new", "up", "down", "lost") if moves.get(k))
        tiers = ", ".join(f"{t} {n}" for t, n in summary.get("tiers", {}).get(code, {}).items())
        lines.append(f"  {code}: {tiers or 'no account in a tier'}; changes: {moved or 'none'}")
    return "\n".join(lines)


def describe_discounts(summary: dict[str, Any]) -> str:
    return (
        f"discount reviews: {summary['flagged']} newly flagged, "
        f"{summary['pending']} waiting for review"
    )


def describe_tasks(summary: dict[str, Any]) -> str:
    keys = ("created", "rescheduled", "reassigned", "cancelled", "unchanged")
    counts = ", ".join(f"{k} {summary[k]}" for k in keys if k in summary)
    return f"policy tasks: {counts}"


def describe_odds(summary: dict[str, Any]) -> str:
    if summary["status"] != "trained":
        return f"deal odds: no model ({summary['won']} won, {summary['lost']} lost closed deals)"
    if summary["brier_score"] is None:
        holdout = "holdout not measured (its earlier deals were all won or all lost)"
    else:
        holdout = (
            f"holdout Brier {summary['brier_score']:.3f} "
            f"(base rate alone {summary['baseline_brier_score']:.3f})"
        )
    return (
        f"deal odds: model #{summary['model']} from {summary['deals']} closed deals, "
        f"{holdout}, {summary['predicted']} open deals predicted"
    )


def describe_agreements_expire(summary: dict[str, Any]) -> str:
    return f"agreements: {summary['expired']} expired, {summary['renewed']} renewed automatically"


def describe_rebate_accruals(summary: dict[str, Any]) -> str:
    return (
        f"rebate accruals: {summary['schedules']} schedules, ¥{summary['rebate']:,.2f} accrued"
        f" as cost to serve"
    )


def describe_agreement_facts(summary: dict[str, Any]) -> str:
    return (
        f"agreement facts: {summary['accounts']} accounts covered by an agreement in force,"
        f" {summary['strategic']} by a strategic one"
    )


def describe_renewal_risk(summary: dict[str, Any]) -> str:
    return (
        f"renewal risk: {summary['agreements']} agreements ending soon scored"
        f" (high {summary['high']}, medium {summary['medium']}, low {summary['low']})"
    )


def describe_relationship_health(summary: dict[str, Any]) -> str:
    return (
        f"relationship health: {summary['accounts']} mapped buying centres scored,"
        f" {summary['with_risks']} with risks"
    )


def describe_warning_lights(summary: dict[str, Any]) -> str:
    return (
        f"warning lights: {summary['raised']} raised, {summary['cleared']} cleared;"
        f" {summary['red']} red and {summary['yellow']} yellow lit"
    )


def describe_loyalty_matrix(summary: dict[str, Any]) -> str:
    cells = summary["cells"]
    return (
        f"loyalty matrix: {summary['accounts']} accounts (true {cells['true']},"
        f" spurious {cells['spurious']}, latent {cells['latent']}, none {cells['none']},"
        f" no survey yet {cells['no_survey']})"
    )


def describe_referral_asks(summary: dict[str, Any]) -> str:
    return f"referral asks: {summary['tasks']} tasks for {summary['promoters']} promoters due one"


def describe_partitions(summary: dict[str, Any]) -> str:
    if not summary["partitioned"]:
        return "ledger partitions: the ledger is not partitioned, nothing to do"
    created = ", ".join(summary["created"]) or "none"
    return (
        f"ledger partitions: {summary['partitions']} in all; created {created};"
        f" {summary['moved']} rows moved out of the default partition"
    )


def describe_survey_yearly(summary: dict[str, Any]) -> str:
    return (
        f"yearly surveys: {summary['sent']} NPS links made for {summary['key_accounts']} key"
        f" accounts ({summary['already']} had this year's already)"
    )


def describe_survey_events(summary: dict[str, Any]) -> str:
    return (
        f"event surveys: {summary['sent']} CSAT links made after {summary['events']} MICE events"
        f" ({summary['already']} sent before)"
    )


def describe_dashboard_snapshots(summary: dict[str, Any]) -> str:
    return (
        f"dashboard: figures stored for {summary['scopes']} scopes"
        " (director, team leads, key account managers)"
    )


def describe_case_escalation(summary: dict[str, Any]) -> str:
    return (
        f"case escalation: {summary['checked']} running cases checked,"
        f" {summary['escalated']} escalated, {summary['breached']} newly breached"
    )


def describe_duplicates(summary: dict[str, Any]) -> str:
    scope = "every record" if summary["full"] else "records changed since the last run"
    return (
        f"duplicates: {summary['account_pairs']} account pairs, {summary['contact_pairs']}"
        f" contact pairs ({scope}); {summary.get('rescored_away', 0)} open pairs no longer"
        " alike left the queue"
    )


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "ledger_rollups": describe_ledger_rollups,
    "agreements_expire": describe_agreements_expire,
    "rebate_accruals": describe_rebate_accruals,
    "analytics": describe_analytics,
    "agreement_facts": describe_agreement_facts,
    "tiering": describe_tiering,
    "discount_reviews": describe_discounts,
    "policy_tasks": describe_tasks,
    "survey_yearly": describe_survey_yearly,
    "survey_events": describe_survey_events,
    "relationship_health": describe_relationship_health,
    "renewal_risk": describe_renewal_risk,
    "warning_lights": describe_warning_lights,
    "loyalty_matrix": describe_loyalty_matrix,
    "referral_asks": describe_referral_asks,
    "odds_train": describe_odds,
    "duplicates_find": describe_duplicates,
    "dashboard_snapshots": describe_dashboard_snapshots,
    "ledger_partitions": describe_partitions,
    "case_escalation": describe_case_escalation,  # every quarter hour, not a nightly step
}
