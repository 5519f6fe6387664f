"""The loyalty pages (admin look and login, plain URLs in `urls.py`):

- /loyalty/lights/: the 警报客户管理表 — account, light, reason, the KAM's feedback, the
  company's countermeasure, status; filters; a page at a time; XLSX export of the filtered rows;
- /loyalty/lights/<id>/: one light, where the KAM records feedback (Today posts here too) and a
  team lead or manager the countermeasure;
- /loyalty/referrals/: the referrals (转介绍) — who referred whom (a contact or an account → a
  new account or a lead), when, and what the referred account has brought (its revenue from the
  stored ledger rollup, never the ledger itself); filters by the referring account's KAM or team
  and by period; the promoters who have referred nobody, with their referral-ask task (or none
  yet); XLSX export of the filtered referrals;
- /loyalty/matrix/: the loyalty matrix (`views_matrix.py`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.admin_mixins import show_service_error
from guanxi.core.errors import ApplicationError, NotFound
from guanxi.core.views import next_url
from guanxi.loyalty import services
from guanxi.loyalty.forms import LightFilterForm, LightForm, ReferralFilterForm
from guanxi.loyalty.selectors import (
    LightFilters,
    ReferralFilters,
    light_counts,
    light_get,
    light_list,
    promoters_without_referral,
    referral_list,
    referral_totals,
)
from guanxi.loyalty.sheets import EXPORT_MAX, lights_xlsx, referrals_xlsx
from guanxi.loyalty.words import reason_words

PAGE_SIZE = 50
PROMOTERS_SHOWN = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered(request: HttpRequest) -> tuple[LightFilterForm, Any]:
    form = LightFilterForm(request.GET or None)
    values = form.values() if form.is_bound else {}
    state = values.get("state", "lit")
    filters = LightFilters(
        colour=values.get("colour"),
        status=values.get("status"),
        rule=values.get("rule"),
        lit={"lit": True, "cleared": False}.get(state),
    )
    qs = light_list(actor=request.user, filters=filters)
    if values.get("q"):
        qs = qs.filter(account__name__icontains=values["q"])
    return form, qs


def lights_view(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Warning lights table"),
        "form": form,
        "page": page,
        "rows": [(light, reason_words(light)) for light in page.object_list],
        "counts": light_counts(request.user),
        "query": query.urlencode(),
        "export_url": f"{reverse('loyalty_lights_export')}?{query.urlencode()}",
        "may_countermeasure": services.may_set_countermeasure(request.user),
    }
    return TemplateResponse(request, "admin/loyalty/lights.html", context)


def lights_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _filtered(request)
    body = lights_xlsx(qs[:EXPORT_MAX])
    response = HttpResponse(body, content_type=XLSX)
    name = f"warning-lights-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def light_view(request: HttpRequest, light_id: int) -> HttpResponse:
    try:
        light = light_get(actor=request.user, light_id=light_id)
    except NotFound:
        raise Http404 from None
    may = services.may_set_countermeasure(request.user)
    form = LightForm(request.POST or None, may_countermeasure=may, initial={
        "kam_feedback": light.kam_feedback, "countermeasure": light.countermeasure,
        "status": light.status,
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.light_update(actor=request.user, light=light, **form.changes())
        except ApplicationError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("The warning light was updated."))
            return HttpResponseRedirect(next_url(request, request.path))
    context = {
        **admin.site.each_context(request),
        "title": _("Warning light"),
        "light": light,
        "reason": reason_words(light),
        "form": form,
        "history": list(
            light.history.select_related("history_user").order_by("-history_date")[:20]
        ),
        "back_url": next_url(request, reverse("loyalty_lights")),
    }
    return TemplateResponse(request, "admin/loyalty/light.html", context)


# --- Referrals ----------------------------------------------------------------------------------


def _referrals_filtered(request: HttpRequest) -> tuple[ReferralFilterForm, ReferralFilters, Any]:
    form = ReferralFilterForm(request.GET or None)
    values = form.values(timezone.localdate()) if form.is_bound else {}
    filters = ReferralFilters(**values)
    return form, filters, referral_list(actor=request.user, filters=filters)


def referrals_view(request: HttpRequest) -> HttpResponse:
    form, filters, qs = _referrals_filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    promoters = promoters_without_referral(
        actor=request.user, as_of=timezone.localdate(), filters=filters
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Referrals"),
        "form": form,
        "page": page,
        "totals": referral_totals(qs),
        "promoters": list(promoters[:PROMOTERS_SHOWN]),
        "promoters_total": promoters.count(),
        "query": query.urlencode(),
        "export_url": f"{reverse('loyalty_referrals_export')}?{query.urlencode()}",
        "add_url": reverse("admin:loyalty_referral_add"),
    }
    return TemplateResponse(request, "admin/loyalty/referrals.html", context)


def referrals_export(request: HttpRequest) -> HttpResponse:
    _form, _filters, qs = _referrals_filtered(request)
    response = HttpResponse(referrals_xlsx(qs[:EXPORT_MAX]), content_type=XLSX)
    name = f"referrals-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
