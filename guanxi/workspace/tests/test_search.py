"""`accounts_first` (the first few accounts by pinyin, Today's quick find): on PostgreSQL each
branch of the search gives only its own first few, so its answer must be exactly the plain
search's first few, for every kind of word, for every viewer."""

import pytest

from guanxi.accounts.models import Account, AccountAlias
from guanxi.accounts.selectors import accounts_search, accounts_visible_to, pinyin_prefix_q
from guanxi.workspace import search
from guanxi.workspace.search import PINYIN_ORDER, accounts_first, accounts_matching, quick_find
from tests.support import make_account, make_contact

NAMES = [
    ("上海华彩医药有限公司", "alice"),
    ("上海信达物流有限公司", "bob"),
    ("上海恒瑞科技有限公司", "alice"),
    ("上海宏远贸易有限公司", "alice"),
    ("亳州瑞丰食品（上海）有限公司", "alice"),  # "shanghai" and 上海 inside the name
    ("华彩会展（上海）有限公司", "bob"),
    ("华彩医药股份有限公司", "alice"),
    ("郑州正大食品有限公司", "alice"),
    ("珠海中联电子有限公司", "charlie"),
    ("HC Holdings 华创", "alice"),  # Latin letters at the start of the name
]

WORDS = ["shanghai", "上海", "sh", "hc", "华彩", "huacai", "彩", "zhengz", "zz", "zh", "王芳",
         "wf", "13800", "T0", "海", "上海华彩", "hcyy", "nothing"]  # fmt: skip


@pytest.fixture
def book(cast):
    for n, (name, owner) in enumerate(NAMES):
        account = make_account(owner=getattr(cast, owner), name=name, short_name="", code=f"T0{n}")
        if n % 3 == 0:
            make_contact(account=account, name="王芳", mobile=f"1380013{n:04d}")
    return cast


@pytest.mark.parametrize("common", [20_000, 0])
@pytest.mark.parametrize("word", WORDS)
def test_the_first_few_by_pinyin_are_the_plain_searchs_first_few(book, word, common, monkeypatch):
    """``common`` 0: every contact condition counts as common, so the contacts' branch walks
    the accounts in pinyin order instead of collecting their ids."""
    monkeypatch.setattr(search, "COMMON_CONTACTS", common)
    for viewer in (book.alice, book.bob, book.mia):
        accounts = accounts_visible_to(viewer)
        plain = accounts_matching(accounts, word).order_by(*PINYIN_ORDER)
        for limit in (1, 3, 50):
            expected = list(plain.values_list("pk", flat=True)[:limit])
            assert accounts_first(accounts, word, limit) == expected, (viewer, word, limit)


def test_the_words_find_what_they_say(book):
    def names(word):
        ids = accounts_first(Account.objects.all(), word, 50)
        return set(Account.objects.filter(pk__in=ids).values_list("name", flat=True))

    assert len(names("上海")) == 6  # four at the start of the name, two in brackets
    assert names("shanghai") == names("上海")
    assert names("zhengz") == {"郑州正大食品有限公司"}
    assert "HC Holdings 华创" in names("hc")


@pytest.mark.parametrize("latin, inside, outside", [
    ("shanghai", ["shanghai", "shanghaihuacai"], ["shanghah", "shanghaj", "shangha"]),
    ("zhengz", ["zhengzhou", "zhengzz"], ["zhenh", "zhengy", "zhenga"]),
    ("zz", ["zz", "zzz"], ["zy", "z"]),
])  # fmt: skip
def test_a_pinyin_prefix_is_a_range_that_holds_exactly_the_names_starting_with_it(
    cast, latin, inside, outside
):
    for n, pinyin in enumerate(inside + outside):
        account = make_account(owner=cast.alice, code=f"P{n}")
        Account.objects.filter(pk=account.pk).update(name_pinyin=pinyin)
    found = Account.objects.filter(pinyin_prefix_q(latin)).values_list("name_pinyin", flat=True)
    assert sorted(found) == sorted(inside)


def test_an_account_with_two_aliases_alike_is_found_once(book):
    """Two former codes differing in case (two merges) once filled two of the branch's places."""
    first, second = Account.objects.order_by("name_pinyin", "pk")[:2]
    AccountAlias.objects.create(account=first, code="dm-1")
    AccountAlias.objects.create(account=first, code="DM-1")
    AccountAlias.objects.create(account=second, code="Dm-1")
    assert accounts_first(Account.objects.all(), "dm-1", 2) == [first.pk, second.pk]


def test_nothing_to_see_and_a_nul_are_no_error(book):
    assert accounts_first(Account.objects.none(), "huacai", 5) == []
    found = quick_find(book.mia, "hua\x00cai")
    assert found.accounts == quick_find(book.mia, "huacai").accounts != []
    assert accounts_search(Account.objects.all(), "\x00").count() == Account.objects.count()
