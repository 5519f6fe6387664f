import pytest
from django.db import connection

from guanxi.accounts.models import Account, AccountAlias
from guanxi.accounts.selectors import (
    account_is_visible,
    accounts_search,
    accounts_visible_to,
    visible_among,
)
from tests.support import index_expression, make_account, plan_of


def test_owner_sees_own_account_only(cast):
    assert list(accounts_visible_to(cast.alice)) == [cast.account]


def test_teammate_does_not_see_colleagues_account(cast):
    assert not account_is_visible(cast.bob, cast.account)


def test_co_owner_sees_account_once(cast):
    cast.account.co_owners.add(cast.bob, cast.charlie)
    assert list(accounts_visible_to(cast.bob)) == [cast.account]


def test_outsider_sees_nothing_of_other_team(cast):
    assert list(accounts_visible_to(cast.charlie)) == [cast.west_account]


def test_team_lead_sees_team_accounts(cast):
    bobs = make_account(owner=cast.bob)
    assert set(accounts_visible_to(cast.lena)) == {cast.account, bobs}


def test_manager_sees_all(cast):
    assert set(accounts_visible_to(cast.mia)) == {cast.account, cast.west_account}


def test_visible_among_a_few_ids_is_the_access_rule(cast, django_assert_max_num_queries):
    bobs = make_account(owner=cast.bob)
    cast.west_account.co_owners.add(cast.bob)
    ids = [cast.account.pk, cast.west_account.pk, bobs.pk]
    for who in (cast.alice, cast.bob, cast.charlie, cast.lena, cast.mia):
        with django_assert_max_num_queries(1):
            seen = visible_among(who, ids)
        assert seen == {pk for pk in ids if account_is_visible(who, pk)}, who
    assert visible_among(cast.bob, ids) == {cast.west_account.pk, bobs.pk}  # co-owned, own
    assert visible_among(cast.lena, []) == set()


def test_inactive_user_sees_nothing(cast):
    cast.alice.is_active = False
    cast.alice.save()
    assert not accounts_visible_to(cast.alice).exists()


def test_search_finds_initials_of_the_whole_name_pinyin_inside_it_and_old_codes(cast):
    """The trial: "szrf" (深圳瑞丰, the city's initials too) found nothing, "shanghai" missed a
    name with 上海 in brackets, and a merged-away code found nothing."""
    sz = make_account(owner=cast.alice, name="深圳瑞丰食品有限公司", code="SZ-1")
    bz = make_account(owner=cast.alice, name="亳州瑞丰食品（上海）有限公司", code="BZ-1")
    hn = make_account(owner=cast.alice, name="西安会展服务有限公司", code="XA-1")
    AccountAlias.objects.create(account=bz, code="DM-00027")
    accounts = Account.objects.filter(pk__in=[sz.pk, bz.pk, hn.pk])

    def found(word):
        return set(accounts_search(accounts, word).values_list("code", flat=True))

    assert found("szrf") == {"SZ-1"}
    assert found("rf") == {"SZ-1"}  # the key's initials, without the city
    assert found("shanghai") == {"BZ-1"}
    assert found("dm-00027") == {"BZ-1"}
    # Three letters stay a prefix: "fuw" is inside xi'an huizhan fuwu but starts no form of it.
    assert found("fuw") == set()
    assert found("fuwu") == {"XA-1"}


SHORT_WORDS = [
    ("华彩", {"HC-1"}),  # two characters of the name
    ("彩", {"HC-1"}),  # one
    ("華彩", {"HC-1"}),  # traditional, read as simplified
    ("瑞丰", {"SZ-1"}),  # the short name (the name says 深圳市瑞祥丰…)
    ("ph", {"HC-1"}),  # inside the English name
    ("-7", {"XA-7"}),  # inside the code
    ("彩瑞", set()),  # both characters there, not side by side
]


@pytest.mark.parametrize("word, codes", SHORT_WORDS)
def test_words_of_one_or_two_characters_are_found_in_every_column(cast, word, codes):
    """Words too short for a trigram are read from the gram index on PostgreSQL (accounts
    0010): the same accounts as a plain scan finds."""
    make_account(owner=cast.alice, name="华彩医药有限公司", english_name="Huacai Pharma",
                 code="HC-1")  # fmt: skip
    make_account(owner=cast.alice, name="深圳市瑞祥丰食品有限公司", short_name="瑞丰",
                 code="SZ-1")  # fmt: skip
    make_account(owner=cast.alice, name="西安会展服务有限公司", code="XA-7")
    found = set(accounts_search(Account.objects.all(), word).values_list("code", flat=True))
    assert found == codes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram index: PostgreSQL")
def test_a_two_character_word_reads_the_gram_index_not_every_account(cast):
    make_account(owner=cast.alice, name="华彩医药有限公司")
    search = accounts_search(Account.objects.all(), "华彩")
    # On a few rows the planner may read another index; the condition must be the indexed one.
    assert index_expression("account_text_grams") in plan_of(search)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes: PostgreSQL")
@pytest.mark.parametrize("word, indexes", [
    ("shanghai", ["account_pinyin_order", "account_pinyin_tail_trgm", "account_key_pinyin_prefix",
                  "account_key_initials_prefix", "account_name_initials_prefix"]),
    ("上海", ["account_name_upper_prefix", "account_text_grams"]),
])  # fmt: skip
def test_each_condition_of_a_word_is_its_indexs_expression(cast, word, indexes):
    """The start of the pinyin as a range of the ordered b-tree, its inside from the trigrams of
    the pinyin after its first letter; a short word's start from the upper-case name's b-tree,
    the rest from the grams (migrations accounts 0010, 0011): each expression as indexed."""
    make_account(owner=cast.alice, name="上海华彩医药有限公司")
    # Whichever index the planner picks on a few rows, each condition must be the indexed one.
    plan = plan_of(accounts_search(Account.objects.all(), word))
    assert [name for name in indexes if index_expression(name) not in plan] == []


@pytest.mark.parametrize("word", ["恆瑞", "恆瑞科技", "hengrui"])
def test_a_name_stored_in_traditional_characters_is_found_as_typed(cast, word):
    """(Typed in simplified characters it is found by its pinyin, not its characters.)"""
    stored = make_account(owner=cast.alice, name="恆瑞科技有限公司", code="TR-1")
    assert set(accounts_search(Account.objects.all(), word)) == {stored}
