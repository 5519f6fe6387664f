"""The relationship map page of one account and its SVG download.

Both answer 404 for an account the user may not see. The page shows the organisation
relationship and the three relationship layers (组织关系 · 关键决策人关系 · 普遍客户关系), the map
(inline SVG from map.py), the coverage score and the risks in words (risks.py), the seats with
links to edit them, and forms to add a person or record a stage reached.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts.admin_base import visible_contacts
from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.contacts.models import Contact
from guanxi.relationships.map import account_map_svg, relationship_map_svg
from guanxi.relationships.map_card import role_mark
from guanxi.relationships.map_legend import legend_html
from guanxi.relationships.models import (
    STAGE_ORDER,
    BuyingRole,
    KotlerLevel,
    RelationshipRules,
    RelationshipStage,
    RelationshipStageEvent,
    SupplierStage,
)
from guanxi.relationships.risks import relationship_health, role_words, stage_words
from guanxi.relationships.selectors import BuyingCentre, buying_centre, last_touchpoints_of

SEARCH_LIMIT = 20


def visible_account(request: HttpRequest, account_id: int) -> Account:
    account = (
        accounts_visible_to(request.user).select_related("owner").filter(pk=account_id).first()
    )
    if account is None:
        raise Http404
    return account


def map_url(account_id: int) -> str:
    return reverse("admin:relationships_buyingcentremember_map", args=(account_id,))


def svg_filename(account: Account) -> str:
    code = re.sub(r"[^A-Za-z0-9_.-]+", "-", account.code or "").strip("-.") or str(account.pk)
    return f"relationship-map-{code}.svg"


def days_ago(when: dt.datetime | None, today: dt.date) -> str:
    """ "today", "3 days ago", "never"."""
    if when is None:
        return _("never")
    days = (today - timezone.localdate(when)).days
    if days <= 0:
        return _("today")
    return ngettext("%(n)s day ago", "%(n)s days ago", days) % {"n": days}


@dataclass
class Ladder:
    """A stage ladder for the header (一般 → 战略伙伴, or Kotler's five levels)."""

    steps: list[dict[str, Any]]
    current_label: str


def _ladder(choices: Any, current: str | None) -> Ladder:
    values = list(choices.values)
    at = values.index(current) if current in values else -1
    steps = [
        {"value": v, "label": label, "reached": i <= at, "current": i == at}
        for i, (v, label) in enumerate(choices.choices)
    ]
    return Ladder(steps=steps, current_label=str(choices(current).label) if at >= 0 else "—")


def _decision_layer(centre: BuyingCentre) -> list[dict[str, Any]]:
    """Approvers and decision makers with the stage reached (the key-decision-maker layer)."""
    rows = []
    for seat in centre.seats:
        if not seat.decides or not seat.is_active:
            continue
        roles = [role_words(r) for r in BuyingRole.values if r in seat.roles and r in (
            BuyingRole.APPROVER, BuyingRole.DECISION_MAKER)]  # fmt: skip
        # "叶东, decision maker (决策者)": the labels carry their Chinese in brackets already.
        who = _("%(name)s, %(roles)s") % {"name": seat.name, "roles": _(" and ").join(roles)}
        rows.append(
            {
                "seat": seat,
                "who": who,
                "roles": _(", ").join(roles),
                "stage": RelationshipStage(seat.stage).label if seat.stage else None,
                "rank": seat.stage_rank,
            }
        )
    rows.sort(key=lambda r: (-r["rank"], r["seat"].name))
    return rows


def _extensive_layer(centre: BuyingCentre, rules: RelationshipRules, today: dt.date) -> dict:
    """How many of the account's people (its active contacts and the people on its buying
    centre) we have a current relationship with: a touchpoint within the rules' days."""
    people = set(
        Contact.objects.filter(account=centre.account, is_active=True).values_list("pk", flat=True)
    )
    people |= {s.contact_id for s in centre.seats if s.is_active}
    touches = last_touchpoints_of(people)
    since = today - dt.timedelta(days=rules.current_within_days)
    current = sum(1 for t in touches.values() if timezone.localdate(t) >= since)
    days = rules.current_within_days
    days_text = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    return {"current": current, "total": len(people), "days": days, "days_text": days_text}


def _seat_rows(centre: BuyingCentre, today: dt.date, request: HttpRequest) -> list[dict]:
    here = map_url(centre.account.pk)
    evidence = {}
    for contact_id, evidence_id in (
        RelationshipStageEvent.objects.filter(account=centre.account)
        .order_by("reached_on", "id")
        .values_list("contact_id", "evidence_id")
    ):
        evidence[contact_id] = evidence_id  # the latest stage's evidence
    names = {s.contact_id: s.name for s in centre.seats}
    missing = {s.reports_to_id for s in centre.seats if s.reports_to_id} - set(names)
    names.update(Contact.objects.filter(pk__in=missing).values_list("pk", "name"))
    orgs = dict(
        Account.objects.filter(
            pk__in={s.contact_account_id for s in centre.seats if s.external}
        ).values_list("pk", "name")
    )
    stage_add = reverse("admin:relationships_relationshipstageevent_add")
    rows = []
    for seat in sorted(centre.seats, key=lambda s: (-s.influence, s.name, s.contact_id)):
        evidence_id = evidence.get(seat.contact_id)
        rows.append(
            {
                "seat": seat,
                "roles": [
                    {"mark": role_mark(r), "label": BuyingRole(r).label}
                    for r in BuyingRole.values
                    if r in seat.roles
                ],
                "attitude": seat.member.get_stance_display(),
                "stage": RelationshipStage(seat.stage).label if seat.stage else None,
                "evidence_url": reverse("admin:touchpoints_touchpoint_change", args=(evidence_id,))
                if evidence_id
                else None,
                "last_touch": days_ago(seat.last_touch_at, today),
                "organisation": orgs.get(seat.contact_account_id) if seat.external else None,
                "reports_to": names.get(seat.reports_to_id) if seat.reports_to_id else None,
                "edit_url": reverse(
                    "admin:relationships_buyingcentremember_change", args=(seat.member.pk,)
                )
                + "?"
                + urlencode({"next": here}),
                "remove_url": reverse(
                    "admin:relationships_buyingcentremember_delete", args=(seat.member.pk,)
                )
                + "?"
                + urlencode({"next": here}),
                "stage_url": stage_add
                + "?"
                + urlencode(
                    {"account": centre.account.pk, "contact": seat.contact_id, "next": here}
                ),  # fmt: skip
            }
        )
    return rows


def _search_people(request: HttpRequest, account: Account, seated: set[int], q: str):
    """People of other organisations the user may see, to add as external influencers."""
    if len(q) < 1:
        return []
    found = (
        visible_contacts(request.user)
        .exclude(account=account)
        .exclude(pk__in=seated)
        .filter(Q(name__icontains=q) | Q(title__icontains=q) | Q(account__name__icontains=q))
        .select_related("account")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )
    return list(found)


def map_context(request: HttpRequest, account: Account) -> dict[str, Any]:
    today = timezone.localdate()
    rules = RelationshipRules.current()
    centre = buying_centre(account)
    health = relationship_health(centre, rules=rules)
    svg = relationship_map_svg(centre, health=health)
    relationship = centre.relationship
    here = map_url(account.pk)
    seated = {s.contact_id for s in centre.seats}
    add_url = reverse("admin:relationships_buyingcentremember_add")
    unseated = list(
        Contact.objects.filter(account=account, is_active=True)
        .exclude(pk__in=seated)
        .order_by("name", "pk")
        .values("pk", "name", "title")
    )
    q = (request.GET.get("q") or "").strip()[:100]
    if relationship is not None:
        relationship_url = reverse(
            "admin:relationships_accountrelationship_change", args=(relationship.pk,)
        )
    else:
        relationship_url = reverse("admin:relationships_accountrelationship_add")
    relationship_url += "?" + urlencode({"account": account.pk, "next": here})
    deciders = _decision_layer(centre)
    target = STAGE_ORDER.get(rules.decision_maker_stage, 0)
    return {
        "account": account,
        "centre": centre,
        "health": health,
        "svg": mark_safe(svg),  # built by map.py, every text escaped there
        "legend": mark_safe(legend_html()),  # likewise
        "supplier": _ladder(SupplierStage, relationship.supplier_stage if relationship else None),
        "kotler": _ladder(KotlerLevel, relationship.kotler_level if relationship else None),
        "relationship": relationship,
        "relationship_url": relationship_url,
        "deciders": deciders,
        "deciders_at_target": sum(1 for d in deciders if d["rank"] >= target),
        "target_stage": stage_words(rules.decision_maker_stage),
        "extensive": _extensive_layer(centre, rules, today),
        "rows": _seat_rows(centre, today, request),
        "unseated": unseated,
        "add_url": add_url,
        "add_external_url": add_url + "?" + urlencode({"account": account.pk, "next": here}),
        "stage_url": reverse("admin:relationships_relationshipstageevent_add")
        + "?"
        + urlencode({"account": account.pk, "next": here}),
        "here": here,
        "q": q,
        "found": _search_people(request, account, seated, q),
        "svg_url": reverse("admin:relationships_buyingcentremember_map_svg", args=(account.pk,)),
        "png_name": svg_filename(account).removesuffix(".svg") + ".png",
        "account_url": reverse("admin:accounts_account_view_360", args=(account.pk,)),
    }


def map_view(request: HttpRequest, model_admin: Any, account_id: int) -> HttpResponse:
    account = visible_account(request, account_id)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Relationship map: %(account)s") % {"account": account.name},
        **map_context(request, account),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/relationships/buyingcentremember/map.html", context)


def map_svg_view(request: HttpRequest, model_admin: Any, account_id: int) -> HttpResponse:
    """The map as a standalone SVG file, for the account review meeting."""
    account = visible_account(request, account_id)
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + account_map_svg(account),
        content_type="image/svg+xml",
    )
    response["Content-Disposition"] = f'attachment; filename="{svg_filename(account)}"'
    return response
