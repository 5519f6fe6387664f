"""The forms of the loyalty pages: the lights table's filters and a light's feedback form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

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
