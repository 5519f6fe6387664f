"""Simplified Chinese is the default UI language: its catalogue must be complete and compiled."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

LC = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
FIX = "run guanxi/locale/update.sh and translate what it lists"


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
