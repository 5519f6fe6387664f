"""Findings of the second new-user trial on the lifecycle pages: a history entry's page reads as
one record (who or what, the reason once, the figures, ISO dates), the set-by-hand page speaks
with one wording and capitalised labels, and set-name prefixes use the translated separator."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from guanxi.accounts.models import Account
from guanxi.tiers import admin_filters
from guanxi.tiers.admin_filters import LifecycleStageFilter, lifecycle_badges
from guanxi.tiers.models import AccountLifecycleStage, LifecycleStageChange, TierChange
from guanxi.tiers.services import account_tier_override, tiering_run
from guanxi.tiers.templatetags import tiers_tags
from guanxi.tiers.templatetags.tiers_tags import lifecycle_context
from guanxi.tiers.tests.test_lifecycle import AS_OF, NOW, activate, buy, every
from tests.support import make_account

REASON = "Lost the framework tender"


@pytest.fixture
def regular(cast):
    account = make_account(owner=cast.alice, name="regular")
    buy(account, *every(dt.date(2024, 1, 10), 34, 30))
    return account


def detail(client, model: str, pk: int) -> str:
    response = client.get(reverse(f"admin:tiers_{model}_change", args=(pk,)))
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_rule_change_names_the_rules_and_their_run_with_iso_dates(client, cast, regular, english):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    change = LifecycleStageChange.objects.get(account=regular)
    client.force_login(cast.mia)
    body = detail(client, "lifecyclestagechange", change.pk)
    assert "the rules (stage evaluation of 2026-07-10)" in body
    assert body.count("stage evaluation of") == 1  # one who/what line, not a second "by"
    assert "Changed by" in body and "Recorded by" not in body and ">By<" not in body
    assert "Rules re-evaluated" in body  # the reason
    assert "purchases, 12 months" in body  # the figures
    assert "2026-07-10" in body and "July 10, 2026" not in body and "Jul. 10, 2026" not in body


@time_machine.travel(NOW, tick=False)
def test_a_change_by_hand_names_the_person_and_gives_the_reason_once(
    client, cast, regular, english
):
    (scheme,) = activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    account_tier_override(
        account=regular, scheme=scheme, tier=scheme.tiers.get(code="decline"),
        reason=REASON, until=None, actor=cast.mia,
    )  # fmt: skip
    change = LifecycleStageChange.objects.get(account=regular, reason="override")
    client.force_login(cast.mia)
    body = detail(client, "lifecyclestagechange", change.pk)
    assert body.count(REASON) == 1
    assert body.count("Changed by") == 1 and "the rules" not in body
    assert re.search(r"Changed by.*?\bmia\b", body, re.DOTALL)
    assert NOW.astimezone().date().isoformat() in body


@time_machine.travel(NOW, tick=False)
def test_the_chinese_history_page_shows_iso_dates(client, cast, regular):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    change = LifecycleStageChange.objects.get(account=regular)
    client.force_login(cast.mia)
    body = detail(client, "lifecyclestagechange", change.pk)
    assert "2026-07-10" in body and "2026年7月10日" not in body


@time_machine.travel(NOW, tick=False)
def test_the_tier_history_page_reads_the_same_way(client, cast, regular, english):
    (scheme,) = activate("pyramid")
    tiering_run(as_of=AS_OF)
    change = TierChange.objects.get(account=regular, scheme=scheme)
    client.force_login(cast.mia)
    body = detail(client, "tierchange", change.pk)
    assert "the rules (tiering run of 2026-07-10)" in body and body.count("tiering run of") == 1
    assert "Jul. 10, 2026" not in body and "July 10, 2026" not in body
    account_tier_override(
        account=regular, scheme=scheme, tier=scheme.tiers.order_by("rank").first(),
        reason=REASON, until=None, actor=cast.mia,
    )  # fmt: skip
    manual = TierChange.objects.get(account=regular, scheme=scheme, reason="override")
    assert detail(client, "tierchange", manual.pk).count(REASON) == 1
    # The list says who too: the rules with their run, not an empty "changed by".
    listing = client.get(reverse("admin:tiers_tierchange_changelist")).content.decode()
    assert "the rules (tiering run of 2026-07-10)" in listing


@time_machine.travel(NOW, tick=False)
def test_set_by_hand_is_one_wording_from_the_card_to_the_message(client, cast, regular, english):
    (scheme,) = activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    request = RequestFactory().get("/")
    request.user = cast.mia
    url = lifecycle_context(regular, request=request)["sets"][0]["override_url"]
    client.force_login(cast.mia)
    page = client.get(url).content.decode()
    assert "Set by hand: regular · " in page and "Set the lifecycle stage" not in page
    assert re.search(r'<label for="id_tier"[^>]*>\s*Stage<span', page)
    assert re.search(r'<label for="id_reason"[^>]*>\s*Reason<span', page)
    decline = scheme.tiers.get(code="decline")
    response = client.post(url, {"tier": decline.pk, "reason": REASON}, follow=True)
    assert "Set by hand: regular · Decline" in response.content.decode()
    assert AccountLifecycleStage.objects.get(account=regular).tier == decline


@time_machine.travel(NOW, tick=False)
def test_set_name_prefixes_use_the_translated_separator(cast, regular, monkeypatch):
    activate("lifecycle-001", "lifecycle-004")
    tiering_run(as_of=AS_OF)
    # What the Chinese catalogue gives for ": " (the lead translates it).
    monkeypatch.setattr(tiers_tags, "label_sep", lambda: "：")
    monkeypatch.setattr(admin_filters, "label_sep", lambda: "：")
    html = lifecycle_badges(Account.objects.get(pk=regular.pk))
    assert "关系发展周期：</span>" in html and "客户阶梯：</span>" in html
    assert ": " not in re.sub(r'style="[^"]*"', "", html)  # titles and labels alike
    request = RequestFactory().get("/")
    request.user = cast.mia
    labels = [
        label for _v, label in LifecycleStageFilter(request, {}, Account, None).lookup_choices
    ]
    assert "关系发展周期：退化期" in labels and not any(": " in label for label in labels)
