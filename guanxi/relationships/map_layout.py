"""Where each card of the relationship map goes: a forest by reporting line (someone whose
boss is not on the buying centre is a root), drawn as tidy trees: each subtree gets its own band
of width, children sit side by side under their parent and the parent is centred over them, so
no two boxes overlap. A parent with many leaf reports (people with no reports of their own) gets
them wrapped in a grid of a few columns hung from a trunk line, so 200 people under one boss stay
readable; people in no reporting line at all are gathered in the same kind of grid after the
trees. A forest wider than MAX_WIDTH this way is drawn more compactly, step by step until it
fits: every group of two or more leaf reports in a column, then the lowest subtrees (two levels,
then three, …) as indented lists under their top person (the demo's 202 people: ~1,900 px wide
instead of 21,000).

Geometry only: the cards' sizes come from `map_card`, the drawing is `map`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from guanxi.relationships.map_card import CARD_H, MIN_W, NODE_H, card_width
from guanxi.relationships.selectors import Seat

# Layout geometry (px).
H_GAP = 24  # between sibling subtrees
V_GAP = 44  # between a parent and its reports
ROW_GAP = 28  # between rows of a wrapped group
TRUNK = 20  # room left of a wrapped group for its trunk line
WRAP_AT = 2  # more leaf reports than this hang in a column (or a few) under their boss …
WRAP_COLS = 6  # … at most this many columns wide (200 people under one boss: 34 rows)
MAX_WIDTH = 4800  # a wider tidy tree is made compact (see `layout`)
INDENT = 28  # a report's indent in a compact (outline) subtree
OUTLINE_GAP = 14  # between the cards of an outline


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


def order_key(seat: Seat) -> tuple:
    """Most influential first, then by name: the order of siblings and of the drawing."""
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
    seats = sorted(seats, key=order_key)
    widths = widths or {s.contact_id: card_width(s) for s in seats}
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
