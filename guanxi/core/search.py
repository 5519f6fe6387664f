"""Short search words on PostgreSQL: the characters and character pairs of a text (C14).

pg_trgm serves ``UPPER(col) LIKE '%word%'`` (Django's ``icontains``) from three characters up. A
word of one or two characters ("华彩", "王芳", "hc") has no trigram, so PostgreSQL read every row
of the table for it: a second at 1,000,000 accounts. The SQL function ``guanxi_grams`` (core
migration 0007) lists the characters and the pairs of neighbouring characters of a text; a GIN
index on ``guanxi_grams(UPPER(columns))`` finds the rows holding every gram of a short word, and
the ``icontains`` beside it (`short_word_q`) keeps those that hold the word itself.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q

#: Words this short have no trigram; they are looked up by their grams instead.
GRAM_WORD_MAX = 2


def search_text(text: str) -> str:
    """A search box's text as a query may hold it: without NUL, which PostgreSQL refuses (a
    500 where the search should find nothing)."""
    return text.replace("\x00", "")


class HasGrams(Func):
    """``guanxi_grams(UPPER(c1 || ' ' || c2 …)) @> guanxi_grams(UPPER(word))``: true for the rows
    whose columns hold every character and pair of ``word``, read from a GIN index built on the
    same expression (the columns in the same order)."""

    template = "guanxi_grams(UPPER(%(expressions)s))"
    arg_joiner = " || ' ' || "
    output_field = BooleanField()

    def __init__(self, *columns: str | Any, word: str) -> None:
        super().__init__(*(F(c) if isinstance(c, str) else c for c in columns))
        self.word = word

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = super().as_sql(compiler, connection, **extra)
        return f"{sql} @> guanxi_grams(UPPER(%s))", [*params, self.word]


def grams_serve(word: str) -> bool:
    """Whether ``word`` is looked up by its grams: short, one piece, on PostgreSQL."""
    return (
        0 < len(word) <= GRAM_WORD_MAX
        and not any(ch.isspace() for ch in word)
        and connection.vendor == "postgresql"
    )


def short_word_q(indexed: tuple[str | Any, ...], words: dict[str, str]) -> Q:
    """Rows where one of the columns of ``words`` (column → the word as that column is
    searched) contains its word, for words `grams_serve` accepts. ``indexed``: the columns (or
    expressions) of the gram index, in its order; per distinct word the index narrows the rows
    and ``icontains`` checks them."""
    by_word: dict[str, Q] = {}
    for column, word in words.items():
        by_word[word] = by_word.get(word, Q()) | Q(**{f"{column}__icontains": word})
    q = Q()
    for word, found in by_word.items():
        q |= Q(HasGrams(*indexed, word=word)) & found
    return q
