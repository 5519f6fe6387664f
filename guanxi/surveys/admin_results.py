"""The survey results page (/admin/surveys/surveyresponse/results/): NPS and CSAT by month
with a chart, then by tier, segment, KAM or account; the SERVQUAL gap and Cronbach's α per
dimension. The answers of the accounts the user sees, in the chosen period (default: the last
24 months)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from guanxi.core.dates import add_months
from guanxi.surveys.results import results_by, servqual_gaps

DATE = UnfoldAdminTextInputWidget(attrs={"type": "date"})
GROUP_CHOICES = [
    ("tier", gettext_lazy("Tier")),
    ("segment", gettext_lazy("Segment")),
    ("kam", gettext_lazy("KAM")),
    ("account", gettext_lazy("Account")),
]


class ResultsForm(forms.Form):
    first = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    last = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)
    group = forms.ChoiceField(
        label=gettext_lazy("Break down by"),
        choices=GROUP_CHOICES,
        required=False,
        widget=UnfoldAdminSelectWidget,
    )

    def chosen(self, today: dt.date) -> tuple[dt.date, dt.date, str]:
        self.is_valid()  # a bad field shows its error; the defaults stand in for it
        data = self.cleaned_data if self.is_bound else {}
        last = data.get("last") or today
        first = data.get("first") or add_months(last, -24) + dt.timedelta(days=1)
        first, last = (first, last) if first <= last else (last, first)
        return first, last, data.get("group") or "tier"


def _chart(months: list) -> dict:
    return {
        "labels": [m.label for m in months],
        "nps": [round(m.nps, 1) if m.nps is not None else None for m in months],
        "csat": [round(m.csat_mean, 2) if m.csat_mean is not None else None for m in months],
        "names": {"nps": _("NPS"), "csat": _("CSAT (mean, 1–5)")},
    }


def results_view(request: HttpRequest) -> HttpResponse:
    form = ResultsForm(request.GET or None)
    first, last, group = form.chosen(timezone.localdate())
    months = results_by(actor=request.user, group="month", first=first, last=last)
    context = {
        **admin.site.each_context(request),
        "title": _("Survey results"),
        "form": form,
        "first": first,
        "last": last,
        "group": group,
        "group_label": dict(GROUP_CHOICES)[group],
        "months": months,
        "rows": results_by(actor=request.user, group=group, first=first, last=last),
        "gaps": servqual_gaps(actor=request.user, first=first, last=last),
        "chart": _chart(months),
    }
    return TemplateResponse(request, "admin/surveys/results.html", context)
