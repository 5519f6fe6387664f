"""The reason of a warning light in words, in the reader's language, from the facts the
evaluator stored (`AccountLight.facts`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.formatting import join_words, money
from guanxi.loyalty.models import AccountLight, RuleKind


def _pct(value: float) -> str:
    return f"{round(float(value) * 100)}%"


def _palive(f: dict) -> str:
    return _(
        "P(alive) fell from %(before)s (analysis of %(then)s) to %(now)s (analysis of %(on)s)."
    ) % {
        "before": _pct(f["previous"]),
        "then": f["previous_on"],
        "now": _pct(f["current"]),
        "on": f["current_on"],
    }


def _spend(f: dict) -> str:
    return _(
        "Spend from %(first)s to %(last)s was %(now)s, down %(pct)s%% on %(before)s in the same "
        "months last year."
    ) % {
        "first": f["first"][:7],
        "last": f["last"][:7],
        "now": money(f["recent"]),
        "before": money(f["before"]),
        "pct": f["drop_pct"],
    }


def _champion(f: dict) -> str:
    names = join_words(c["name"] for c in f.get("contacts", []))
    return _("Our champion %(names)s has left the organisation.") % {"names": names}


def _complaint(f: dict) -> str:
    return _(
        "Complaint #%(case)s (opened %(opened)s) is still open past its resolution due time "
        "(%(due)s)."
    ) % {"case": f["case"], "opened": f["opened"], "due": f.get("due") or "—"}


def _detractor(f: dict) -> str:
    return _("Gave an NPS of %(score)s (a detractor) on %(on)s.") % {
        "score": f["score"],
        "on": f["on"],
    }


def _no_visit(f: dict) -> str:
    # The days are counted when read: facts that changed every night would rewrite every light.
    days = (timezone.localdate() - dt.date.fromisoformat(f["opened"])).days
    return _("No visit since the complaint #%(case)s of %(opened)s (%(days)s days ago).") % {
        "case": f["case"],
        "opened": f["opened"],
        "days": days,
    }


WORDS: dict[str, Callable[[dict], str]] = {
    RuleKind.PALIVE_DROP: _palive,
    RuleKind.SPEND_DROP: _spend,
    RuleKind.CHAMPION_GONE: _champion,
    RuleKind.COMPLAINT_OVERDUE: _complaint,
    RuleKind.DETRACTOR: _detractor,
    RuleKind.NO_VISIT_AFTER_FAILURE: _no_visit,
}


def reason_words(light: AccountLight) -> str:
    """The light's reason as a sentence (its rule's name when the facts say too little)."""
    say = WORDS.get(light.rule.kind)
    try:
        return say(light.facts) if say is not None else light.rule.label
    except (KeyError, TypeError, ValueError):
        return light.rule.label
