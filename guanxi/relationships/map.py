"""The relationship map as a picture: an SVG drawn on the server, no JavaScript library.

`relationship_map_svg(centre, health=None)` returns a complete standalone <svg> document: a
header, a legend and the org chart of the account's buying centre (决策链) by reporting line.

Layout (`layout(seats)`): a forest by reporting line (someone whose boss is not on the buying
centre is a root), drawn as tidy trees: each subtree gets its own band of width, children sit
side by side under their parent and the parent is centred over them, so no two boxes overlap.
A parent with many leaf reports (people with no reports of their own) gets them wrapped in a
grid of a few columns hung from a trunk line, so 200 people under one boss stay readable;
people in no reporting line at all are gathered in the same kind of grid after the trees.
A forest wider than MAX_WIDTH this way is drawn more compactly, step by step until it fits:
every group of two or more leaf reports in a column, then the lowest subtrees (two levels, then
three, …) as indented lists under their top person (the demo's 202 people: ~1,900 px wide
instead of 21,000).

Each person is a card: a disc sized by influence (1–5) and filled by attitude, the name (★ for
a rising star), the title (and the organisation for an external person, whose card has a dashed
border), short role markers with the full role in a tooltip, four pips filled up to the
relationship stage with its name, and "our owner: NAME" under the card. People who left are
grey and dashed, marked "left". People a risk concerns carry a red "!" with the risk sentence.
Every text is XML-escaped; widths are estimated (CJK ≈ 1 em, Latin ≈ 0.6 em).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guanxi.relationships.models import BuyingRole, RelationshipStage, StanceToUs
from guanxi.relationships.risks import relationship_health
from guanxi.relationships.selectors import BuyingCentre, Seat, buying_centre

if TYPE_CHECKING:
    from guanxi.accounts.models import Account

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

# Geometry (px).
MARGIN = 16
CARD_H = 82
OWNER_H = 18  # the "our owner" line under the card
NODE_H = CARD_H + OWNER_H
MIN_W, MAX_W = 150, 280
TEXT_X = 52  # text column, right of the influence disc
H_GAP = 24  # between sibling subtrees
V_GAP = 44  # between a parent and its reports
ROW_GAP = 28  # between rows of a wrapped group
TRUNK = 20  # room left of a wrapped group for its trunk line
WRAP_AT = 2  # more leaf reports than this hang in a column (or a few) under their boss …
WRAP_COLS = 6  # … at most this many columns wide (200 people under one boss: 34 rows)
MAX_WIDTH = 4800  # a wider tidy tree is made compact (see `layout`)
INDENT = 28  # a report's indent in a compact (outline) subtree
OUTLINE_GAP = 14  # between the cards of an outline
HEADER_H = 30
LEGEND_ROW_H = 22

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
    zh, en = ROLE_MARKS.get(role, ("?", "?"))
    return zh if _zh() else en


def _label(choices: Any, value: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


# --- layout -------------------------------------------------------------------------------------


@dataclass
class Box:
    """Where one person's card goes; (x, y) is its top-left corner, h includes the owner line."""

    contact_id: int
    x: float = 0.0
    y: float = 0.0
    w: float = MIN_W
    h: float = NODE_H
    parent: int | None = None
    depth: int = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class _Node:
    key: int | None  # None: the virtual root above the forest
    w: float
    kids: list[_Node] = field(default_factory=list)
    trees: list[_Node] = field(default_factory=list)  # children laid out side by side
    grid: list[_Node] = field(default_factory=list)  # leaf children wrapped in rows
    cols: int = 0
    cell: float = 0.0
    span: float = 0.0  # width of the band the subtree needs
    children_span: float = 0.0
    centre: float = 0.0  # where the node's centre goes, from the left of its band
    grid_left: float = 0.0
    x: float = 0.0
    y: float = 0.0
    height: int = 0  # levels of reports below (0 for a leaf)
    outline: bool = False  # the top of a compact subtree, drawn as an indented list
    listed: bool = False  # inside a compact subtree (its top included)


@dataclass
class Layout:
    boxes: dict[int, Box]
    lines: list[str]  # SVG path data, boss → report
    width: float
    height: float
    levels: int = 0  # levels of reporting lines below the top people


def _order_key(seat: Seat) -> tuple:
    return (-seat.influence, seat.name, seat.contact_id)


def _parents(seats: list[Seat]) -> dict[int, int | None]:
    """contact → boss on the buying centre (None for a root); a loop, which the services
    refuse, is cut at its first person so the picture never hangs."""
    ids = {s.contact_id for s in seats}
    parent = {s.contact_id: (s.reports_to_id if s.reports_to_id in ids else None) for s in seats}
    for s in seats:
        seen, current = [], s.contact_id
        while current is not None and current not in seen:
            seen.append(current)
            current = parent[current]
        if current is not None:  # walked into a loop: cut it at the first person met twice
            parent[current] = None
    return parent


def _card_width(seat: Seat, org: str = "") -> float:
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
    return _label(RelationshipStage, seat.stage) if seat.stage else _("no stage yet")


def layout(
    seats: Iterable[Seat],
    *,
    widths: dict[int, float] | None = None,
    max_width: float = MAX_WIDTH,
) -> Layout:
    """Place every seat (see the module docstring). Deterministic for the same seats.

    A forest wider than `max_width` as tidy trees is drawn more compactly, one step at a time
    until it fits (or nothing is left to compact): first every group of two or more leaf
    reports hangs in a column under its boss; then the lowest subtrees (two levels, then three,
    …) become indented lists, their top person's reports stacked under them, indented."""
    seats = sorted(seats, key=_order_key)
    widths = widths or {s.contact_id: _card_width(s) for s in seats}
    parent = _parents(seats)
    plan = _layout(seats, widths, parent, wrap_at=WRAP_AT, outline_height=0)
    if plan.width <= max_width:
        return plan
    tallest = plan.levels
    for outline_height in range(1, tallest + 1):
        compact = _layout(seats, widths, parent, wrap_at=1, outline_height=outline_height)
        if compact.width < plan.width:
            plan = compact
        if plan.width <= max_width:
            break
    return plan


def _layout(
    seats: list[Seat],
    widths: dict[int, float],
    parent: dict[int, int | None],
    *,
    wrap_at: int,
    outline_height: int,
) -> Layout:
    """One layout: leaf groups larger than `wrap_at` wrapped; subtrees of 2 to
    `outline_height` levels drawn as indented lists."""
    nodes = {s.contact_id: _Node(key=s.contact_id, w=widths[s.contact_id]) for s in seats}
    root = _Node(key=None, w=0.0)
    for s in seats:  # sorted, so every list of children is in influence order
        boss = parent[s.contact_id]
        (nodes[boss] if boss is not None else root).kids.append(nodes[s.contact_id])

    # Parents before children, without recursion (a reporting line may be 200 deep).
    order: list[_Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.kids)
    for node in reversed(order):
        node.height = 1 + max((k.height for k in node.kids), default=-1)
    for node in order:  # the top of each compact subtree, and everyone in it
        if node.listed:
            for kid in node.kids:
                kid.listed = True
        elif node.key is not None and 2 <= node.height <= outline_height:
            node.outline = node.listed = True
            for kid in node.kids:
                kid.listed = True
    for node in reversed(order):
        _measure(node, wrap_at)

    root.y = -(NODE_H + V_GAP)  # the virtual root sits above the first row
    todo: list[tuple[_Node, float]] = [(root, 0.0)]
    while todo:
        node, left = todo.pop()
        todo.extend(_place(node, left))
    boxes: dict[int, Box] = {}
    lines: list[str] = []
    depth = {None: -1}
    for node in order:  # parents before children
        if node.key is None:
            continue
        boss = parent[node.key]
        depth[node.key] = depth[boss] + 1
        boxes[node.key] = Box(contact_id=node.key, x=round(node.x, 1), y=round(node.y, 1),
                              w=node.w, parent=boss, depth=depth[node.key])  # fmt: skip
    for node in order:
        if node.key is not None and node.kids:
            lines.extend(_outline_connectors(node) if node.listed else _connectors(node))
    width = max((b.x + b.w for b in boxes.values()), default=0.0)
    height = max((b.y + b.h for b in boxes.values()), default=0.0)
    return Layout(boxes=boxes, lines=lines, width=width, height=height, levels=root.height - 1)


def _outline(node: _Node) -> list[tuple[_Node, int]]:
    """The compact subtree of `node` in reading order: (person, indent level)."""
    out: list[tuple[_Node, int]] = []
    stack = [(node, 0)]
    while stack:
        current, level = stack.pop()
        out.append((current, level))
        stack.extend((kid, level + 1) for kid in reversed(current.kids))
    return out


def grid_columns(n: int) -> int:
    """Columns for n wrapped leaf reports: one column up to four people, then up to six
    columns of about four rows, then rows grow (a long list reads down, not across)."""
    return 1 if n <= 4 else min(WRAP_COLS, -(-n // 4))


def _measure(node: _Node, wrap_at: int = WRAP_AT) -> None:
    """Band width of the subtree and where its root is centred in it (children measured)."""
    if node.outline:
        node.span = max(level * INDENT + n.w for n, level in _outline(node))
        node.centre = node.w / 2
        return
    if not node.kids:
        node.span, node.centre = node.w, node.w / 2
        return
    leaves = [k for k in node.kids if not k.kids]
    if len(leaves) > wrap_at:
        node.trees = [k for k in node.kids if k.kids]
        node.grid = leaves
        node.cols = grid_columns(len(leaves))
        node.cell = max(k.w for k in leaves)
    else:
        node.trees, node.grid = list(node.kids), []
    children = sum(k.span for k in node.trees) + H_GAP * max(0, len(node.trees) - 1)
    if node.grid:
        children += (H_GAP if node.trees else 0) + TRUNK
        children += node.cols * node.cell + (node.cols - 1) * H_GAP
    node.children_span = children
    node.span = max(node.w, children)
    # Centre over the first and the last child (the middle of a wrapped group counts as one).
    start = (node.span - children) / 2
    centres, cursor = [], start
    for kid in node.trees:
        centres.append(cursor + kid.centre)
        cursor += kid.span + H_GAP
    if node.grid:
        centres.append(cursor + TRUNK + (node.cols * node.cell + (node.cols - 1) * H_GAP) / 2)
    x = (centres[0] + centres[-1]) / 2 - node.w / 2
    node.centre = min(max(x, 0.0), node.span - node.w) + node.w / 2


def _place(node: _Node, left: float) -> list[tuple[_Node, float]]:
    """Place the node in its band [left, left + span) and its wrapped leaves; return the child
    subtrees with the left of their bands."""
    node.x = left + node.centre - node.w / 2
    if node.outline:
        for i, (person, level) in enumerate(_outline(node)):
            person.x = left + level * INDENT
            person.y = node.y + i * (NODE_H + OUTLINE_GAP)
        return []
    if not node.kids:
        return []
    child_y = node.y + NODE_H + V_GAP
    cursor = left + (node.span - node.children_span) / 2
    placed: list[tuple[_Node, float]] = []
    for kid in node.trees:
        kid.y = child_y
        placed.append((kid, cursor))
        cursor += kid.span + H_GAP
    if node.grid:
        node.grid_left = cursor + TRUNK
        for i, leaf in enumerate(node.grid):
            row, col = divmod(i, node.cols)
            leaf.y = child_y + row * (NODE_H + ROW_GAP)
            leaf.x = node.grid_left + col * (node.cell + H_GAP) + (node.cell - leaf.w) / 2
    return placed


def _connectors(node: _Node) -> list[str]:
    """Elbow lines from the node to its reports; a wrapped group hangs from a trunk on its left,
    with one bus per row."""
    px = node.x + node.w / 2
    bottom = node.y + NODE_H
    bus = bottom + V_GAP / 2
    paths = [f"M{px:.1f} {bottom:.1f}V{bus:.1f}"]
    xs = [px]
    for kid in node.trees:
        kx = kid.x + kid.w / 2
        xs.append(kx)
        paths.append(f"M{kx:.1f} {bus:.1f}V{kid.y:.1f}")
    if node.grid:
        trunk = node.grid_left - TRUNK / 2
        xs.append(trunk)
        rows: dict[float, list[_Node]] = {}
        for leaf in node.grid:
            rows.setdefault(leaf.y, []).append(leaf)
        last_bus = bus
        for row_y, leaves in rows.items():
            row_bus = bus if row_y == node.grid[0].y else row_y - ROW_GAP / 2
            last_bus = max(last_bus, row_bus)
            far = max(leaf.x + leaf.w / 2 for leaf in leaves)
            paths.append(f"M{trunk:.1f} {row_bus:.1f}H{far:.1f}")
            for leaf in leaves:
                lx = leaf.x + leaf.w / 2
                paths.append(f"M{lx:.1f} {row_bus:.1f}V{leaf.y:.1f}")
        paths.append(f"M{trunk:.1f} {bus:.1f}V{last_bus:.1f}")
    paths.append(f"M{min(xs):.1f} {bus:.1f}H{max(xs):.1f}")
    return paths


def _outline_connectors(node: _Node) -> list[str]:
    """In a compact subtree: a trunk down from under the person's card, near its left edge,
    with a short line into the left side of each report's card."""
    trunk = node.x + INDENT / 2
    top = node.y + NODE_H
    mids = [kid.y + CARD_H / 2 for kid in node.kids]
    paths = [f"M{trunk:.1f} {top:.1f}V{max(mids):.1f}"]
    paths += [
        f"M{trunk:.1f} {mid:.1f}H{kid.x:.1f}" for kid, mid in zip(node.kids, mids, strict=True)
    ]
    return paths


# --- drawing ------------------------------------------------------------------------------------


def _organisations(seats: list[Seat]) -> dict[int, str]:
    """Account names of external people (one query)."""
    from guanxi.accounts.models import Account

    ids = {s.contact_account_id for s in seats if s.external}
    if not ids:
        return {}
    return dict(Account.objects.filter(pk__in=ids).values_list("pk", "name"))


def _risk_notes(health: Any) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = {}
    for risk in getattr(health, "risks", None) or []:
        for contact_id in risk.contact_ids or []:
            notes.setdefault(contact_id, []).append(str(risk.message))
    return notes


def _person(seat: Seat, box: Box, org: str, risks: list[str]) -> str:
    stroke, tint = (
        LEFT_COLOURS
        if not seat.is_active
        else STANCE_COLOURS.get(seat.stance, STANCE_COLOURS[StanceToUs.NEUTRAL])
    )
    disc = LEFT_COLOURS[0] if not seat.is_active else stroke
    dashed = ' stroke-dasharray="5 3"' if (seat.external or not seat.is_active) else ""
    w = box.w
    inner = w - TEXT_X - 10
    left_w = 34 if not seat.is_active else 0
    name = fit(seat.name, 14, inner - left_w - (16 if seat.rising_star else 0), bold=True)
    attitude = _label(StanceToUs, seat.stance)
    role_names = [_label(BuyingRole, r) for r in _roles(seat)]
    tip = [seat.name + (f" — {seat.title}" if seat.title else "")]
    if seat.external and org:
        tip.append(org)
    if not seat.is_active:
        tip.append(_("left"))
    attitude_label, influence_label = _("attitude"), _("influence")
    tip += [
        _(", ").join(role_names) or _("no buying role"),
        f"{attitude_label}: {attitude}",
        f"{influence_label}: {seat.influence}/5",
        _stage_text(seat)
        + (f" ({seat.stage_reached_on:%Y-%m-%d})" if seat.stage_reached_on else ""),
    ]
    if seat.rising_star:
        tip.append(_("rising star"))
    radius = 7 + 2.5 * max(1, min(5, seat.influence))
    out = [
        f'<g class="person" data-contact="{seat.contact_id}" '
        f'data-stance="{esc(seat.stance)}" transform="translate({box.x:.1f},{box.y:.1f})"'
        + (' opacity="0.6"' if not seat.is_active else "")
        + ">",
        f"<title>{esc(chr(10).join(tip))}</title>",
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
    if not seat.is_active:
        left_label = _("left")
        out.append(
            f'<text x="{w - 8:.1f}" y="18" text-anchor="end" font-size="11" fill="#6b7280" '
            f'class="left">{esc(left_label)}</text>'
        )
    for i, (role, full) in enumerate(zip(_roles(seat), role_names, strict=True)):
        x = TEXT_X + i * 19
        out.append(
            f'<g class="role" data-role="{esc(role)}"><title>{esc(full)}</title>'
            f'<rect x="{x}" y="44" width="16" height="16" rx="3" fill="#fff" stroke="{stroke}"/>'
            f'<text x="{x + 8}" y="56" text-anchor="middle" font-size="11" '
            f'fill="#111827">{esc(role_mark(role))}</text></g>'
        )
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
    out.append(
        f'<g class="stage" data-stage="{esc(seat.stage or "")}">{pips}'
        f'<text x="{TEXT_X + 46}" y="75" font-size="11" fill="#1f2937">'
        f"{esc(fit(_stage_text(seat), 11, inner - 46))}</text></g>"
    )
    if risks:
        out.append(
            f'<g class="risk"><title>{esc(chr(10).join(risks))}</title>'
            f'<circle cx="{w - 2:.1f}" cy="2" r="8" fill="{RISK_COLOUR}"/>'
            f'<text x="{w - 2:.1f}" y="6" text-anchor="middle" font-size="11" '
            f'font-weight="bold" fill="#fff">!</text></g>'
        )
    owner = str(seat.owner) if seat.owner is not None else "—"
    # Outside the f-string, where makemessages can find it.
    owner_line = _("our owner: %(name)s") % {"name": owner}
    out.append(
        f'<text x="{w / 2:.1f}" y="{CARD_H + 13}" text-anchor="middle" font-size="11" '
        f'fill="#374151" class="owner">{esc(fit(owner_line, 11, w))}</text>'
    )
    out.append("</g>")
    return "".join(out)


def _roles(seat: Seat) -> list[str]:
    return sorted((r for r in seat.roles if r in ROLE_ORDER), key=lambda r: ROLE_ORDER[r])


def _legend_items() -> list[tuple[str, float]]:
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
        add(f'<circle cx="6" cy="-4" r="6" fill="{colour}"/>', 12, _label(StanceToUs, stance))
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
            _label(BuyingRole, role),
        )
    stages = " → ".join(_label(RelationshipStage, s) for s in RelationshipStage.values)
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
        for fragment, w in _legend_items()
    )


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
    widths = {s.contact_id: _card_width(s, orgs.get(s.contact_account_id, "")) for s in seats}
    plan = layout(seats, widths=widths)
    risks = _risk_notes(health)

    legend = _legend_items()
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
        for seat in sorted(seats, key=_order_key):
            out.append(
                _person(
                    seat,
                    plan.boxes[seat.contact_id],
                    orgs.get(seat.contact_account_id, ""),
                    risks.get(seat.contact_id, []),
                )
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
