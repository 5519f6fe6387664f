"""The sentence of a relationship risk, from its code and parameters, in the active language.

A risk is stored as data (`risks.Risk`: a code, plain JSON parameters — names, role and stage
codes, days, ISO dates — and the people concerned), so the stored rollup
(`AccountRelationshipHealth`) and the live computation say it with the same words, and a page in
Chinese says a risk stored while an English page was open in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.relationships.models import BuyingRole, RelationshipStage

UNCOVERED_ROLE = "uncovered_role"
SINGLE_CONTACT = "single_contact"
SINGLE_OWNER = "single_owner"
CHAMPION_INACTIVE = "champion_inactive"
CHAMPION_LEFT = "champion_left"
DECISION_MAKER_STAGE = "decision_maker_stage"


def _lower_first(text: str) -> str:
    """Lower-case a label's first letter inside a sentence (Chinese is unchanged)."""
    return text[:1].lower() + text[1:]


def role_words(role: str) -> str:
    try:
        return _lower_first(str(BuyingRole(role).label))
    except ValueError:
        return role


def stage_words(stage: str) -> str:
    try:
        return _lower_first(str(RelationshipStage(stage).label))
    except ValueError:
        return stage


def names_words(names: list[str]) -> str:
    return _(", ").join(names)


def days_words(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def last_touch_words(name: str, day: str | None) -> str:
    """A person and their last touchpoint (``day`` an ISO date, or None: never)."""
    if day is None:
        return _("%(name)s: never") % {"name": name}
    return _("%(name)s: last %(date)s") % {"name": name, "date": day}


def _uncovered_role(p: dict[str, Any]) -> str:
    if "people" not in p:
        return _("Nobody on the buying centre is mapped as %(role)s.") % {
            "role": role_words(p["role"])
        }
    return _(
        "Nobody holding the role %(role)s has had a touchpoint with us in %(days)s (%(people)s)."
    ) % {
        "role": role_words(p["role"]),
        "days": days_words(p["days"]),
        "people": _("; ").join(last_touch_words(name, day) for name, day in p["people"]),
    }


def _single_contact(p: dict[str, Any]) -> str:
    if "name" not in p:
        return _("Nobody on the buying centre is a champion or supporter.")
    return _(
        "All warm relationships run through one person: %(name)s. If they leave "
        "or cool towards us, nobody else on the buying centre speaks for us."
    ) % {"name": p["name"]}


def _single_owner(p: dict[str, Any]) -> str:
    return _(
        "Every warm relationship is owned by %(owner)s on our side (%(people)s); "
        "nobody else of ours knows these people."
    ) % {"owner": p["owner"], "people": names_words(p["people"])}


def _champion_inactive(p: dict[str, Any]) -> str:
    if p.get("days") is None:
        return _(
            "Our champion %(name)s has never had a touchpoint with us on record "
            "(the rule allows %(limit)s without one)."
        ) % {"name": p["name"], "limit": days_words(p["limit"])}
    return _(
        "Our champion %(name)s has had no touchpoint with us for %(days)s "
        "(last %(date)s; the rule allows %(limit)s)."
    ) % {
        "name": p["name"],
        "days": days_words(p["days"]),
        "date": p["date"],
        "limit": days_words(p["limit"]),
    }


def _champion_left(p: dict[str, Any]) -> str:
    return _(
        "Our champion %(name)s has left the organisation; find out who takes over their influence."
    ) % {"name": p["name"]}


def _decision_maker_stage(p: dict[str, Any]) -> str:
    params = {"stage": stage_words(p["stage"])}
    if "best" in p:
        return _(
            "No decision maker or approver has reached %(stage)s with us yet; best so far: "
            "%(name)s, %(best)s."
        ) % {**params, "name": p["name"], "best": stage_words(p["best"])}
    if p.get("unstaged"):
        return (
            _(
                "No decision maker or approver has reached %(stage)s with us yet; none has a "
                "relationship stage recorded."
            )
            % params
        )
    return (
        _(
            "No decision maker or approver has reached %(stage)s with us yet; nobody on the "
            "buying centre is mapped as one."
        )
        % params
    )


_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    UNCOVERED_ROLE: _uncovered_role,
    SINGLE_CONTACT: _single_contact,
    SINGLE_OWNER: _single_owner,
    CHAMPION_INACTIVE: _champion_inactive,
    CHAMPION_LEFT: _champion_left,
    DECISION_MAKER_STAGE: _decision_maker_stage,
}


def risk_message(code: str, params: dict[str, Any]) -> str:
    """The full sentence of a risk in the active language."""
    return _SENTENCES[code](params)
