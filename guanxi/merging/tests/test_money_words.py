"""Sums on the merge preview and quantities on the agreement pages read as numbers, grouped by
thousands, in every language (trial finding 11: "24890000.00", "0 / 390000 / 780000")."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from guanxi.accounts.models import Account
from guanxi.merging.summary import display


def test_the_merge_preview_shows_a_sum_in_yuan():
    field = Account._meta.get_field("annual_sales")
    with translation.override("zh-hans"):
        assert display(field, Decimal("24890000.00")) == "¥24,890,000"


def test_quantities_are_grouped_in_chinese_too():
    template = Template(
        '{% include "admin/agreements/_volume.html" with value=v basis="quantity" unit="间夜" %}'
    )
    with translation.override("zh-hans"):
        assert template.render(Context({"v": Decimal("842781")})).strip() == "842,781 间夜"
        money = Template(
            '{% include "admin/agreements/_volume.html" with value=v basis="amount" %}'
        )
        assert money.render(Context({"v": Decimal("390000")})).strip() == "¥390,000"
