"""English pages carry no Chinese, and Chinese pages no English template text.

The rule: every page in zh-Hans has no English sentence and every page in English no Chinese
gloss; only names and data keep their language. These tests render the pages in English with
data made of ASCII names only, so any Chinese character on them comes from the code: a msgid
with a gloss, a literal in a template, a separator. The admin pages are found from the admin
registry (every changelist, add form, change form and custom page), so a new app is covered
without touching this file.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.agreements.models import RateReview
from guanxi.agreements.rates import rate_create
from guanxi.agreements.services import agreement_create, agreement_sign
from guanxi.assessments.models import Checklist, Option, Question
from guanxi.contacts.models import Contact
from guanxi.core.models import Role
from guanxi.loyalty.models import LightRule
from guanxi.plans.services import plan_create
from guanxi.relationships.services import buying_centre_member_set, relationship_stage_record
from guanxi.service.models import CaseCategory, SlaPolicy
from guanxi.service.services import case_open, case_step_mark, case_transition
from guanxi.surveys.models import SurveyItem, SurveyTemplate
from guanxi.tiers.models import DiscountReview, Tier, TierScheme
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from guanxi.transactions.models import ProductCategory
from tests.page_words import admin_urls, page
from tests.support import make_account, make_contact, make_payment, make_transaction, make_user

pytestmark = pytest.mark.django_db

# CJK punctuation, ideographs (with extension A and compatibility forms) and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Names keep their language: the language switcher names each language in itself.
NAMES = tuple(name for _code, name in settings.LANGUAGES if CJK.search(str(name)))


# An element marked as Chinese holds names or sample data in their own language (the Chinese
# column headers an import accepts): the page says so with lang="zh-Hans".
IN_CHINESE = re.compile(r"<(\w+)\b[^>]*\blang=\"zh[^\"]*\"[^>]*>.*?</\1>", re.S)


def chinese_in(html: str) -> list[str]:
    """Each Chinese character on the page with a little of its surroundings, names left out."""
    for name in NAMES:
        html = html.replace(str(name), "")
    html = IN_CHINESE.sub("", html)
    return [html[max(0, m.start() - 40) : m.end() + 20] for m in CJK.finditer(html)]


@pytest.fixture
def world(cast):
    """The cast with ASCII names only, a mapped buying centre, a touchpoint, a transaction, a
    payment and an account plan: enough for every page to show its sections."""
    for record, name in ((cast.account, "East Expo Group"), (cast.west_account, "West Travel")):
        Account.objects.filter(pk=record.pk).update(name=name)
        Account.history.filter(id=record.pk).update(name=name)  # the history page shows it
    for category in ProductCategory.objects.all():  # seeded by a migration in both languages
        category.name = category.name_en or category.code
        category.save(update_fields=["name"])
    LightRule.objects.update(name=F("name_en"))  # seeded by a migration in both languages
    for model in (CaseCategory, SlaPolicy):  # seeded by a migration in both languages
        for row in model.objects.all():
            row.name = row.name_en or str(row.pk)
            row.save(update_fields=["name"])
    for template in SurveyTemplate.objects.all():  # seeded in both languages, as above
        SurveyTemplate.objects.filter(pk=template.pk).update(
            name=template.name_en, intro=template.intro_en
        )
    for item in SurveyItem.objects.all():
        SurveyItem.objects.filter(pk=item.pk).update(text=item.text_en)
    Checklist.objects.update(name=F("name_en"))  # the 客户状态分析表, seeded as above
    Question.objects.update(text=F("text_en"))
    Option.objects.update(label=F("label_en"))
    account = Account.objects.get(pk=cast.account.pk)
    subsidiary = make_account(owner=cast.alice, name="East Expo Shanghai", parent=account)
    ceo = make_contact(account=account, name="Wang Wei", title="CEO")
    cfo = make_contact(account=account, name="Li Na", title="CFO")
    make_contact(account=subsidiary, name="Zhang Min", title="Buyer")
    kw = {"account": account, "actor": cast.alice}
    buying_centre_member_set(contact=ceo, buying_roles=["approver"], stance="champion", **kw)
    buying_centre_member_set(contact=cfo, buying_roles=["decision_maker", "user"],
                             reports_to=ceo, rising_star=True, **kw)  # fmt: skip
    visit = Touchpoint.objects.create(account=account, kind=TouchpointKind.VISIT,
                                      occurred_at=timezone.now() - dt.timedelta(days=3),
                                      subject="Yearly review")  # fmt: skip
    visit.contacts.add(cfo)
    relationship_stage_record(stage="trust", contact=cfo, evidence=visit,
                              reached_on=timezone.localdate() - dt.timedelta(days=3),
                              **kw)  # fmt: skip
    sale = make_transaction(account=account, amount="8800.00", contact=cfo, discount_rate="0.7")
    scheme = TierScheme.objects.create(code="gold", name="Gold scheme", name_en="Gold scheme")
    gold = Tier.objects.create(scheme=scheme, code="gold", name="Gold", name_en="Gold", rank=1)
    DiscountReview.objects.create(transaction=sale, account=account, discount_rate=Decimal("0.7"),
                                  floor=Decimal("0.85"), tier=gold)  # fmt: skip
    today = timezone.localdate()
    agreement = agreement_create(actor=cast.alice, account=account, name="Expo frame",
                                 agreement_type="framework", starts_on=today - dt.timedelta(30),
                                 ends_on=today + dt.timedelta(300), reference="FA-1",
                                 covered_accounts=[subsidiary], their_signers=[ceo])  # fmt: skip
    rate = rate_create(actor=cast.alice, agreement=agreement, category="rooms", value=Decimal(680))
    agreement_sign(actor=cast.alice, agreement=agreement)
    RateReview.objects.create(transaction=sale, agreement=agreement, account=account, rate=rate,
                              basis=rate.basis, expected=rate.value,
                              actual=Decimal(700))  # fmt: skip
    make_payment(account=account, amount="5000.00")
    case = case_open(actor=cast.alice, account=account, kind="complaint", subject="Noisy room",
                     contact=cfo, category=CaseCategory.objects.first())  # fmt: skip
    case_transition(actor=cast.alice, case=case, to="acknowledged")
    case_step_mark(actor=cast.alice, case=case, step="listen")
    plan = plan_create(account=account, year=timezone.localdate().year, owner=cast.alice,
                       actor=cast.alice, title="Expo plan")  # fmt: skip
    root = make_user("root", role=Role.ADMIN, is_superuser=True)
    assert not any(CJK.search(str(c)) for c in Contact.objects.all())
    return {"account": account, "plan": plan, "root": root}


@pytest.mark.usefixtures("english")
def test_every_admin_page_in_english_has_no_chinese(world):
    client = Client(raise_request_exception=False)
    client.force_login(world["root"])
    seen, broken, chinese = 0, {}, {}
    for url in dict.fromkeys(admin_urls(world["account"])):
        status, html = page(client, url)
        seen += 1
        if status >= 500 or status in (404,):
            broken[url] = status
        if found := chinese_in(html):
            chinese[url] = found[:3]
    assert seen > 100  # the registry was walked
    report = [f"{url}: HTTP {status}" for url, status in broken.items()]
    report += [f"{url}: {found}" for url, found in chinese.items()]
    assert not report, "\n".join(report)


@pytest.mark.usefixtures("english")
def test_workspace_pages_in_english_have_no_chinese(client, cast, world):
    account, plan = world["account"], world["plan"]
    urls = [
        reverse("admin:index"),  # the dashboard
        reverse("admin:activities_task_today"),
        reverse("admin:accounts_account_view_360", args=(account.pk,)),
        reverse("admin:relationships_buyingcentremember_map", args=(account.pk,)),
        reverse("admin:plans_accountplan_change", args=(plan.pk,)),
        reverse("admin:plans_accountplan_print_plan", args=(plan.pk,)),
        reverse("reports_distribution"),
        reverse("api:openapi-view"),
        reverse("api:openapi-json"),
    ]
    for user in (cast.alice, cast.mia):  # a KAM's Today and a manager's dashboard differ
        client.force_login(user)
        for url in urls:
            status, html = page(client, url)
            assert status == 200, url
            assert not chinese_in(html), (user.username, url, chinese_in(html)[:3])


# --- the other direction: template text outside {% translate %} ----------------------------------

TEMPLATES = Path(settings.BASE_DIR)  # the guanxi package
# What is not text shown to the reader: Django's tags, variables and comments first (they may
# sit inside an HTML tag and hold a ">"), then scripts, styles, comments, markup and entities.
DJANGO = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|{%.*?%}|{{.*?}}", re.S)
MARKUP = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>|&[a-z#0-9]+;", re.S
)
# Blocks that translate their contents, icon ligatures ("cake") and the body's CSS classes.
NOT_WORDS = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|<span class=\"material-symbols[^\"]*\"[^>]*>.*?</span>"
    r"|{%\s*block bodyclass\s*%}.*?{%\s*endblock\s*%}",
    re.S,
)
WORD = re.compile(r"\b[A-Za-z]*[a-z][A-Za-z]*\b")  # acronyms (RFM, ABC) are names


def english_text(template: str) -> list[str]:
    """English words a template shows outside {% translate %} and {% blocktranslate %}."""
    text = MARKUP.sub(" ", DJANGO.sub(" ", NOT_WORDS.sub(" ", template)))
    return [line.strip() for line in text.splitlines() if WORD.search(line)]


def test_templates_show_no_english_outside_translate_tags():
    found = {
        str(path.relative_to(TEMPLATES)): words
        for path in sorted(TEMPLATES.rglob("templates/**/*.html"))
        if (words := english_text(path.read_text()))
    }
    assert not found, found
