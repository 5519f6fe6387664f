"""Demo short names are whole words: the name without its legal form and leading place, never a
name cut at a fixed length (the trial saw 岛齐鲁国际旅行社 for 青岛齐鲁国际旅行社有限公司)."""

from __future__ import annotations

import numpy as np
from faker import Faker

from guanxi.demo.draw import Dice
from guanxi.demo.identities import COMPANY_SUFFIXES, IdentityPlanner
from guanxi.demo.rows import AccountRow

PLACES = ("青岛市", "青岛", "山东省", "山东")


def _rows(n: int = 200) -> tuple[IdentityPlanner, list[AccountRow]]:
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    planner = IdentityPlanner(Dice(np.random.default_rng(7)), fake)
    kinds = list(planner._namers)
    rows = []
    for i in range(n):
        row = AccountRow(idx=i, code=f"A{i}", name="", account_type="key", pattern=None, annual=0,
                         kind="organisation", subkind=kinds[i % len(kinds)],
                         city="青岛市", province="山东省")  # fmt: skip
        planner.identity(row)
        rows.append(row)
    return planner, rows


def _core(name: str) -> str:
    for suffix in COMPANY_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def test_short_names_drop_the_legal_form_and_place_but_cut_no_word():
    _planner, rows = _rows()
    shorts = [r for r in rows if r.short_name]
    assert len(shorts) > 50
    for row in shorts:
        core = _core(row.name)
        assert core.endswith(row.short_name), (row.name, row.short_name)
        cut = core.removesuffix(row.short_name)
        assert cut in ("", *PLACES), (row.name, row.short_name)


def test_a_subsidiary_is_its_groups_short_name_and_city():
    planner, rows = _rows(40)
    parent = next(r for r in rows if r.short_name)
    child = AccountRow(idx=999, code="S1", name="", account_type="key", pattern=None, annual=0,
                       kind="organisation", subkind="corporate", city="济南市",
                       province="山东省")  # fmt: skip
    planner.subsidiary_identity(child, parent)
    assert child.short_name == f"{parent.short_name}济南"
