"""The forms of the loyalty pages: the lights table's filters, a light's feedback form and the
referral page's filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from guanxi.accounts.selectors import staff_users
from guanxi.core.dates import add_months
from guanxi.core.models import Team, User
from guanxi.loyalty.models import LightColour, LightRule, LightStatus

STATE_CHOICES = [("lit", _("Lit now")), ("cleared", _("Cleared")), ("all", _("All"))]


def _choices(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class LightFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Lights"), choices=STATE_CHOICES, required=False, widget=UnfoldAdminSelectWidget
    )
    colour = forms.ChoiceField(
        label=_("Colour"), required=False, widget=UnfoldAdminSelectWidget,
        choices=_choices(LightColour.choices),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False, widget=UnfoldAdminSelectWidget,
        choices=_choices(LightStatus.choices),
    )  # fmt: skip
    rule = forms.ChoiceField(label=_("Rule"), required=False, widget=UnfoldAdminSelectWidget)
    q = forms.CharField(
        label=_("Account"), required=False, max_length=100, widget=UnfoldAdminTextInputWidget
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = LightRule.objects.order_by("position", "id")
        self.fields["rule"].choices = _choices([(r.code, r.label) for r in rules])

    def values(self) -> dict[str, Any]:
        """The valid filters (a bad one is dropped, the others still count)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v}


class LightForm(forms.Form):
    kam_feedback = forms.CharField(
        label=_("KAM's feedback"), required=False, max_length=4000,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )  # fmt: skip
    countermeasure = forms.CharField(
        label=_("Countermeasure"), required=False, max_length=4000,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), choices=LightStatus.choices, required=False,
        widget=UnfoldAdminSelectWidget,
    )  # fmt: skip

    def __init__(self, *args: Any, may_countermeasure: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_countermeasure:
            del self.fields["countermeasure"]

    def changes(self) -> dict[str, Any]:
        """Only what the POST sent (the Today row sends the feedback alone)."""
        return {
            k: v for k, v in self.cleaned_data.items() if k in self.data and (v or k != "status")
        }


PERIOD_CHOICES = [
    ("", _("All time")),
    ("12m", _("Last 12 months")),
    ("year", _("This year")),
    ("last_year", _("Last year")),
]


def period_days(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a period of the filter (None: open)."""
    if period == "12m":
        return add_months(today, -12) + dt.timedelta(days=1), today
    if period == "year":
        return dt.date(today.year, 1, 1), today
    if period == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None, None


class ReferralFilterForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("KAM"), queryset=User.objects.none(), required=False,
        widget=UnfoldAdminSelectWidget, empty_label=_("All"),
    )  # fmt: skip
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name"), required=False,
        widget=UnfoldAdminSelectWidget, empty_label=_("All"),
    )  # fmt: skip
    period = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, required=False, widget=UnfoldAdminSelectWidget
    )
    since = forms.DateField(label=_("From"), required=False, widget=UnfoldAdminDateWidget)
    until = forms.DateField(label=_("To"), required=False, widget=UnfoldAdminDateWidget)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users().order_by("username")

    def values(self, today: dt.date) -> dict[str, Any]:
        """The valid filters as `ReferralFilters` fields (a bad one is dropped); dates given
        by hand win over the period."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        since, until = period_days(data.get("period") or "", today)
        return {
            "owner_id": data["owner"].pk if data.get("owner") else None,
            "team_id": data["team"].pk if data.get("team") else None,
            "since": data.get("since") or since,
            "until": data.get("until") or until,
        }
