"""The renewal page (/agreements/renewals/): the renewal-rate report per KAM and team for a
period, and the stored renewal risks of the agreements ending soon, each term explained (one
agreement with ``?agreement=``, with the commitment proposed for the next period). Admin look
and login (`admin.site.admin_view` in `urls_renewal.py`); reads through `renewal_reads`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import UnfoldAdminTextInputWidget

from guanxi.agreements.renewal import commitment_proposal, window_days
from guanxi.agreements.renewal_reads import explained, renewal_rate, renewal_risks_visible_to

DATE = UnfoldAdminTextInputWidget(attrs={"type": "date"})
RISKS_SHOWN = 100


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)
    agreement = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen period; by default the twelve months up to today. A bad value shows as an
        error and the default is used."""
        self.is_valid()  # a bad field shows its error; the others still count
        data = self.cleaned_data if self.is_bound else {}
        end = data.get("end") or today
        start = data.get("start") or end.replace(year=end.year - 1) + dt.timedelta(days=1)
        return (start, end) if start <= end else (end, start)


def renewals_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = form.period(today)
    total, teams = renewal_rate(request.user, first=start, last=end)
    risks = renewal_risks_visible_to(request.user)
    chosen = form.cleaned_data.get("agreement") if form.is_bound else None
    if chosen:
        risks = risks.filter(agreement_id=chosen)
    shown = list(risks[:RISKS_SHOWN])
    rows = [(r, explained(r)) for r in shown]
    proposal = commitment_proposal(shown[0].agreement, as_of=today) if chosen and shown else []
    context = {
        **admin.site.each_context(request),
        "title": _("Renewals"),
        "form": form,
        "start": start,
        "end": end,
        "total": total,
        "teams": teams,
        "risks": rows,
        "risk_count": risks.count(),
        "window_days": window_days(),
        "chosen": chosen,
        "proposal": proposal,
    }
    return TemplateResponse(request, "admin/agreements/renewals.html", context)
