"""The house's floors, checked: which Guanxi module may import which (ARCHITECTURE.md explains).

Run ``python tests/architecture.py`` for the report; ``tests/test_architecture.py`` fails CI on
any finding. The check reads the source (``ast``), so it sees every import: top-level, under
``TYPE_CHECKING`` and inside functions.

Two kinds of module:
- **domain**: models, services, selectors, tasks, schemas, and everything else that is not a
  door. The domain of an app imports only its own app and the domain of apps on lower floors.
- **doors**: the pages and endpoints (``admin``, ``admin_*``, ``api``, ``api_*``, ``views``,
  ``forms``, ``urls``, ``templatetags``, ``dashboard``, ``navigation``). Doors stand above all
  domain code: a door may import the domain of any app (a step across apps goes through
  ``guanxi.workspace.flows``), and the doors of its own app and of apps on lower floors. No
  domain module imports a door.

``core`` is the ground floor: nothing in it (door or not) imports a domain app. ``analytics``
imports no Django and nothing else of Guanxi. ``demo`` and the entry modules (``api``, ``wsgi``,
``urls``, ``commands``, ``cli``) sit on top. The imports of tests, migrations and benchmarks are
not checked; ``FLOORS`` below is the source of truth that ARCHITECTURE.md's table follows.

Besides the floors: no import circles between modules, no import inside a function unless a
comment on that line or the block above says ``deferred:`` and why (start-up time), and small
rooms: no file over 600 lines, no function over 80 (the package and its tests, migrations
excepted). Imports under ``if TYPE_CHECKING:`` count like any other.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "guanxi"

#: Domain apps, bottom up. Apps on one floor are siblings and may not import each other.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("analytics",),
    ("core",),
    ("accounts",),
    ("contacts", "assessments"),
    ("transactions", "touchpoints", "duplicates"),
    ("imports",),
    ("insights",),
    ("tiers", "leads"),
    ("relationships", "activities"),
    ("surveys",),
    ("service",),
    ("agreements", "loyalty"),
    ("plans",),
    ("pipeline",),
    ("workspace", "reports"),
    ("merging",),
)
#: On top of every door: the demo builder, then the entry points.
TOP: tuple[tuple[str, ...], ...] = (("demo",), ("api", "wsgi"), ("urls", "commands"), ("cli",))
#: Modules outside the floors that any module may import (no Guanxi imports of their own).
FREE = {"__init__", "settings"}
DOOR_NAMES = {"admin", "api", "views", "forms", "urls", "templatetags", "dashboard", "navigation"}
DEFERRED_MARK = "deferred:"
#: Rooms stay small: split by concern before a file or a function grows past these.
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80

FLOOR_OF = {app: i for i, apps in enumerate(FLOORS) for app in apps}
TOP_OF = {app: len(FLOORS) * 2 + i for i, apps in enumerate(TOP) for app in apps}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (the deepest Guanxi module the statement names)
    line: int
    in_function: bool
    deferred: bool  # marked "deferred:" in a comment


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        rel = path.relative_to(ROOT / PACKAGE).parts
        if "migrations" in rel or "tests" in rel:
            continue
        yield path


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, node: ast.AST, is_package: bool, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = _resolve(module, node, is_package)
        # `from guanxi.tiers import services` names the module guanxi.tiers.services.
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names
        ]
    wanted = [n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")]
    return list(dict.fromkeys(wanted))


def _marked(lines: list[str], lineno: int) -> bool:
    """The mark on the import's line or in the comment block right above it."""
    if DEFERRED_MARK in lines[lineno - 1]:
        return True
    above = lineno - 2
    while above >= 0 and lines[above].strip().startswith("#"):
        if DEFERRED_MARK in lines[above]:
            return True
        above -= 1
    return False


def imports_of(path: Path, known: set[str]) -> list[Import]:
    module = module_name(path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text, filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                targets = _targets(module, child, path.name == "__init__.py", known)
                if in_function and not targets:
                    # Any import in a function counts, not only Guanxi's own.
                    targets = [""]
                for target in targets:
                    found.append(
                        Import(module, target, child.lineno, in_function,
                               _marked(lines, child.lineno))
                    )  # fmt: skip
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, nested)

    visit(tree, False)
    return found


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def is_door(module: str) -> bool:
    parts = module.split(".")[2:]
    return any(p in DOOR_NAMES or p.startswith(("admin_", "api_")) for p in parts)


def rank(module: str) -> int:
    """Height in the house: domain floors, then the doors in the same order, then the top."""
    app = app_of(module)
    if app in TOP_OF:
        return TOP_OF[app]
    floor = FLOOR_OF[app]
    return floor + len(FLOORS) if is_door(module) else floor


def violation(imp: Import) -> str | None:
    """Why this import breaks the floors, or None."""
    src, dst = app_of(imp.source), app_of(imp.target)
    for app in (src, dst):
        if app not in FLOOR_OF and app not in TOP_OF and app not in FREE:
            return f"'{app}' is on no floor: add it to FLOORS in tests/architecture.py"
    if dst in FREE or src in FREE:
        return None
    if src == dst:
        if is_door(imp.target) and not is_door(imp.source):
            return "domain code imports a door of its own app"
        return None
    if src == "analytics" or (src == "core" and dst != "analytics"):
        return f"'{src}' is the ground floor and imports no other Guanxi app"
    if src in TOP_OF:
        return None if rank(imp.target) < rank(imp.source) else "the top imports sideways"
    if not is_door(imp.source):
        if is_door(imp.target):
            return "domain code imports a door"
        if FLOOR_OF[dst] >= FLOOR_OF[src]:
            return "domain code imports a floor that is not below it"
        return None
    if dst in TOP_OF:
        return "a door imports the demo or an entry point"
    if is_door(imp.target) and FLOOR_OF[dst] >= FLOOR_OF[src]:
        return "a door imports a door of an app that is not below it"
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def oversized(paths: list[Path]) -> list[str]:
    """Files over MAX_FILE_LINES and functions over MAX_FUNCTION_LINES (docstring included)."""
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        lines = text.count("\n")
        if lines > MAX_FILE_LINES:
            found.append(f"{name}: {lines} lines (split it by concern; at most {MAX_FILE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}() is {length} lines "
                                 f"(at most {MAX_FUNCTION_LINES})")  # fmt: skip
    return found


def room_files() -> list[Path]:
    """Every Python file of the package and its tests, but migrations."""
    paths = sorted((ROOT / PACKAGE).rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    return [p for p in paths if "migrations" not in p.parts]


@dataclass
class Report:
    upward: list[tuple[Import, str]]
    cycles: list[list[str]]
    in_functions: list[Import]
    rooms: list[str]

    @property
    def ok(self) -> bool:
        return not (self.upward or self.cycles or self.in_functions or self.rooms)

    def lines(self) -> list[str]:
        out = [f"{i.source}:{i.line} imports {i.target}: {why}" for i, why in self.upward]
        out += ["import circle: " + " → ".join(c) for c in self.cycles]
        out += [
            f"{i.source}:{i.line} imports {i.target or 'a library'} inside a function "
            f"(move it to the top, or say '# {DEFERRED_MARK} <why>')"
            for i in self.in_functions
        ]
        return out + self.rooms


def check() -> Report:
    files = list(source_files())
    known = {module_name(p) for p in files}
    imports = [imp for path in files for imp in imports_of(path, known)]
    upward = [(imp, why) for imp in imports if imp.target and (why := violation(imp))]
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.target in known and imp.target != imp.source:
            graph.setdefault(imp.source, set()).add(imp.target)
    in_functions = [imp for imp in imports if imp.in_function and not imp.deferred]
    return Report(upward, _cycles(graph), in_functions, oversized(room_files()))


if __name__ == "__main__":
    report = check()
    for line in report.lines():
        print(line)
    print(
        f"{len(report.upward)} imports against the floors, {len(report.cycles)} import "
        f"circles, {len(report.in_functions)} imports inside functions, "
        f"{len(report.rooms)} rooms too big"
    )
    sys.exit(0 if report.ok else 1)
