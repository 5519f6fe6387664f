"""Background jobs in the reader's language: a job's name and the figures of its summary.

A job's summary is stored as numbers under code keys (`core.jobs`); the jobs' admin pages show
them through these labels. A key not listed here is shown as its code."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from guanxi.core.formatting import join_words

JOB_NAMES = {
    "nightly": gettext_lazy("Nightly run"),
    "ledger_rollups": gettext_lazy("Ledger rollups"),
    "ledger_partitions": gettext_lazy("Ledger partitions"),
    "agreements_expire": gettext_lazy("Expire agreements"),
    "rebate_accruals": gettext_lazy("Rebate accruals"),
    "analytics": gettext_lazy("Value analysis"),
    "agreement_facts": gettext_lazy("Agreement facts for tiers"),
    "tiering": gettext_lazy("Tiering"),
    "tier_reevaluate": gettext_lazy("Re-evaluate tiers"),
    "discount_reviews": gettext_lazy("Discount reviews"),
    "policy_tasks": gettext_lazy("Policy tasks"),
    "survey_yearly": gettext_lazy("Yearly surveys"),
    "survey_events": gettext_lazy("Event surveys"),
    "renewal_risk": gettext_lazy("Renewal risk"),
    "warning_lights": gettext_lazy("Warning lights"),
    "loyalty_matrix": gettext_lazy("Loyalty matrix"),
    "referral_asks": gettext_lazy("Referral asks"),
    "odds_train": gettext_lazy("Deal odds model"),
    "case_escalation": gettext_lazy("Case escalation"),
    "duplicates_find": gettext_lazy("Candidate duplicates"),
}

SUMMARY_WORDS = {
    "as_of": pgettext_lazy("job summary", "as of"),
    "accounts": pgettext_lazy("job summary", "accounts"),
    "account_pairs": pgettext_lazy("job summary", "account pairs"),
    "agreements": pgettext_lazy("job summary", "agreements"),
    "already": pgettext_lazy("job summary", "already done"),
    "baseline_brier_score": pgettext_lazy("job summary", "Brier score of the base rate"),
    "brier_score": pgettext_lazy("job summary", "Brier score"),
    "by_scheme": pgettext_lazy("job summary", "per scheme"),
    "cancelled": pgettext_lazy("job summary", "cancelled"),
    "cells": pgettext_lazy("job summary", "cells"),
    "changes": pgettext_lazy("job summary", "changes"),
    "contact_pairs": pgettext_lazy("job summary", "contact pairs"),
    "cleared": pgettext_lazy("job summary", "cleared"),
    "created": pgettext_lazy("job summary", "created"),
    "deals": pgettext_lazy("job summary", "deals"),
    "events": pgettext_lazy("job summary", "events"),
    "expired": pgettext_lazy("job summary", "expired"),
    "flagged": pgettext_lazy("job summary", "flagged"),
    "full": pgettext_lazy("job summary", "every record"),
    "high": pgettext_lazy("job summary", "high"),
    "holdout": pgettext_lazy("job summary", "held out"),
    "key_accounts": pgettext_lazy("job summary", "key accounts"),
    "latent": pgettext_lazy("job summary", "latent loyalty"),
    "lost": pgettext_lazy("job summary", "lost"),
    "low": pgettext_lazy("job summary", "low"),
    "medium": pgettext_lazy("job summary", "medium"),
    "message": pgettext_lazy("job summary", "message"),
    "model": pgettext_lazy("job summary", "model"),
    "moved": pgettext_lazy("job summary", "moved"),
    "no_survey": pgettext_lazy("job summary", "no survey yet"),
    "no_template": pgettext_lazy("job summary", "no template"),
    "none": pgettext_lazy("job summary", "no loyalty"),
    "partitioned": pgettext_lazy("job summary", "partitioned"),
    "pending": pgettext_lazy("job summary", "pending"),
    "predicted": pgettext_lazy("job summary", "predicted"),
    "promoters": pgettext_lazy("job summary", "promoters"),
    "raised": pgettext_lazy("job summary", "raised"),
    "reassigned": pgettext_lazy("job summary", "reassigned"),
    "rebate": pgettext_lazy("job summary", "rebate"),
    "red": pgettext_lazy("job summary", "red"),
    "removed": pgettext_lazy("job summary", "removed"),
    "renewed": pgettext_lazy("job summary", "renewed"),
    "rescheduled": pgettext_lazy("job summary", "rescheduled"),
    "rescored_away": pgettext_lazy("job summary", "pairs no longer alike"),
    "rows": pgettext_lazy("job summary", "rows"),
    "rules": pgettext_lazy("job summary", "rules"),
    "run": pgettext_lazy("job summary", "run"),
    "schedules": pgettext_lazy("job summary", "schedules"),
    "seconds_read": pgettext_lazy("job summary", "seconds reading"),
    "seconds_write": pgettext_lazy("job summary", "seconds writing"),
    "sent": pgettext_lazy("job summary", "sent"),
    "skipped": pgettext_lazy("job summary", "skipped"),
    "skipped_blocks": pgettext_lazy("job summary", "blocks too large"),
    "spurious": pgettext_lazy("job summary", "spurious loyalty"),
    "status": pgettext_lazy("job summary", "status"),
    "steps": pgettext_lazy("job summary", "steps"),
    "tasks": pgettext_lazy("job summary", "tasks"),
    "tiers": pgettext_lazy("job summary", "tiers"),
    "transactions": pgettext_lazy("job summary", "transactions"),
    "true": pgettext_lazy("job summary", "true loyalty"),
    "unchanged": pgettext_lazy("job summary", "unchanged"),
    "updated": pgettext_lazy("job summary", "updated"),
    "won": pgettext_lazy("job summary", "won"),
    "written": pgettext_lazy("job summary", "written"),
    "yellow": pgettext_lazy("job summary", "yellow"),
}


def job_name(name: str) -> str:
    return str(JOB_NAMES.get(name, name))


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return number_format(value, decimal_pos=None if isinstance(value, int) else 2)
    if isinstance(value, dict):
        return "(" + summary_words(value) + ")"
    if isinstance(value, list):
        return join_words(_value(v) for v in value)
    return str(value)


def summary_words(summary: dict[str, Any], *, flat: bool = False) -> str:
    """A summary's figures as "label: value" in the reader's language; `flat` leaves out the
    nested ones (a list column has room for one line). A step of the nightly run is named by
    its job name; other keys that are codes (a tier, a rule) stay codes."""
    parts = []
    for key, value in summary.items():
        if flat and isinstance(value, dict | list):
            continue
        label = SUMMARY_WORDS.get(key) or JOB_NAMES.get(key) or key
        parts.append(f"{label}: {_value(value)}")
    return join_words(parts)
