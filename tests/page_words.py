"""What a reader sees on a page, and which of its words belong to the other language.

Used by `tests/test_page_languages.py`, which crawls the demo in both languages. A page's visible
text is its text nodes and the attributes a reader sees (placeholder, title, aria-label, alt),
leaving out scripts, styles, hidden inputs, form values and `<option>` values; `data-*` values
are never text. A word of the other language is a finding unless it is data: the demo database's
own text (names, subjects, notes, codes) is collected once. Codes and samples are not findings
either: `<code>`, `<kbd>` and `<pre>` elements, an element marked with its own `lang`, lists of
accepted values ("direct（默认）、walk_in") and snake_case words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# CJK punctuation, ideographs (with extension A and compatibility forms) and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# An English word: two letters or more (a lone letter is a grade, a unit or a label such as A/B/C).
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")

# Names and abbreviations a Chinese team writes in Latin letters, and units.
ALLOWED_WORDS = {
    # methods and measures
    "CLV", "RFM", "NPS", "CSAT", "SERVQUAL", "KAM", "KAMs", "SLA", "SLAs", "API", "XLSX", "CSV",
    "ABC", "CLP", "MICE", "BG", "NBD", "ICS", "URL", "ID", "PDF", "OTA", "VIP", "LSPCAS",
    "MAN", "ROI", "KPI", "CRM", "TOP", "QR", "Brier", "alive",  # P(alive)
    "Cronbach", "Pareto", "Gamma", "Kaplan", "Meier", "Excel", "OpenAPI", "JSON", "WeChat",
    "Guanxi", "Django", "Unfold", "Huey", "PostgreSQL", "SQLite", "Chromium", "BetaGeo",
    "ParetoNBD", "SOP", "PMS", "POS", "ERP", "LNR", "Outlook", "Mac", "Control", "Command",
    "SVG", "PNG", "ISO", "UTF", "GB", "Hugo", "Boss",  # a brand in an example
    # date formats in help texts; the search box's key
    "YYYY", "MM", "DD", "HH", "SS", "esc",
    # languages name themselves in the switcher, by name and code
    "English", "zh", "hans", "en",
    # units and currency
    "km", "kg", "ms", "CNY", "RMB", "USD", "pp",
}  # fmt: skip
# Not text, or codes: a column name, a command, a JSON value.
IGNORED_TAGS = {"script", "style", "template", "noscript", "svg", "textarea", "code",
                "kbd", "pre"}  # fmt: skip
# Codes in a sentence: lists of accepted values ("direct（默认）、walk_in、phone") and pairs
# ("yes/no"), and snake_case words.
CODES = re.compile(r"[A-Za-z_]+(?=（默认）|、|/)|(?<=、|/)[A-Za-z_]+|\b[a-z]+_[a-z_]+\b")
SEEN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
# Google's Material Symbols are ligatures: <span class="material-symbols-outlined">edit</span>.
ICON = re.compile(r"material-symbols|material-icons")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class VisibleText(HTMLParser):
    """Collects the text a reader sees, one string per text node or seen attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip: list[str] = []  # open tags whose contents are not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = tag == "input" and (values.get("type") or "") == "hidden"
        if not hidden:
            self.texts += [v for name in SEEN_ATTRIBUTES if (v := values.get(name))]
        if tag in VOID:
            return
        # An element with its own language holds names or samples in that language.
        skipped = tag in IGNORED_TAGS or "lang" in values or ICON.search(values.get("class") or "")
        if skipped or self._skip:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag in self._skip:
            while self._skip and self._skip.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def data_text(*, skip_twins: bool = False) -> tuple[set[str], set[str]]:
    """The English words (in lower case) and the Chinese runs of the database's own text:
    names, subjects, notes, codes, and both languages of a name kept in both (a list of product
    categories shows both columns; ``kept_in_both`` checks an English page shows the English
    one). ``skip_twins``: without the fields kept in both languages."""
    words: set[str] = set()
    runs: set[str] = set()
    text_fields = (models.CharField, models.TextField, models.EmailField, models.URLField)
    for model in apps.get_models():
        if model._meta.app_label == "sessions":
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, text_fields) and not f.choices
        ]
        if skip_twins:
            fields = [n for n in fields if f"{n}_en" not in fields and not n.endswith("_en")]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields).distinct().iterator():
            for value in row:
                if value:
                    words.update(w.lower() for w in WORD.findall(value))
                    runs.update(CJK.findall(value))
    runs.update(m for _code, name in settings.LANGUAGES for m in CJK.findall(str(name)))
    # A person's name is shown whole ("李娜") though stored as first and last name.
    for user in get_user_model().objects.all():
        runs.update(CJK.findall(str(user)))
    return words, runs


def kept_in_both() -> dict[str, set[str]]:
    """The Chinese runs of the names kept in both languages (a field ``x`` beside ``x_en``,
    both filled: a tier's name, a category's), each with the English versions it has. A run
    that is also other data (an account named like a tier) is left out: it may be shown as
    that data. On an English page such a run is shown rightly only beside its English version
    (a list of both columns); alone, the page shows the Chinese where it should show the
    English (`chinese_in`)."""
    twins: dict[str, set[str]] = {}
    other: set[str] = set()
    text_fields = (models.CharField, models.TextField)
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, text_fields) and not f.choices]  # fmt: skip
        pairs = [(name, f"{name}_en") for name in fields if f"{name}_en" in fields]
        if not pairs:
            continue
        paired = {n for pair in pairs for n in pair}
        for row in model._default_manager.values(*fields).iterator():
            for name, name_en in pairs:
                if row[name] and row[name_en] and CJK.search(row[name]):
                    for run in CJK.findall(row[name]):
                        twins.setdefault(run, set()).add(row[name_en])
            for name in set(fields) - paired:
                other.update(CJK.findall(row[name] or ""))
    _words, runs_elsewhere = data_text(skip_twins=True)
    ambiguous = other | runs_elsewhere
    return {run: english for run, english in twins.items() if run not in ambiguous}


def english_in(texts: list[str], data_words: set[str]) -> list[str]:
    """The texts that hold an English word that is neither data nor an allowed name."""

    def foreign(word: str) -> bool:
        return word not in ALLOWED_WORDS and word.lower() not in data_words

    return [t for t in texts if any(foreign(w) for w in WORD.findall(CODES.sub(" ", t)))]


def chinese_in(
    texts: list[str], data_runs: set[str], twins: dict[str, set[str]] | None = None
) -> list[str]:
    """The texts that hold a Chinese run that is not part of the data, or that is the Chinese
    name of something kept in both languages (``kept_in_both``) while the page shows none of
    its English versions."""
    page_text = "\n".join(texts)
    twins = twins or {}

    def is_data(run: str) -> bool:
        if run in twins:
            return any(english in page_text for english in twins[run])
        return run in data_runs or all(ch in "，。、：；（）！？《》“”‘’·　" for ch in run)

    return [t for t in texts if any(not is_data(run) for run in CJK.findall(t))]


# Custom admin URLs may take an object or an account; others (a task id, a fact id) are skipped.
FILLABLE = {"object_id", "account_id"}


def admin_urls(account: models.Model) -> Iterator[str]:
    """Every changelist, add form and change form of the registry, and every custom admin page
    whose only arguments are an object or an account."""
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        yield reverse("admin:{}_{}_add".format(*info))
        obj = model._default_manager.order_by("pk").first()
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            regex = pattern.pattern.regex
            params = set(regex.groupindex)
            if regex.groups > len(params) or not params <= FILLABLE:
                continue
            if pattern.name.endswith(("_delete", "_changelist", "_add")):
                continue
            if "object_id" in params and obj is None:
                continue
            args = {"object_id": obj.pk if obj else None, "account_id": account.pk}
            kwargs = {name: args[name] for name in params}
            yield reverse(f"admin:{pattern.name}", kwargs=kwargs)


def plain_urls() -> Iterator[str]:
    """The pages outside the admin and the API (`guanxi/urls.py`): those without arguments, and
    those whose one argument names a model (`agreement_id`: the first agreement)."""
    by_name = {m._meta.model_name: m for m in apps.get_models()}

    def walk(patterns: list, prefix: str, namespace: str) -> Iterator[str]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("admin/", "api/", "i18n/")) or entry.namespace == "admin":
                    continue
                ns = ":".join(filter(None, (namespace, entry.namespace)))
                yield from walk(entry.url_patterns, route, ns)
            elif entry.name and not route.startswith(("admin/", "api/")):
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                params = set(entry.pattern.regex.groupindex)
                kwargs = {}
                for param in params:
                    model = by_name.get(param.removesuffix("_id").replace("_", ""))
                    obj = model._default_manager.order_by("pk").first() if model else None
                    if obj is None:
                        break
                    kwargs[param] = obj.pk
                else:
                    yield reverse(name, kwargs=kwargs or None)

    yield from walk(get_resolver().url_patterns, "", "")


def page(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    kind = response.get("Content-Type", "")
    html = response.content.decode() if "html" in kind or "json" in kind else ""
    return response.status_code, html
