"""The public answer page (/s/<token>/): no login, one personal link, nothing on it but the
template's questions in the reader's language (the link's language; ?lang= switches).

Rate-limited per client address (REMOTE_ADDR, which guanxi.wsgi sets from a trusted proxy)
through the cache every server process shares (`settings.cache_config`):
GUANXI_SURVEY_RATE_LIMIT requests a minute, then 429. A link that is tampered with, unknown,
expired or already answered gets a page saying so and a 4xx.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import InvalidInput
from guanxi.surveys.models import AnswerKind, Language, SurveyInvitation
from guanxi.surveys.services import (
    Answers,
    LinkRefused,
    invitation_for_token,
    item_pairs,
)
from guanxi.workspace.flows import survey_submit

REFUSALS = {
    "invalid": gettext_lazy(
        "This survey link is not valid. Please check that you opened the whole link."
    ),
    "expired": gettext_lazy("This survey link has expired. Thank you for your interest."),
    "answered": gettext_lazy("This survey has already been answered. Thank you!"),
    "rate": gettext_lazy("Too many requests. Please wait a minute and try again."),
}
NPS_SCALE = range(0, 11)
CSAT_SCALE = range(1, 6)
SERVQUAL_SCALE = range(1, 8)


def rate_limited(request: HttpRequest) -> bool:
    """One more request from this address this minute; True once over the limit."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = f"surveys:rate:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    return count > settings.GUANXI_SURVEY_RATE_LIMIT


def _language(request: HttpRequest, invitation: SurveyInvitation | None) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    if wanted in Language.values:
        return wanted
    return invitation.language if invitation else Language.ZH_HANS


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never cached, never sent to another site as a referrer
    # (same-origin, not no-referrer: that would send "Origin: null" and fail the CSRF check),
    # never indexed.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request: HttpRequest, reason: str, status: int, lang: str) -> HttpResponse:
    with translation.override(lang):
        context = {"reason": reason, "message": str(REFUSALS[reason]), "lang": lang}
        page = render(request, "surveys/refused.html", context, status=status)
    return _private(page)


def _questions(invitation: SurveyInvitation, lang: str, posted: dict) -> list[dict]:
    rows = []
    for item in invitation.template.items.all():
        row = {"item": item, "text": item.text_in(lang), "kind": item.answer}
        if item.answer == AnswerKind.SERVQUAL:
            row["expected"] = posted.get(f"e_{item.pk}", "")
            row["perceived"] = posted.get(f"p_{item.pk}", "")
            row["error_key"] = f"item_{item.pk}"
        rows.append(row)
    return rows


@require_http_methods(["GET", "POST"])
def answer_view(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request, None)
    if rate_limited(request):
        return _refused(request, "rate", 429, lang)
    try:
        invitation = invitation_for_token(token)
    except LinkRefused as refusal:
        return _refused(request, refusal.reason, refusal.status_code, lang)
    lang = _language(request, invitation)
    errors: dict[str, list[str]] = {}
    posted = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        answers = Answers(
            nps_score=posted.get("nps_score"),
            csat_score=posted.get("csat_score"),
            comment=posted.get("comment", ""),
            pairs=item_pairs(invitation.template, posted),
        )
        with translation.override(lang):
            try:
                survey_submit(token=token, answers=answers)
            except LinkRefused as refusal:
                return _refused(request, refusal.reason, refusal.status_code, lang)
            except InvalidInput as exc:
                errors = exc.errors
            else:
                return _private(render(request, "surveys/thanks.html", {"lang": lang}))
    template = invitation.template
    other = Language.EN if lang == Language.ZH_HANS else Language.ZH_HANS
    context = {
        "lang": lang,
        "other_lang": other,
        "other_lang_name": Language(other).label,  # each language named in itself
        "title": template.name_in(lang),
        "intro": (template.intro_en or template.intro) if lang == Language.EN else template.intro,
        "questions": _questions(invitation, lang, posted),
        "posted": posted,
        "errors": errors,
        "nps_scale": NPS_SCALE,
        "csat_scale": CSAT_SCALE,
        "servqual_scale": SERVQUAL_SCALE,
    }
    with translation.override(lang):
        page = render(request, "surveys/answer.html", context, status=422 if errors else 200)
    return _private(page)
