"""Coverage score and relationship risks of an account's buying centre, in words.

`relationship_health(centre)` reads one `BuyingCentre` (see selectors.py) and says where the
relationship is thin: decision roles nobody covers, warm relationships that all run through one
person on either side, a champion gone quiet or gone, and no decision maker at the stage the
rules ask for. The coverage score (0–100) is the sum of four parts, each explained in words.
`relationship_health_for(account_ids)` does the same for many accounts in a fixed number of
queries; the stored rollup (health.py) keeps its answer per account for the pages and steps
that read many (Today, the account-list filter, renewal risk, the deal odds). A risk is data
(a code, JSON parameters, the people concerned); risk_words.py says it in the active language.

Only active seats count (a contact marked as left is not on the map any more), except for the
"champion left" risk, which is about exactly those. A person is *current* when they had a
touchpoint with us within `RelationshipRules.current_within_days`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from guanxi.relationships.models import (
    STAGE_ORDER,
    BuyingRole,
    RelationshipRules,
    StanceToUs,
)
from guanxi.relationships.risk_words import (
    CHAMPION_INACTIVE,
    CHAMPION_LEFT,
    DECISION_MAKER_STAGE,
    SINGLE_CONTACT,
    SINGLE_OWNER,
    UNCOVERED_ROLE,
    days_words,
    names_words,
    risk_message,
    role_words,
    stage_words,
)
from guanxi.relationships.selectors import (
    BuyingCentre,
    Seat,
    buying_centres,
    lean_buying_centres,
)

__all__ = [  # the codes and words are read from here by the pages and other apps
    "CHAMPION_INACTIVE",
    "CHAMPION_LEFT",
    "DECISION_MAKER_STAGE",
    "RISK_CODES",
    "SINGLE_CONTACT",
    "SINGLE_OWNER",
    "UNCOVERED_ROLE",
    "RelationshipHealth",
    "Risk",
    "relationship_health",
    "relationship_health_for",
    "role_words",
    "stage_words",
]

RISK_CODES = {
    UNCOVERED_ROLE: gettext_lazy("Decision role not covered"),
    SINGLE_CONTACT: gettext_lazy("Single-threaded: one contact"),
    SINGLE_OWNER: gettext_lazy("Single-threaded: one of our people"),
    CHAMPION_INACTIVE: gettext_lazy("Champion inactive"),
    CHAMPION_LEFT: gettext_lazy("Champion left"),
    DECISION_MAKER_STAGE: gettext_lazy("No decision maker at the target stage"),
}

# Points of each part of the coverage score (they add up to 100).
ROLES_POINTS, BREADTH_POINTS, DEPTH_POINTS, RECENCY_POINTS = 40, 20, 20, 20
BREADTH_FULL = 3  # warm, current people for all the breadth points
TOP_STAGE = max(STAGE_ORDER.values())


@dataclass
class Risk:
    code: str  # one of RISK_CODES
    params: dict[str, Any]  # plain JSON: names, role and stage codes, days, ISO dates
    contact_ids: list[int] = field(default_factory=list)  # the people concerned
    concerns_decider: bool = False  # the stage rule, or it names a decision maker or approver

    @property
    def message(self) -> str:
        """A full sentence in the active language naming people, roles, days."""
        return risk_message(self.code, self.params)

    @property
    def label(self) -> str:
        return str(RISK_CODES[self.code])


@dataclass
class ScorePart:
    label: str
    points: int
    out_of: int
    explanation: str


@dataclass
class RelationshipHealth:
    account_id: int
    score: int | None  # 0–100; None when the account has no buying centre yet
    parts: list[ScorePart] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)

    @property
    def codes(self) -> set[str]:
        return {r.code for r in self.risks}


def _names(seats: list[Seat]) -> str:
    return names_words([s.name for s in seats])


def _days(n: int) -> str:
    return days_words(n)


def _touch_day(seat: Seat) -> str | None:
    if seat.last_touch_at is None:
        return None
    return timezone.localdate(seat.last_touch_at).isoformat()


# --- The rules ----------------------------------------------------------------------------------


def _days_since_touch(seat: Seat, today: dt.date) -> int | None:
    if seat.last_touch_at is None:
        return None
    return (today - timezone.localdate(seat.last_touch_at)).days


def _is_current(seat: Seat, today: dt.date, rules: RelationshipRules) -> bool:
    days = _days_since_touch(seat, today)
    return days is not None and days <= rules.current_within_days


#: Read once: an enum's ``values`` is rebuilt on every access (a fifth of Today's
#: relationship-risk section for 400 buying centres).
ROLE_VALUES = frozenset(BuyingRole.values)


def _required_roles(rules: RelationshipRules) -> list[str]:
    return [r for r in dict.fromkeys(rules.required_roles or []) if r in ROLE_VALUES]


def _uncovered_roles(active: list[Seat], today, rules) -> list[Risk]:
    risks = []
    for role in _required_roles(rules):
        holders = [s for s in active if role in s.roles]
        if not holders:
            risks.append(Risk(UNCOVERED_ROLE, {"role": role}))
        elif not any(_is_current(s, today, rules) for s in holders):
            people = [[s.name, _touch_day(s)] for s in holders]
            params = {"role": role, "days": rules.current_within_days, "people": people}
            risks.append(Risk(UNCOVERED_ROLE, params, [s.contact_id for s in holders]))
    return risks


def _single_contact(active: list[Seat]) -> list[Risk]:
    warm = [s for s in active if s.warm]
    if len(active) < 2 or len(warm) > 1:
        return []
    if warm:
        return [Risk(SINGLE_CONTACT, {"name": warm[0].name}, [warm[0].contact_id])]
    return [Risk(SINGLE_CONTACT, {})]


def _single_owner(active: list[Seat]) -> list[Risk]:
    warm = [s for s in active if s.warm]
    owners = {s.owner.pk if s.owner is not None else None for s in warm}
    if len(warm) < 2 or len(owners) != 1 or None in owners:
        return []
    params = {"owner": str(warm[0].owner), "people": [s.name for s in warm]}
    return [Risk(SINGLE_OWNER, params, [s.contact_id for s in warm])]


def _champions_inactive(active: list[Seat], today, rules) -> list[Risk]:
    risks = []
    limit = rules.champion_inactive_days
    for seat in active:
        if seat.stance != StanceToUs.CHAMPION:
            continue
        days = _days_since_touch(seat, today)
        if days is not None and days < limit:
            continue
        params = {"name": seat.name, "limit": limit, "days": days, "date": _touch_day(seat)}
        risks.append(Risk(CHAMPION_INACTIVE, params, [seat.contact_id]))
    return risks


def _champions_left(seats: list[Seat]) -> list[Risk]:
    return [
        Risk(CHAMPION_LEFT, {"name": seat.name}, [seat.contact_id])
        for seat in seats
        if seat.stance == StanceToUs.CHAMPION and not seat.is_active
    ]


def _best_decider(active: list[Seat]) -> Seat | None:
    deciders = [s for s in active if s.decides and s.stage_rank > 0]
    if not deciders:
        return None
    return max(deciders, key=lambda s: (s.stage_rank, s.influence, -s.contact_id))


def _decision_maker_stage(active: list[Seat], rules) -> list[Risk]:
    target = rules.decision_maker_stage
    needed = STAGE_ORDER.get(target, 0)
    best = _best_decider(active)
    if best is not None and best.stage_rank >= needed:
        return []
    params: dict[str, Any] = {"stage": target}
    if best is not None:
        params.update(name=best.name, best=best.stage or "")
        concerned = [best.contact_id]
    elif any(s.decides for s in active):
        params["unstaged"] = True
        concerned = [s.contact_id for s in active if s.decides]
    else:
        concerned = []
    return [Risk(DECISION_MAKER_STAGE, params, concerned)]


# --- The score ----------------------------------------------------------------------------------


def _share(points: int, have: int, out_of: int) -> int:
    return round(points * have / out_of) if out_of else 0


def _covered_roles(active: list[Seat], today, rules) -> tuple[list[str], list[str]]:
    required = _required_roles(rules)
    covered = [
        r for r in required if any(r in s.roles and _is_current(s, today, rules) for s in active)
    ]
    return required, covered


def _roles_points(active: list[Seat], today, rules) -> int:
    required, covered = _covered_roles(active, today, rules)
    return _share(ROLES_POINTS, len(covered), len(required)) if required else ROLES_POINTS


def _roles_part(active: list[Seat], today, rules) -> ScorePart:
    required, covered = _covered_roles(active, today, rules)
    missing = [r for r in required if r not in covered]
    if not required:
        explanation = _("No decision roles are required by the rules.")
    else:
        explanation = ngettext(
            "%(covered)s of %(required)s decision role has someone touched within %(days)s.",
            "%(covered)s of %(required)s decision roles have someone touched within %(days)s.",
            len(required),
        ) % {
            "covered": len(covered),
            "required": len(required),
            "days": _days(rules.current_within_days),
        }
        if missing:
            explanation += " " + _("Not covered: %(roles)s.") % {
                "roles": _(", ").join(role_words(r) for r in missing)
            }
    points = _roles_points(active, today, rules)
    return ScorePart(str(_("Decision roles covered")), points, ROLES_POINTS, explanation)


def _warm_and_current(seat: Seat, today: dt.date, rules: RelationshipRules) -> bool:
    """Warm and touched within the rules' days; a champion only while not inactive (touched
    within the champion rule's days, when those are fewer)."""
    if not seat.warm or not _is_current(seat, today, rules):
        return False
    if seat.stance == StanceToUs.CHAMPION:
        days = _days_since_touch(seat, today)
        return days is not None and days < rules.champion_inactive_days
    return True


def _breadth_points(active: list[Seat], today, rules) -> int:
    warm = [s for s in active if _warm_and_current(s, today, rules)]
    points = _share(BREADTH_POINTS, min(len(warm), BREADTH_FULL), BREADTH_FULL)
    owners = {s.owner.pk for s in warm if s.owner is not None}
    if warm and len(owners) <= 1:
        points = min(points, BREADTH_POINTS // 2)
    return points


def _breadth_part(active: list[Seat], today, rules) -> ScorePart:
    """Warm, current people on their side, and how many of our people hold them: when they all
    run through one of ours, at most half the points."""
    warm = [s for s in active if _warm_and_current(s, today, rules)]
    n = len(warm)
    explanation = ngettext(
        "%(n)s champion or supporter touched within %(days)s; %(full)s or more earn every point.",
        "%(n)s champions or supporters touched within %(days)s; %(full)s or more earn every point.",
        n,
    ) % {"n": n, "days": _days(rules.current_within_days), "full": BREADTH_FULL}
    counted = {s.contact_id for s in warm}
    quiet = [  # champions gone quiet (the champion rule)
        s for s in active if s.warm and _is_current(s, today, rules) and s.contact_id not in counted
    ]
    if quiet:
        explanation += " " + _("Not counted, no touchpoint for %(days)s or more: %(names)s.") % {
            "days": _days(rules.champion_inactive_days),
            "names": _names(quiet),
        }
    if warm:
        explanation += " " + _("Warm: %(names)s.") % {"names": _names(warm)}
        owners: dict[int, str] = {}
        for s in warm:
            if s.owner is not None:
                owners.setdefault(s.owner.pk, str(s.owner))
        if len(owners) <= 1:
            explanation += " " + _(
                "On our side they all run through %(owner)s: at most half the points."
            ) % {"owner": next(iter(owners.values()), _("nobody"))}
        else:
            explanation += " " + _("On our side %(n)s of our people hold them: %(owners)s.") % {
                "n": len(owners),
                "owners": _(", ").join(owners.values()),
            }
    points = _breadth_points(active, today, rules)
    return ScorePart(str(_("Breadth of warm relationships")), points, BREADTH_POINTS, explanation)


def _depth_points(active: list[Seat], today, rules) -> int:
    best = _best_decider([s for s in active if _is_current(s, today, rules)])
    return _share(DEPTH_POINTS, best.stage_rank if best is not None else 0, TOP_STAGE)


def _depth_part(active: list[Seat], today, rules) -> ScorePart:
    """The furthest stage reached with a decision maker or approver who is current (touched
    within the rules' days); those further along but out of touch are named as not counted."""
    current = [s for s in active if _is_current(s, today, rules)]
    best = _best_decider(current)
    rank = best.stage_rank if best is not None else 0
    counted = {s.contact_id for s in current}
    out_of_touch = sorted(
        (s for s in active if s.decides and s.stage_rank > rank and s.contact_id not in counted),
        key=lambda s: (-s.stage_rank, s.name, s.contact_id),
    )
    days = _days(rules.current_within_days)
    if best is not None:
        explanation = _(
            "The furthest stage with a decision maker touched within %(days)s: %(stage)s "
            "(%(name)s)."
        ) % {"days": days, "stage": stage_words(best.stage or ""), "name": best.name}
    elif out_of_touch:
        explanation = _(
            "No decision maker or approver touched within %(days)s has a relationship stage "
            "recorded."
        ) % {"days": days}
    else:
        explanation = _("No decision maker or approver has a relationship stage recorded.")
    if out_of_touch:
        people = _("; ").join(
            _("%(name)s, %(stage)s") % {"name": s.name, "stage": stage_words(s.stage or "")}
            for s in out_of_touch
        )
        explanation += " " + _("Not counted, no touchpoint within %(days)s: %(people)s.") % {
            "days": days,
            "people": people,
        }
    points = _depth_points(active, today, rules)
    return ScorePart(str(_("Depth with decision makers")), points, DEPTH_POINTS, explanation)


def _recency_points(active: list[Seat], today, rules) -> int:
    current = [s for s in active if _is_current(s, today, rules)]
    return _share(RECENCY_POINTS, len(current), len(active))


def _recency_part(active: list[Seat], today, rules) -> ScorePart:
    current = [s for s in active if _is_current(s, today, rules)]
    explanation = ngettext(
        "%(current)s of %(total)s person on the buying centre touched within %(days)s.",
        "%(current)s of %(total)s people on the buying centre touched within %(days)s.",
        len(active),
    ) % {
        "current": len(current),
        "total": len(active),
        "days": _days(rules.current_within_days),
    }
    points = _recency_points(active, today, rules)
    return ScorePart(str(_("Recency")), points, RECENCY_POINTS, explanation)


# --- Entry points -------------------------------------------------------------------------------


def relationship_health(
    centre: BuyingCentre,
    *,
    rules: RelationshipRules | None = None,
    today: dt.date | None = None,
    words: bool = True,
) -> RelationshipHealth:
    """The coverage score, its parts and the risks of one buying centre. ``words=False``: the
    score without its parts explained (the stored rollup keeps no parts; the risks are data
    either way)."""
    account_id = centre.account.pk
    if not centre.seats:
        return RelationshipHealth(account_id=account_id, score=None)
    rules = rules or RelationshipRules.current()
    today = today or timezone.localdate()
    active = [s for s in centre.seats if s.is_active]
    deciders = {s.contact_id for s in centre.seats if s.decides}
    risks = [
        *_uncovered_roles(active, today, rules),
        *_single_contact(active),
        *_single_owner(active),
        *_champions_inactive(active, today, rules),
        *_champions_left(centre.seats),
        *_decision_maker_stage(active, rules),
    ]
    for risk in risks:
        risk.concerns_decider = risk.code == DECISION_MAKER_STAGE or not deciders.isdisjoint(
            risk.contact_ids
        )
    if not words:
        points = (_roles_points, _breadth_points, _depth_points, _recency_points)
        score = sum(f(active, today, rules) for f in points)
        return RelationshipHealth(account_id=account_id, score=score, risks=risks)
    parts = [
        _roles_part(active, today, rules),
        _breadth_part(active, today, rules),
        _depth_part(active, today, rules),
        _recency_part(active, today, rules),
    ]
    return RelationshipHealth(
        account_id=account_id,
        score=sum(p.points for p in parts),
        parts=parts,
        risks=risks,
    )


def relationship_health_for(
    account_ids: Collection[int], *, today: dt.date | None = None, words: bool = True
) -> dict[int, RelationshipHealth]:
    """account id → its RelationshipHealth, for many accounts in a fixed number of queries.
    ``words=False``: the score without its parts explained, from a lean read of the seats (the
    stored rollup).

    The caller applies the access rule (pass only ids the user may see)."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    rules = RelationshipRules.current()
    today = today or timezone.localdate()
    centres = buying_centres(ids) if words else lean_buying_centres(ids)
    return {
        pk: relationship_health(centre, rules=rules, today=today, words=words)
        for pk, centre in centres.items()
    }
