"""The relationship map's legend: what the colours, sizes, markers and pips of a card mean.
The map draws it above the people (`map`), the map page shows it as a row of small inline SVGs
above the scrolling map."""

from __future__ import annotations

from django.utils.translation import gettext as _

from guanxi.relationships.map_card import (
    FONT,
    LEFT_COLOURS,
    RISK_COLOUR,
    STAGE_OFF,
    STAGE_ON,
    STANCE_COLOURS,
    esc,
    label,
    role_mark,
    text_width,
)
from guanxi.relationships.models import BuyingRole, RelationshipStage, StanceToUs


def legend_items() -> list[tuple[str, float]]:
    """(SVG fragment drawn at x=0, y=0 baseline, width) for each legend entry."""
    items: list[tuple[str, float]] = []

    def add(glyph: str, glyph_w: float, text: str) -> None:
        w = glyph_w + 4 + text_width(text, 11)
        items.append(
            (
                glyph + f'<text x="{glyph_w + 4:.0f}" y="0" font-size="11" fill="#374151">'
                f"{esc(text)}</text>",
                w,
            )
        )

    for stance, (colour, _tint) in STANCE_COLOURS.items():
        add(f'<circle cx="6" cy="-4" r="6" fill="{colour}"/>', 12, label(StanceToUs, stance))
    add(
        '<circle cx="4" cy="-4" r="3" fill="#9ca3af"/><circle cx="16" cy="-4" r="6" '
        'fill="#9ca3af"/>',
        22,
        _("size: influence 1–5"),
    )
    for role in BuyingRole.values:
        add(
            '<rect x="0" y="-12" width="14" height="14" rx="3" fill="#fff" stroke="#6b7280"/>'
            f'<text x="7" y="-1" text-anchor="middle" font-size="10">{esc(role_mark(role))}'
            "</text>",
            14,
            label(BuyingRole, role),
        )
    stages = " → ".join(label(RelationshipStage, s) for s in RelationshipStage.values)
    add(
        "".join(
            f'<circle cx="{4 + i * 10}" cy="-4" r="3.5" fill="{STAGE_ON if i < 2 else "#fff"}" '
            f'stroke="{STAGE_ON if i < 2 else STAGE_OFF}"/>'
            for i in range(4)
        ),
        40,
        stages,
    )
    add('<text x="0" y="0" font-size="12" fill="#d97706">★</text>', 12, _("rising star"))
    add(
        '<rect x="0" y="-11" width="18" height="12" rx="2" fill="#fff" stroke="#6b7280" '
        'stroke-dasharray="3 2"/>',
        18,
        _("external (another organisation)"),
    )
    add(
        f'<rect x="0" y="-11" width="18" height="12" rx="2" fill="{LEFT_COLOURS[1]}" '
        f'stroke="{LEFT_COLOURS[0]}" stroke-dasharray="3 2" opacity="0.6"/>',
        18,
        _("left the organisation"),
    )
    add(
        f'<circle cx="6" cy="-4" r="6" fill="{RISK_COLOUR}"/><text x="6" y="0" '
        'text-anchor="middle" font-size="9" font-weight="bold" fill="#fff">!</text>',
        12,
        _("a risk concerns this person"),
    )
    return items


def legend_html() -> str:
    """The legend as a row of small inline SVGs, for the page to show above the scrolling map
    (the map keeps its own legend for the downloads). Every text is escaped."""
    return "".join(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 8:.0f}" height="18" '
        f'viewBox="0 -14 {w + 8:.0f} 18" font-family="{FONT}" '
        f'style="display:inline-block;margin-right:12px">{fragment}</svg>'
        for fragment, w in legend_items()
    )
