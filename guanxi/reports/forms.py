"""The distribution page's filters: a team and a range of months."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.dates import add_months
from guanxi.core.models import Team, User
from guanxi.reports.selectors import Period

#: The longest range of months one page sums (the month rollups grow with it).
MAX_MONTHS = 60


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the browser's month input), cleaned to its first day."""

    widget = UnfoldAdminTextInputWidget(attrs={"type": "month"})

    def to_python(self, value: Any) -> dt.date | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return dt.datetime.strptime(value[:7], "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid") from None


class DistributionFilterForm(forms.Form):
    team = forms.TypedChoiceField(
        label=_("Team"), required=False, coerce=int, empty_value=None,
        widget=UnfoldAdminSelectWidget,
    )  # fmt: skip
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.order_by("name")
        if not actor.sees_all_accounts:
            teams = teams.filter(pk__in=accounts_visible_to(actor).values("team_id"))
        self.fields["team"].choices = [("", _("All teams")), *((t.pk, t.name) for t in teams)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both months of the period, or neither."))
        if start is not None and end is not None:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if end >= add_months(start, MAX_MONTHS):
                raise forms.ValidationError(
                    _("A period is at most %(months)s months.") % {"months": MAX_MONTHS}
                )
        return data

    def period(self) -> Period | None:
        """The chosen months, ``end`` included (None: this year, from the rollups)."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start is None or end is None:
            return None
        return Period(start=start, end=add_months(end, 1))
