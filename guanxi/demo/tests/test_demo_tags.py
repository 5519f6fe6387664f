"""The demo's tags are described in each language on its own: the Chinese description without an
English gloss, the English one without Chinese (the trial saw 年度框架协议客户 (annual framework
agreement) on a Chinese page), and the tag list shows the one of the page's language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.accounts.models import Tag
from guanxi.demo.writer_accounts import _tags_ensure

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")

pytestmark = pytest.mark.django_db


def test_every_demo_tag_has_a_chinese_and_an_english_description():
    tags = _tags_ensure()
    assert len(tags) > 10
    for tag in Tag.objects.filter(pk__in=[t.pk for t in tags.values()]):
        assert tag.description and not LATIN.search(tag.description), tag.name
        assert tag.description_en and not HAN.search(tag.description_en), tag.name


@pytest.mark.parametrize("language,foreign", [("zh-hans", LATIN), ("en", HAN)])
def test_the_tag_list_shows_the_description_of_the_pages_language(cast, language, foreign):
    tag = _tags_ensure()["年度框架"]
    client = Client()
    client.force_login(cast.mia)
    response = client.get(
        reverse("admin:accounts_tag_changelist"), {"q": tag.name}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    cell = response.content.decode().split('class="field-description_shown')[1].split("</td>")[0]
    shown = cell.split(">", 1)[1].strip()
    assert shown in (tag.description, tag.description_en) and not foreign.search(shown)
