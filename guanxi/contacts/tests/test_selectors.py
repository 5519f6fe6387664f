import pytest
from django.db import connection

from guanxi.contacts.models import Contact
from guanxi.contacts.selectors import contact_word_q
from tests.support import index_expression, make_contact, plan_of


@pytest.mark.parametrize("word, names", [("王芳", {"王芳"}), ("芳", {"王芳", "李芳华"}),
                                         ("芳华", {"李芳华"}), ("王华", set())])  # fmt: skip
def test_a_name_of_one_or_two_characters_is_found(cast, word, names):
    """Too short for a trigram: the name's gram index on PostgreSQL (contacts 0009)."""
    made = [make_contact(account=cast.account, name=name).pk for name in ("王芳", "李芳华", "张伟")]
    found = Contact.objects.filter(contact_word_q(word, indexed_only=True), pk__in=made)
    assert set(found.values_list("name", flat=True)) == names


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram index: PostgreSQL")
def test_a_two_character_name_reads_the_gram_index(cast):
    make_contact(account=cast.account, name="王芳")
    search = Contact.objects.filter(contact_word_q("王芳", indexed_only=True))
    # On a few rows the planner may read another index; the condition must be the indexed one.
    assert index_expression("contact_name_grams") in plan_of(search)


@pytest.mark.parametrize("word", ["張偉", "張", "zhangwei"])
def test_a_name_stored_in_traditional_characters_is_found_as_typed(cast, word):
    person = make_contact(account=cast.account, name="張偉")
    found = Contact.objects.filter(contact_word_q(word, indexed_only=True), account=cast.account)
    assert set(found) == {person}
