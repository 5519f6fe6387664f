"""One person's card on the relationship map: its texts (escaped, measured and cut to fit),
its colours and its SVG. The layout (`map_layout`) places cards by their width; the map
(`map`) draws them.

The card: a disc sized by influence (1–5) and filled by attitude, the name (★ for a rising
star), the title (and the organisation for an external person, whose card has a dashed border),
short role markers with the full role in a tooltip, four pips filled up to the relationship
stage with its name, and "our owner: NAME" under the card. People who left are grey and dashed,
marked "left". People a risk concerns carry a red "!" with the risk sentence. Every text is
XML-escaped; widths are estimated (CJK ≈ 1 em, Latin ≈ 0.6 em).
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guanxi.relationships.models import BuyingRole, RelationshipStage, StanceToUs
from guanxi.relationships.selectors import Seat

FONT = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif"

# Attitude: (disc and border colour, card tint).
STANCE_COLOURS = {
    StanceToUs.CHAMPION: ("#166534", "#dcfce7"),
    StanceToUs.SUPPORTER: ("#22c55e", "#f0fdf4"),
    StanceToUs.NEUTRAL: ("#9ca3af", "#f9fafb"),
    StanceToUs.SCEPTIC: ("#f59e0b", "#fffbeb"),
    StanceToUs.OPPONENT: ("#dc2626", "#fef2f2"),
}
LEFT_COLOURS = ("#9ca3af", "#f3f4f6")
STAGE_ON, STAGE_OFF = "#2563eb", "#bfdbfe"
RISK_COLOUR = "#dc2626"

# Short role markers (the brief: zh 批 决 支 影 用 把; en A D S I U G).
ROLE_MARKS = {
    BuyingRole.APPROVER: ("批", "A"),
    BuyingRole.DECISION_MAKER: ("决", "D"),
    BuyingRole.SUPPORTER: ("支", "S"),
    BuyingRole.INFLUENCER: ("影", "I"),
    BuyingRole.USER: ("用", "U"),
    BuyingRole.GATEKEEPER: ("把", "G"),
}
ROLE_ORDER = {role: i for i, role in enumerate(BuyingRole.values)}

# Card geometry (px).
CARD_H = 82
OWNER_H = 18  # the "our owner" line under the card
NODE_H = CARD_H + OWNER_H
MIN_W, MAX_W = 150, 280
TEXT_X = 52  # text column, right of the influence disc

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(value: Any) -> str:
    """Text or attribute value safe inside XML (and inline in HTML)."""
    return html.escape(_INVALID_XML.sub("", str(value)), quote=True)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width: CJK (and other wide) characters ≈ 1 em, the rest ≈ 0.6 em."""
    narrow = 0.64 if bold else 0.6
    return sum(size if _is_wide(ch) else size * narrow for ch in text)


def fit(text: str, size: float, max_width: float, *, bold: bool = False) -> str:
    """The text, cut with "…" when wider than max_width."""
    if text_width(text, size, bold=bold) <= max_width:
        return text
    out, width = [], text_width("…", size)
    for ch in text:
        width += size if _is_wide(ch) else size * (0.64 if bold else 0.6)
        if width > max_width:
            break
        out.append(ch)
    return "".join(out) + "…"


def _zh() -> bool:
    return not (get_language() or "zh-hans").startswith("en")


def role_mark(role: str) -> str:
    """A buying role's short marker on the card: 批 决 … in Chinese, A D … in English."""
    zh, en = ROLE_MARKS.get(role, ("?", "?"))
    return zh if _zh() else en


def label(choices: Any, value: str | None) -> str:
    """A choice's label in the active language; an unknown value as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def card_width(seat: Seat, org: str = "") -> float:
    """The card's width: wide enough for its longest line, between MIN_W and MAX_W."""
    name = seat.name + (" ★" if seat.rising_star else "")
    second = _second_line(seat, org)
    marks = len(seat.roles) * 19
    stage = 48 + text_width(_stage_text(seat), 11)
    inner = max(
        text_width(name, 14, bold=True) + (34 if not seat.is_active else 0),
        text_width(second, 11),
        marks,
        stage,
    )
    return round(min(MAX_W, max(MIN_W, TEXT_X + inner + 14)), 1)


def _second_line(seat: Seat, org: str) -> str:
    title = seat.title or ""
    if seat.external and org:
        return f"{org} · {title}" if title else org
    return title or "—"


def _stage_text(seat: Seat) -> str:
    return label(RelationshipStage, seat.stage) if seat.stage else _("no stage yet")


def person_svg(seat: Seat, *, x: float, y: float, w: float, org: str, risks: list[str]) -> str:
    """One person's card, `w` wide with its top-left corner at (x, y), as an SVG group (see the
    module docstring); `org` names an external person's organisation, `risks` are the risk
    sentences that concern them."""
    stroke, tint = (
        LEFT_COLOURS
        if not seat.is_active
        else STANCE_COLOURS.get(seat.stance, STANCE_COLOURS[StanceToUs.NEUTRAL])
    )
    inner = w - TEXT_X - 10
    role_names = [label(BuyingRole, r) for r in _roles(seat)]
    out = [
        f'<g class="person" data-contact="{seat.contact_id}" '
        f'data-stance="{esc(seat.stance)}" transform="translate({x:.1f},{y:.1f})"'
        + (' opacity="0.6"' if not seat.is_active else "")
        + ">",
        f"<title>{esc(chr(10).join(_tooltip(seat, org, role_names)))}</title>",
        _face(seat, w, inner, stroke, tint, org),
    ]
    if not seat.is_active:
        left_label = _("left")
        out.append(
            f'<text x="{w - 8:.1f}" y="18" text-anchor="end" font-size="11" fill="#6b7280" '
            f'class="left">{esc(left_label)}</text>'
        )
    out += _role_marks(seat, role_names, stroke)
    out.append(_stage_pips(seat, inner))
    if risks:
        out.append(_risk_mark(risks, w))
    out.append(_owner_line(seat, w))
    out.append("</g>")
    return "".join(out)


def _tooltip(seat: Seat, org: str, role_names: list[str]) -> list[str]:
    """The card's tooltip, one line each: who, where from, roles, attitude, influence, stage."""
    tip = [seat.name + (f" — {seat.title}" if seat.title else "")]
    if seat.external and org:
        tip.append(org)
    if not seat.is_active:
        tip.append(_("left"))
    attitude_label, influence_label = _("attitude"), _("influence")
    tip += [
        _(", ").join(role_names) or _("no buying role"),
        f"{attitude_label}: {label(StanceToUs, seat.stance)}",
        f"{influence_label}: {seat.influence}/5",
        _stage_text(seat)
        + (f" ({seat.stage_reached_on:%Y-%m-%d})" if seat.stage_reached_on else ""),
    ]
    if seat.rising_star:
        tip.append(_("rising star"))
    return tip


def _face(seat: Seat, w: float, inner: float, stroke: str, tint: str, org: str) -> str:
    """The card, its influence disc, the name (★ for a rising star) and the second line."""
    disc = LEFT_COLOURS[0] if not seat.is_active else stroke
    dashed = ' stroke-dasharray="5 3"' if (seat.external or not seat.is_active) else ""
    left_w = 34 if not seat.is_active else 0
    name = fit(seat.name, 14, inner - left_w - (16 if seat.rising_star else 0), bold=True)
    radius = 7 + 2.5 * max(1, min(5, seat.influence))
    return "".join(
        [
            f'<rect width="{w:.1f}" height="{CARD_H}" rx="8" fill="{tint}" stroke="{stroke}" '
            f'stroke-width="2"{dashed}/>',
            f'<circle cx="26" cy="{CARD_H / 2:.0f}" r="{radius:.1f}" fill="{disc}"/>',
            f'<text x="26" y="{CARD_H / 2 + 4:.0f}" text-anchor="middle" font-size="11" '
            f'font-weight="bold" fill="#fff">{seat.influence}</text>',
            f'<text x="{TEXT_X}" y="20" font-size="14" font-weight="bold" fill="#111827" '
            f'class="name">{esc(name)}'
            + ('<tspan fill="#d97706"> ★</tspan>' if seat.rising_star else "")
            + "</text>",
            f'<text x="{TEXT_X}" y="36" font-size="11" fill="#4b5563">'
            f"{esc(fit(_second_line(seat, org), 11, inner))}</text>",
        ]
    )


def _role_marks(seat: Seat, role_names: list[str], stroke: str) -> list[str]:
    """A short marker per buying role (批 决 …), the full role in its tooltip."""
    out = []
    for i, (role, full) in enumerate(zip(_roles(seat), role_names, strict=True)):
        x = TEXT_X + i * 19
        out.append(
            f'<g class="role" data-role="{esc(role)}"><title>{esc(full)}</title>'
            f'<rect x="{x}" y="44" width="16" height="16" rx="3" fill="#fff" stroke="{stroke}"/>'
            f'<text x="{x + 8}" y="56" text-anchor="middle" font-size="11" '
            f'fill="#111827">{esc(role_mark(role))}</text></g>'
        )
    return out


def _stage_pips(seat: Seat, inner: float) -> str:
    """Four pips filled up to the relationship stage, and the stage's name."""
    rank = seat.stage_rank
    pips = "".join(
        f'<circle cx="{TEXT_X + 4 + i * 11}" cy="71" r="4" '
        + (
            f'fill="{STAGE_ON}" stroke="{STAGE_ON}"/>'
            if i < rank
            else f'fill="#fff" stroke="{STAGE_OFF}"/>'
        )  # fmt: skip
        for i in range(4)
    )
    return (
        f'<g class="stage" data-stage="{esc(seat.stage or "")}">{pips}'
        f'<text x="{TEXT_X + 46}" y="75" font-size="11" fill="#1f2937">'
        f"{esc(fit(_stage_text(seat), 11, inner - 46))}</text></g>"
    )


def _risk_mark(risks: list[str], w: float) -> str:
    """The red "!" in the card's corner, the risk sentences in its tooltip."""
    return (
        f'<g class="risk"><title>{esc(chr(10).join(risks))}</title>'
        f'<circle cx="{w - 2:.1f}" cy="2" r="8" fill="{RISK_COLOUR}"/>'
        f'<text x="{w - 2:.1f}" y="6" text-anchor="middle" font-size="11" '
        f'font-weight="bold" fill="#fff">!</text></g>'
    )


def _owner_line(seat: Seat, w: float) -> str:
    """ "our owner: NAME" under the card: who on our side holds the relationship."""
    owner = str(seat.owner) if seat.owner is not None else "—"
    # Outside the f-string, where makemessages can find it.
    owner_line = _("our owner: %(name)s") % {"name": owner}
    return (
        f'<text x="{w / 2:.1f}" y="{CARD_H + 13}" text-anchor="middle" font-size="11" '
        f'fill="#374151" class="owner">{esc(fit(owner_line, 11, w))}</text>'
    )


def _roles(seat: Seat) -> list[str]:
    return sorted((r for r in seat.roles if r in ROLE_ORDER), key=lambda r: ROLE_ORDER[r])
