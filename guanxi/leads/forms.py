"""Forms of the lead pages: the lead's own form (it runs the services' rules), disqualify with a
reason from the list, and converting (which account and person to use, and an optional
opportunity)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from guanxi.core.admin_mixins import ServiceRulesForm
from guanxi.leads.duplicates import Duplicate
from guanxi.leads.models import Lead
from guanxi.leads.selectors import active_disqualify_reasons
from guanxi.leads.services import lead_rules
from guanxi.pipeline.models import OpportunityType

NEW = "new"


class LeadForm(ServiceRulesForm):
    class Meta:
        model = Lead
        fields = "__all__"

    def check_rules(self, lead: Lead) -> None:
        lead_rules(actor=self.actor, lead=lead)


class DisqualifyForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("disqualification reason"),
        queryset=active_disqualify_reasons(),
        widget=UnfoldAdminSelectWidget,
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )


def _choice_label(dup: Duplicate) -> str:
    if dup.kind == "contact":
        return f"{dup.name} · {dup.account_name}"
    return dup.name


class ConvertForm(forms.Form):
    """Which account and person the lead becomes: one on file (the likely duplicates the actor
    sees, and what the lead is attached to) or new ones; and, optionally, an opportunity."""

    account = forms.ChoiceField(label=_("account"), widget=UnfoldAdminRadioSelectWidget)
    contact = forms.ChoiceField(label=_("contact"), widget=UnfoldAdminRadioSelectWidget)
    opportunity_name = forms.CharField(
        label=_("opportunity name"), required=False, max_length=200,
        widget=UnfoldAdminTextInputWidget,
    )  # fmt: skip
    opportunity_type = forms.ChoiceField(
        label=_("opportunity type"), required=False, widget=UnfoldAdminSelectWidget
    )
    amount = forms.DecimalField(
        label=_("amount (CNY)"), required=False, min_value=0, max_digits=14, decimal_places=2,
        widget=UnfoldAdminDecimalFieldWidget,
    )  # fmt: skip
    expected_close = forms.DateField(
        label=_("expected close date"), required=False, widget=UnfoldAdminSingleDateWidget
    )

    def __init__(
        self,
        *args: Any,
        lead: Lead,
        duplicates: list[Duplicate],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        accounts: dict[str, str] = {}
        contacts: dict[str, str] = {}
        if lead.account_id:
            accounts[str(lead.account_id)] = str(lead.account)
        if lead.contact_id:
            contacts[str(lead.contact_id)] = f"{lead.contact} · {lead.account}"
        for dup in duplicates:
            if not dup.visible:
                continue
            if dup.kind == "account":
                accounts.setdefault(str(dup.id), _choice_label(dup))
            else:
                contacts.setdefault(str(dup.id), _choice_label(dup))
                accounts.setdefault(str(dup.account_id), dup.account_name)
        self.fields["account"].choices = [
            *accounts.items(), (NEW, _("Create a new account"))
        ]  # fmt: skip
        self.fields["contact"].choices = [
            *contacts.items(),
            (NEW, _("Create a new contact from the lead")),
        ]
        self.fields["account"].initial = str(lead.account_id) if lead.account_id else NEW
        self.fields["contact"].initial = str(lead.contact_id) if lead.contact_id else NEW
        self.fields["opportunity_type"].choices = [("", "—"), *OpportunityType.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [data.get(n) for n in ("opportunity_name", "expected_close")]
        if any(given) and not all(given):
            self.add_error(
                "expected_close" if data.get("opportunity_name") else "opportunity_name",
                _("An opportunity needs a name and an expected close date."),
            )
        return data

    def opportunity(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("opportunity_name"):
            return None
        fields: dict[str, Any] = {
            "name": data["opportunity_name"],
            "expected_close": data["expected_close"],
        }
        if data.get("opportunity_type"):
            fields["opportunity_type"] = data["opportunity_type"]
        if data.get("amount") is not None:
            fields["amount"] = data["amount"]
        return fields

    def chosen(self) -> tuple[int | None, int | None]:
        """(account id, contact id); None for a new one made from the lead."""
        account = self.cleaned_data["account"]
        contact = self.cleaned_data["contact"]
        return (None if account == NEW else int(account), None if contact == NEW else int(contact))
