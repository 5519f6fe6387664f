"""Customers entered twice (数据清洗): a few companies of the demo were typed in a second time by
another KAM, the way people type a name they half remember: without the leading city, with the
city in brackets, in traditional characters, with another legal form. So a fresh demo's
duplicates queue (the nightly `duplicates_find`) holds real pairs to merge, and one pair of
contacts (the same person, the mobile written with +86), rather than nothing but the bodies
of different cities the matching key once took for one (深圳市财政局 / 青岛市财政局).

Done in the plan after every other pass, by renaming: no row is added, so the counts stay what
the seed gives; the twin keeps its own owner, people and purchases (what a merge moves) and
takes the original's city, address and switchboard, written a little differently.
"""

from __future__ import annotations

from collections.abc import Callable

from opencc import OpenCC

from guanxi.accounts.names import company_key
from guanxi.demo.rows import AccountRow, ContactRow, KeyAccountsPlan

TWINS = 4
_S2T = OpenCC("s2t")
_FORM = "有限公司"


def _without_place(row: AccountRow, place: str) -> str:
    return row.name.removeprefix(place)


def _place_in_brackets(row: AccountRow, place: str) -> str:
    return f"{row.name.removeprefix(place).removesuffix(_FORM)}（{place}）{_FORM}"


def _traditional(row: AccountRow, _place: str) -> str:
    return _S2T.convert(row.name)


def _other_form(row: AccountRow, _place: str) -> str:
    return f"{row.name.removesuffix(_FORM)}股份{_FORM}"


#: How the second record was typed, one way per twin.
VARIANTS: tuple[Callable[[AccountRow, str], str], ...] = (
    _without_place, _place_in_brackets, _traditional, _other_form,
)  # fmt: skip


def _busy(accounts: list[AccountRow], key_accounts: KeyAccountsPlan | None) -> set[int]:
    """Accounts a story of the demo is about, and groups with their companies: left alone."""
    busy = {a.parent_idx for a in accounts if a.parent_idx is not None}
    busy |= {a.idx for a in accounts if a.parent_idx is not None}
    if key_accounts is not None:
        busy |= set(key_accounts.key_accounts) | set(key_accounts.stories.values())
        busy |= {key_accounts.group_idx} if key_accounts.group_idx is not None else set()
        for rows in (key_accounts.seats, key_accounts.stages, key_accounts.relationships,
                     key_accounts.plans):  # fmt: skip
            busy |= {r.account_idx for r in rows}
    return busy


def _originals(accounts: list[AccountRow], busy: set[int]) -> list[tuple[AccountRow, str]]:
    """Companies named "<city><words>有限公司" whose key drops the city (青岛海润燃气有限公司)."""
    out = []
    for row in accounts:
        place = row.city.removesuffix("市")
        if row.idx in busy or row.subkind != "corporate" or not place:
            continue
        shaped = row.name.startswith(place) and row.name.endswith(_FORM) and "股份" not in row.name
        if shaped and company_key(row.name) == company_key(row.name.removeprefix(place)):
            out.append((row, place))
    return out


def plan_twins(
    accounts: list[AccountRow], contacts: list[ContactRow], key_accounts: KeyAccountsPlan | None
) -> list[tuple[int, int]]:
    """Rename up to `TWINS` small corporate accounts as second records of others; the first
    twin's first contact becomes the original's first contact again. Returns the pairs
    (original idx, twin idx)."""
    busy = _busy(accounts, key_accounts)
    originals = _originals(accounts, busy)[: len(VARIANTS)]
    chosen = {row.idx for row, _place in originals}
    spare = sorted(
        (a for a in accounts if a.idx not in busy | chosen and a.subkind == "corporate"),
        key=lambda a: (a.annual, a.idx),
    )
    names = {a.name for a in accounts}
    pairs = []
    for (original, place), variant, twin in zip(originals, VARIANTS, spare, strict=False):
        name = variant(original, place)
        if name in names:
            continue
        names.add(name)
        twin.name, twin.short_name, twin.english_name = name, original.short_name, ""
        twin.province, twin.city = original.province, original.city
        twin.address = original.address.removeprefix(original.city)
        twin.phone = original.phone.replace("-", " ")
        pairs.append((original.idx, twin.idx))
    if pairs:
        _same_person(contacts, *pairs[0])
    return pairs[:TWINS]


def _same_person(contacts: list[ContactRow], original: int, twin: int) -> None:
    """The twin's first contact is the original's first one, the mobile written with +86."""
    theirs = next((c for c in contacts if c.account_idx == original and c.mobile), None)
    mine = next((c for c in contacts if c.account_idx == twin), None)
    if theirs is None or mine is None:
        return
    mine.name, mine.gender, mine.birthday = theirs.name, theirs.gender, theirs.birthday
    mine.english_name, mine.nickname = theirs.english_name, theirs.nickname
    mine.mobile = f"+86 {theirs.mobile[:3]} {theirs.mobile[3:7]} {theirs.mobile[7:]}"
