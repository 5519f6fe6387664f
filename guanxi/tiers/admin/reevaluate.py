"""Re-evaluate now: the tiering run and the policy tasks at once instead of at night, from any
tier or lifecycle page (managers only), and the hint to do so after a change that waits for the
nightly run."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huey.contrib.djhuey import HUEY

from guanxi.core.admin_mixins import is_manager
from guanxi.core.views import next_url
from guanxi.tiers.admin.shared import LIFECYCLE, TIERS, url_name
from guanxi.workspace.tasks import tier_reevaluate

# The page's words by purpose: a lifecycle page speaks of stages.
WORDS: dict[str, dict[str, Any]] = {
    TIERS: {
        "page": "admin:tiers_tierscheme_reevaluate",
        "later": gettext_lazy("Tiers change at the next nightly run."),
        "title": gettext_lazy("Re-evaluate tiers now"),
        "intro": gettext_lazy(
            "Evaluate every active tier scheme for every account now (as the nightly run "
            "does), then bring the policy tasks in line with the new tiers."
        ),
        "done": gettext_lazy("Re-evaluation done: %(n)s tier changes; policy tasks updated."),
        "queued": gettext_lazy(
            "Re-evaluation queued for the background worker; the tiers and tasks change "
            "when it has run (see Background jobs)."
        ),
    },
    LIFECYCLE: {
        "page": "admin:tiers_lifecyclestageset_reevaluate",
        "later": gettext_lazy("Stages change at the next nightly evaluation."),
        "title": gettext_lazy("Re-evaluate stages now"),
        "intro": gettext_lazy(
            "Evaluate every active lifecycle stage set (and tier scheme) for every account "
            "now, as the nightly run does, then bring the tasks in line with the new stages."
        ),
        "done": gettext_lazy("Re-evaluation done: %(n)s stage or tier changes; tasks updated."),
        "queued": gettext_lazy(
            "Re-evaluation queued for the background worker; the stages and tasks change "
            "when it has run (see Background jobs)."
        ),
    },
}


def offer_reevaluate(request: HttpRequest, *, purpose: str) -> None:
    """After a change the nightly run applies: say so, with a link to apply it now."""
    words = WORDS[purpose]
    messages.info(
        request,
        format_html(
            '{} <a class="underline" href="{}">{}</a>',
            words["later"],
            reverse(words["page"]),
            _("Re-evaluate now to apply"),
        ),
    )


def reevaluate_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """Confirm (GET), then run the tiering and the policy tasks (POST): inline when Huey runs in
    immediate mode, else queued for the background worker. Managers only."""
    if not is_manager(request):
        raise PermissionDenied
    words = WORDS[getattr(model_admin, "purpose", TIERS)]
    back = next_url(request, reverse(url_name(model_admin, "changelist")))
    if request.method != "POST":
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": str(words["title"]),
            "intro": str(words["intro"]),
            "back_url": back,
            "next": back,
            "immediate": huey_immediate(),
        }
        return TemplateResponse(request, "admin/tiers/reevaluate.html", context)
    result = tier_reevaluate(as_of=None)
    if not huey_immediate():
        messages.success(request, words["queued"])
        return HttpResponseRedirect(back)
    try:
        summary = result.get() if result is not None else {}
    except Exception as exc:  # the job's own JobRun row keeps the traceback
        messages.error(request, _("Re-evaluation failed: %(error)s") % {"error": exc})
        return HttpResponseRedirect(back)
    changes = ((summary or {}).get("tiering") or {}).get("changes", 0)
    messages.success(request, words["done"] % {"n": changes})
    return HttpResponseRedirect(back)


def huey_immediate() -> bool:
    """Jobs run inline (tests, a single-process demo) rather than on the background worker."""
    return bool(getattr(HUEY, "immediate", False))
