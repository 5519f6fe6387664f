"""Product categories named in traditional characters (a Hong Kong or Taiwan export, a category
configured in traditional): read as simplified, as accounts' names are, on import and in the
categories' search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.imports.tests.helpers import messages, run
from guanxi.transactions.models import ProductCategory, Transaction

pytestmark = pytest.mark.django_db

HEAD = ["external_id", "account_code", "occurred_at", "category", "amount", "head_count"]


def test_an_import_reads_traditional_category_names_as_simplified(cast):
    spa = ProductCategory.objects.create(code="spa", name="水療", sort_order=90)
    rows = [HEAD,
            ["T1", cast.account.code, "2024-05-01", "餐飲", "100", ""],
            ["T2", cast.account.code, "2024-05-02", "會議及活動場地", "200", ""],
            ["T3", cast.account.code, "2024-05-03", "水疗", "300", ""],
            ["T4", cast.account.code, "2024-05-04", "ＦＮＢ", "400", ""],
            ["T5", cast.account.code, "2024-05-05", "按摩", "500", ""]]  # fmt: skip
    report = run("transactions", rows, user=cast.alice)
    got = dict(Transaction.objects.values_list("external_id", "category__code"))
    assert got == {"T1": "fnb", "T2": "meeting", "T3": spa.code, "T4": "fnb"}
    [message] = messages(report)[6]
    assert "按摩" in message


@pytest.mark.parametrize(
    ("text", "codes"),
    [("餐飲", {"fnb"}), ("餐饮", {"fnb"}), ("會議", {"meeting"}), ("水疗", {"spa"}),
     ("水療", {"spa"}), ("FOOD", {"fnb"}), ("", None)],
)  # fmt: skip
def test_the_categories_search_reads_traditional_as_simplified(cast, client, text, codes):
    ProductCategory.objects.create(code="spa", name="水療", sort_order=90)
    client.force_login(cast.mia)
    response = client.get(reverse("admin:transactions_productcategory_changelist"), {"q": text})
    assert response.status_code == 200
    shown = {c.code for c in response.context["cl"].result_list}
    assert shown == (codes if codes is not None else set(ProductCategory.objects.values_list(
        "code", flat=True)))
