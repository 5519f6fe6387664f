"""Benchmark: duplicate candidates and pinyin search (issue 17) in PostgreSQL. Run by hand:

    .venv/bin/python benchmarks/duplicates.py                     # 1,000,000 accounts
    .venv/bin/python benchmarks/duplicates.py --accounts 100000   # a smaller run
    .venv/bin/python benchmarks/duplicates.py --db gx_mine --build-only  # build now, time later

Targets: the candidate pairs of 1,000,000 accounts and 3,000,000 contacts in under 5 minutes
with a bounded peak memory (the rise of peak RSS during the job, `peak_memory.py`); a pinyin
search on 1,000,000 accounts under 100 ms.

It builds its own database, `guanxi_bench_dupes` (never the shared benchmark database), once per
size: accounts named like Chinese companies (an optional city, a two-character brand, a trade,
a legal form), half of them with a valid credit code, three contacts each with a mobile; 2 % of
the accounts are a second copy of an earlier one (traditional characters, another legal form,
a city in front, full-width brackets, or the same credit code) and 1 % of the contacts a second
copy (the mobile written +86 …). Rows go in with COPY, their search forms computed by the same
`fill_search_forms` the models use (the build is not timed).

Then it times `candidates_find()` (blocking, scoring, storing the pairs), a nightly incremental
run with nothing changed (the open queue scored again) and the search for a few pinyin, initials
and character words: the first 50 accounts by pinyin and their names
(`workspace.search.accounts_first`, as Today's quick find asks).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DBNAME = os.environ.get("BENCH_DUPES_DB", "guanxi_bench_dupes")
TARGET_FIND_S = 300
TARGET_SEARCH_MS = 100
CHUNK = 50_000
#: Pinyin, initials, a broad word (the city of 1 account in 12), two and three characters (no
#: trigram / one), a broad two-character word, a person's two-character name, a mobile's start.
SEARCH_WORDS = ["huacai", "hcyy", "shanghai", "华彩", "华彩医", "上海", "王芳", "xinda", "138001"]

CITIES = ["上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "南京", "", "", "", ""]
CHARS = (
    "华彩信达恒瑞新天宏远金龙海博安泰鑫源中联盛世东方明德嘉和永兴开元长城星河"
    "正大国泰祥云弘业汇丰腾飞卓越鼎盛锦绣光明富力佳美万通宝丰凯旋百川千禾一品"
)
TRADES = ["医药", "科技", "贸易", "物流", "电子", "食品", "建设", "传媒", "会展", "旅游", "能源"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "集团"]
TRAD = str.maketrans(
    "华达远龙恒宝丰汇万长东国云业开鼎锦绣飞卓鑫药贸电传会旅",
    "華達遠龍恆寶豐匯萬長東國雲業開鼎錦繡飛卓鑫藥貿電傳會旅",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐曾单区解"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def _django() -> None:
    os.environ["DATABASE_URL"] = f"{PG_BASE}/{DBNAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    import django

    django.setup()


def _create_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DBNAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DBNAME}"')


def _credit_code(rng: random.Random) -> str:
    from stdnum.cn import uscc

    body = "91" + "".join(rng.choice("0123456789") for _ in range(6))
    body += "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _company(rng: random.Random) -> str:
    # A common character and one of the 20,000 CJK ideographs: 1.4M brands, so two unrelated
    # companies share a brand and trade about as rarely as real ones do.
    brand = rng.choice(CHARS) + chr(0x4E00 + rng.randrange(20_000))
    return f"{rng.choice(CITIES)}{brand}{rng.choice(TRADES)}{rng.choice(FORMS)}"


def _variant(rng: random.Random, name: str) -> str:
    pick = rng.randrange(4)
    if pick == 0:
        return name.translate(TRAD)
    if pick == 1:
        for form in FORMS:
            if name.endswith(form):
                return name[: -len(form)] + rng.choice(FORMS[:3])
    if pick == 2:
        return f"{rng.choice(CITIES[:8])}{name}"
    return f"{name}（{rng.choice(CITIES[:8])}）"


def _copy(model, objects: list, columns: list[str]) -> None:
    from django.db import connection
    from django.db.models import JSONField

    fields = [model._meta.get_field(c) for c in columns]
    table = model._meta.db_table
    cols = ", ".join(f.column for f in fields)
    # psycopg writes str, numbers, dates and None itself; only JSON needs Django's preparation.
    prepared = [f for f in fields if isinstance(f, JSONField)]
    with connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for obj in objects:
            for f in prepared:
                setattr(obj, f.attname, f.get_db_prep_save(getattr(obj, f.attname), connection))
            copy.write_row([getattr(obj, f.attname) for f in fields])


def _columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def _build_accounts(n: int, rng: random.Random, owner) -> None:
    from django.utils import timezone

    from guanxi.accounts.models import Account, fill_search_forms
    from guanxi.core.bulk import analyze

    now = timezone.now()
    names, codes = [], []
    columns = _columns(Account)
    for start in range(0, n, CHUNK):
        batch = []
        for i in range(start, min(n, start + CHUNK)):
            if names and rng.random() < 0.02:  # a second copy of an earlier account
                j = rng.randrange(len(names))
                name, code = _variant(rng, names[j]), codes[j] if rng.random() < 0.3 else ""
            else:
                name = _company(rng)
                code = _credit_code(rng) if rng.random() < 0.5 else ""
            names.append(name)
            codes.append(code)
            account = Account(code=f"B{i:08d}", name=name, credit_code=code,
                              account_type="corporate", owner_id=owner.pk, team_id=None,
                              created_at=now, updated_at=now)  # fmt: skip
            fill_search_forms(account)
            batch.append(account)
        _copy(Account, batch, columns)
        print(f"  accounts {min(n, start + CHUNK):,}", file=sys.stderr)
    analyze(Account)


def _build_contacts(n_accounts: int, per: int, rng: random.Random) -> None:
    from django.utils import timezone

    from guanxi.accounts.models import Account
    from guanxi.contacts.models import Contact, fill_search_forms
    from guanxi.core.bulk import analyze

    now = timezone.now()
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    columns = _columns(Contact)
    seen: list[tuple[str, str]] = []
    n = n_accounts * per
    for start in range(0, n, CHUNK):
        batch = []
        for i in range(start, min(n, start + CHUNK)):
            if seen and rng.random() < 0.01:
                name, mobile = seen[rng.randrange(len(seen))]
                mobile = f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}"
            else:
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                mobile = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
                if len(seen) < 200_000:
                    seen.append((name, mobile))
            contact = Contact(code=f"P{i:09d}", account_id=ids[i % len(ids)], name=name,
                              mobile=mobile, created_at=now, updated_at=now)  # fmt: skip
            fill_search_forms(contact)
            batch.append(contact)
        _copy(Contact, batch, columns)
        print(f"  contacts {min(n, start + CHUNK):,}", file=sys.stderr)
    analyze(Contact)


def _build(n: int, per: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from guanxi.accounts.models import Account
    from guanxi.contacts.models import Contact
    from guanxi.core.models import User
    from guanxi.duplicates.models import Candidate

    call_command("migrate", verbosity=0)
    if Account.objects.count() == n and Contact.objects.count() == n * per:
        return
    print(f"building {n:,} accounts and {n * per:,} contacts …", file=sys.stderr)
    with connection.cursor() as cur:  # its own database: everything that hangs on accounts
        tables = [m._meta.db_table for m in (Candidate, Contact, Account)]
        cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    owner, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True})
    rng = random.Random(17)
    _build_accounts(n, rng, owner)
    _build_contacts(n, per, rng)


def _time_find() -> dict:
    from benchmarks.peak_memory import reset_peak, status_kb
    from guanxi.duplicates.finder import candidates_find

    base = reset_peak()
    t0 = time.perf_counter()
    found = candidates_find()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_rise_mb": (status_kb("VmHWM") - base) / 1024,
            "account_pairs": found.accounts, "contact_pairs": found.contacts,
            "skipped_blocks": found.skipped_blocks}  # fmt: skip


def _time_night() -> tuple[float, int]:
    """An incremental run with nothing changed: what a quiet night costs, mostly scoring the
    open queue again (`finder.open_pairs_rescore`)."""
    from django.utils import timezone

    from guanxi.duplicates.finder import candidates_find

    t0 = time.perf_counter()
    found = candidates_find(since=timezone.now())
    return time.perf_counter() - t0, found.rescored_away


def _time_search(words: list[str], repeat: int = 5) -> dict[str, float]:
    from guanxi.accounts.models import Account
    from guanxi.workspace.search import PINYIN_ORDER, accounts_first

    out = {}
    for word in words:
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            ids = accounts_first(Account.objects.all(), word, 50)
            list(Account.objects.filter(pk__in=ids).order_by(*PINYIN_ORDER).values_list("name"))
            runs.append((time.perf_counter() - t0) * 1000)
        out[word] = statistics.median(runs)
    return out


def main() -> int:
    global DBNAME
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--contacts-per-account", type=int, default=3)
    parser.add_argument("--db", default=DBNAME, help="its own database (built once per size)")
    parser.add_argument("--build-only", action="store_true", help="build the rows, time nothing")
    args = parser.parse_args()
    DBNAME = args.db
    _create_database()
    _django()
    t0 = time.perf_counter()
    _build(args.accounts, args.contacts_per_account)
    print(f"build (not timed): {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.build_only:
        return 0
    find = _time_find()
    night, rescored_away = _time_night()
    search = _time_search(SEARCH_WORDS)
    n = args.accounts
    print(f"accounts {n:,}, contacts {n * args.contacts_per_account:,}")
    print(f"candidates_find: {find['seconds']:.1f} s (target {TARGET_FIND_S} s at 1M/3M), "
          f"peak RSS rise {find['peak_rise_mb']:.0f} MB; {find['account_pairs']:,} account "
          f"pairs, {find['contact_pairs']:,} contact pairs, "
          f"{find['skipped_blocks']:,} blocks too large")  # fmt: skip
    print(f"incremental run, nothing changed (the open queue scored again): {night:.1f} s, "
          f"{rescored_away:,} pairs left the queue")  # fmt: skip
    for word, ms in search.items():
        print(f"search {word!r}: {ms:.1f} ms (median of 5; target {TARGET_SEARCH_MS} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
