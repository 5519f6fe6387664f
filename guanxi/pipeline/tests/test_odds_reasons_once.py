"""The empty buying centre is one reason in a deal's odds, not two; the owner drop-down offers
sales people, not the superuser (trial finding 9)."""

from __future__ import annotations

import pytest

from guanxi.core.models import User
from guanxi.pipeline.admin.opportunity import owner_choices
from guanxi.pipeline.odds_words import Reason, merge_no_map


def test_an_empty_buying_centre_is_one_reason_with_both_points():
    reasons = [
        Reason("stage_reached", "3", 12.0, "the deal has reached proposal"),
        Reason("single_threaded", "no_map", -5.0, "no buying centre to spread the relationship"),
        Reason("decision_maker", "no_map", -4.0, "nobody is mapped on the buying centre yet"),
        Reason("account_plan", "none", -2.0, "no account plan"),
    ]
    merged = merge_no_map(reasons)
    assert [(r.feature, r.points) for r in merged] == [
        ("stage_reached", 12.0),
        ("decision_maker", -9.0),
        ("account_plan", -2.0),
    ]
    assert merged[1].text == "nobody is mapped on the buying centre yet"


def test_a_mapped_centre_keeps_its_reasons():
    reasons = [
        Reason("single_threaded", "yes", -5.0, "one person speaks for us"),
        Reason("decision_maker", "mapped", 4.0, "a decision maker is mapped"),
    ]
    assert merge_no_map(reasons) == reasons


@pytest.mark.django_db
def test_the_owner_drop_down_offers_sales_people_only(cast):
    root = User.objects.create_superuser("root", "root@example.com", "x", role="admin")
    offered = set(owner_choices(root, None).values_list("username", flat=True))
    assert "root" not in offered
    assert {"alice", "bob"} <= offered
