"""The relationship map as a picture: an SVG drawn on the server, no JavaScript library.

`relationship_map_svg(centre, health=None)` returns a complete standalone <svg> document: a
header, a legend (`map_legend`) and the org chart of the account's buying centre (决策链) by
reporting line, laid out as tidy trees (`map_layout`), one card per person (`map_card`).
`account_map_svg(account)` reads and scores the buying centre first: the download and the API
serve it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.relationships.map_card import FONT, card_width, esc, person_svg
from guanxi.relationships.map_layout import layout, order_key
from guanxi.relationships.map_legend import legend_items
from guanxi.relationships.risks import relationship_health
from guanxi.relationships.selectors import BuyingCentre, Seat, buying_centre

# The document's geometry (px); the people's is in map_layout.
MARGIN = 16
HEADER_H = 30
LEGEND_ROW_H = 22


def _organisations(seats: list[Seat]) -> dict[int, str]:
    """Account names of external people (one query)."""
    ids = {s.contact_account_id for s in seats if s.external}
    if not ids:
        return {}
    return dict(Account.objects.filter(pk__in=ids).values_list("pk", "name"))


def _risk_notes(health: Any) -> dict[int, list[str]]:
    """contact → the sentences of the risks that concern them."""
    notes: dict[int, list[str]] = {}
    for risk in getattr(health, "risks", None) or []:
        for contact_id in risk.contact_ids or []:
            notes.setdefault(contact_id, []).append(str(risk.message))
    return notes


def _flow(items: list[tuple[str, float]], width: float) -> tuple[list[str], int]:
    """Lay legend entries left to right, wrapping at width; returns fragments and row count."""
    out, x, row = [], 0.0, 0
    for fragment, w in items:
        if x > 0 and x + w > width:
            x, row = 0.0, row + 1
        out.append(
            f'<g transform="translate({MARGIN + x:.0f},{HEADER_H + 16 + row * LEGEND_ROW_H})">'
            f"{fragment}</g>"
        )
        x += w + 18
    return out, row + 1


def account_map_svg(account: Account) -> str:
    """The account's map as a standalone SVG document: its buying centre read, scored for
    risks (the people a risk concerns are marked) and drawn. The download and the API serve it."""
    centre = buying_centre(account)
    return relationship_map_svg(centre, health=relationship_health(centre))


def relationship_map_svg(centre: BuyingCentre, *, health: Any = None) -> str:
    """The account's buying centre as a complete SVG document, texts in the active language."""
    seats = list(centre.seats)
    orgs = _organisations(seats)
    widths = {s.contact_id: card_width(s, orgs.get(s.contact_account_id, "")) for s in seats}
    plan = layout(seats, widths=widths)
    risks = _risk_notes(health)

    legend = legend_items()
    content_w = max(plan.width, 640.0)
    legend_w = max(content_w, 900.0)
    legend_parts, legend_rows = _flow(legend, legend_w)
    top = HEADER_H + 16 + legend_rows * LEGEND_ROW_H + 8
    width = max(content_w, legend_w) + 2 * MARGIN
    body_h = plan.height if seats else 40.0
    height = top + body_h + MARGIN

    title = _("Relationship map: %(account)s") % {"account": centre.account.name}
    header = f"{title} · {timezone.localdate():%Y-%m-%d}"
    score = getattr(health, "score", None)
    if score is not None:
        header += " · " + _("coverage %(score)s/100") % {"score": score}

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="relationship-map" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{FONT}" data-account="{centre.account.pk}" role="img" '
        f'aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{HEADER_H - 6}" font-size="16" font-weight="bold" '
        f'fill="#111827">{esc(header)}</text>',
        '<g class="legend">',
        *legend_parts,
        "</g>",
    ]
    if not seats:
        empty = _("No one on the buying centre yet.")
        out.append(
            f'<text x="{MARGIN}" y="{top + 24:.0f}" font-size="13" fill="#6b7280">'
            f"{esc(empty)}</text>"
        )
    else:
        out.append(f'<g class="people-chart" transform="translate({MARGIN},{top:.0f})">')
        if plan.lines:
            out.append(
                f'<path class="lines" d="{"".join(plan.lines)}" fill="none" stroke="#9ca3af" '
                f'stroke-width="1.5"/>'
            )
        for seat in sorted(seats, key=order_key):
            box = plan.boxes[seat.contact_id]
            out.append(
                person_svg(
                    seat,
                    x=box.x,
                    y=box.y,
                    w=box.w,
                    org=orgs.get(seat.contact_account_id, ""),
                    risks=risks.get(seat.contact_id, []),
                )
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
