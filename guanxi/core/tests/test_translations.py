"""Simplified Chinese is the default UI language: its catalogue must be complete and compiled."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from guanxi.core.admin_words import DJANGO_ADMIN_TITLES

LC = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
FIX = "run guanxi/locale/update.sh and translate what it lists"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _entries(text: str) -> list[str]:
    return [e for e in text.split("\n\n") if "msgid" in e]


def test_catalogue_has_no_fuzzy_or_empty_translation():
    entries = _entries((LC / "django.po").read_text())[1:]  # [0] is the header
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    empty = [e for e in entries if re.search(r'msgstr ""\Z', e.strip())]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries; {FIX}"
    assert not empty, f"{len(empty)} untranslated entries, e.g. {empty[0]!r}; {FIX}"


# gettext's extractor does not look inside f-string expressions: a call to _ inside the braces
# of an f-string is never in the catalogue and stays English on a Chinese page.
GETTEXT_IN_FSTRING = re.compile(r"""\bf(["']).*?\{\s*_\(""")


def test_no_gettext_call_hides_inside_an_f_string():
    package = Path(__file__).resolve().parents[2]
    hidden = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if GETTEXT_IN_FSTRING.search(line)
    ]
    assert not hidden, f"move these gettext calls out of f-strings: {hidden}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext not installed")
def test_compiled_catalogue_is_up_to_date(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(LC / "django.po")], check=True
    )
    assert fresh.read_bytes() == (LC / "django.mo").read_bytes(), f"django.mo is stale; {FIX}"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Taboos", "忌讳"),
        ("Key account manager", "客户经理"),
        ("Filters", "筛选"),  # django-unfold ships no zh_Hans; our catalogue supplies it
        ("Apply Filters", "应用筛选"),
    ],
)
def test_strings_translate_both_ways(english, chinese):
    with translation.override("zh-hans"):
        assert gettext(english) == chinese
    with translation.override("en"):
        assert gettext(english) == english


def test_a_person_has_a_name_distinct_from_an_organisation():
    with translation.override("zh-hans"):
        assert pgettext("person", "name") == "姓名"
        assert gettext("name") == "名称"


def test_the_ui_speaks_chinese_by_default(client, cast):
    client.force_login(cast.mia)
    html = client.get(reverse("admin:accounts_account_changelist")).content.decode()
    assert "筛选" in html and "客户编号" in html
    assert ">Filters<" not in html


def test_every_model_has_a_chinese_name():
    """Model names show on pages (the merge preview's "rows moved"): none may be Django's
    English default ("closed deal stages" on a zh-Hans page). simple_history's tables behind a
    many-to-many field are left out: no page names them."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    with translation.override("zh-hans"):
        missing = [
            m._meta.label
            for m in apps.get_models()
            if m.__module__.startswith("guanxi")
            and not (m.__name__.startswith("Historical") and "_" in m.__name__)
            and not (cjk.search(str(m._meta.verbose_name))
                     and cjk.search(str(m._meta.verbose_name_plural)))
        ]  # fmt: skip
    assert not missing, f"models without a translated verbose_name: {missing}"


@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("de-DE,de", "zh-hans"),
        ("", "zh-hans"),
    ],
)
def test_the_ui_follows_the_browser_and_speaks_chinese_when_it_asks_for_neither(
    client, accept, language
):
    """What the README says: the browser's language when it is Chinese or English, else
    LANGUAGE_CODE (zh-hans)."""
    html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert re.search(r'<html[^>]* lang="([^"]+)"', html).group(1) == language


def test_djangos_admin_titles_read_without_spaces_in_chinese(client, cast):
    """Django's own catalogue says "选择 客户 来修改"; ours comes first: "选择客户来修改"."""
    with translation.override("zh-hans"):
        for msgid in DJANGO_ADMIN_TITLES:
            title = gettext(msgid) % "客户"
            assert " " not in title and "客户" in title, msgid
    client.force_login(cast.mia)
    for name in ("admin:contacts_contact_changelist", "admin:contacts_contact_add"):
        title = str(client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans").context["title"])
        assert CJK.search(title) and " " not in title, title


def test_no_page_header_names_the_app_and_its_model_alike():
    """The header reads app › model › object: "协议 › 协议 › …" said the same word twice."""
    for language in ("zh-hans", "en"):
        with translation.override(language):
            same = [
                model._meta.label
                for model in admin.site._registry
                if str(model._meta.app_config.verbose_name).lower()
                == str(model._meta.verbose_name_plural).lower()
            ]
        assert not same, (language, same)
