"""Forms of the agreement pages. The agreement form and the rows of documents and rates run the
services' own rules (`check_rules`) on what was entered, so a broken rule — a sister company
chosen as covered, a signer of another company, an end before the start, a file of the wrong
type — is a field error and nothing is saved; the admin then saves through the services.
The small forms are the steps of the life-cycle (sign, terminate, renew) and a review decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from guanxi.accounts.selectors import staff_users
from guanxi.agreements import rates, services
from guanxi.agreements.models import Agreement, NegotiatedRate
from guanxi.core.admin_mixins import ServiceRulesForm
from guanxi.core.errors import ApplicationError
from guanxi.core.models import User


class AgreementForm(ServiceRulesForm):
    """The agreement's fields, checked by the services' rules before the services save them."""

    amendment_summary = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("On a signed agreement every change is a new version; say what it is."),
        widget=UnfoldAdminTextInputWidget,
    )

    class Meta:
        model = Agreement
        fields = "__all__"

    def check_rules(self, obj: Agreement) -> None:
        data, actor = self.cleaned_data, self.actor
        account = data.get("account") or (obj.account if obj.account_id else None)
        if account is None:
            return
        adding = obj._state.adding
        if "agreement_type" in data:
            services.resolve_type(data["agreement_type"])
        services.check_dates(obj)
        if adding or {"owner", "account"} & set(self.changed_data):
            keep = None if adding else self.initial.get("owner")
            services.resolve_owner(actor=actor, account=account, owner=data.get("owner"),
                                   keep=keep)  # fmt: skip
        if "covered_accounts" in self.fields:
            covered = services.resolve_covered(account, data.get("covered_accounts") or ())
            services.resolve_signers([account.pk, *covered], data.get("their_signers") or ())


class DocumentForm(forms.ModelForm):
    """A new document: the file is checked as `document_add` checks it."""

    def clean_file(self) -> Any:
        file = self.cleaned_data.get("file")
        if file is not None and hasattr(file, "size") and self.instance.pk is None:
            try:
                services.document_check(file)
            except ApplicationError as exc:
                raise ValidationError(str(exc.message)) from None
        return file


class RateForm(ServiceRulesForm):
    """A negotiated rate row, checked as `rate_create` / `rate_update` check it."""

    def check_rules(self, obj: NegotiatedRate) -> None:
        rates.rate_validate(obj)


class StepForm(forms.Form):
    """Labels capitalised, as on the admin's own forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text, widget=UnfoldAdminDateWidget
    )


class SignForm(StepForm):
    signed_on = _date(_("signed on"))
    our_signer = forms.ModelChoiceField(
        label=_("our signer"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who signs for us; the one set on the agreement, else you."),
        widget=UnfoldAdminSelectWidget,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["our_signer"].queryset = staff_users().order_by("username")
        self.fields["signed_on"].initial = timezone.localdate()


class TerminateForm(StepForm):
    reason = forms.CharField(
        label=_("reason for termination"),
        max_length=300,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )
    terminated_on = _date(
        _("terminated on"), help_text=_("The agreement binds until the day before.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terminated_on"].initial = timezone.localdate()


class RenewForm(StepForm):
    name = forms.CharField(
        label=_("name"),
        max_length=200,
        required=False,
        help_text=_("The successor's name; the same name if empty."),
        widget=UnfoldAdminTextInputWidget,
    )
    starts_on = _date(
        _("starts on"), required=False, help_text=_("The day after this one ends if empty.")
    )
    ends_on = _date(_("ends on"), required=False, help_text=_("As long as this one if empty."))

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start = agreement.ends_on + dt.timedelta(days=1)
        self.fields["starts_on"].initial = start
        self.fields["ends_on"].initial = start + (agreement.ends_on - agreement.starts_on)


class RateDecisionForm(StepForm):
    """The decision's note; a correction must say what to correct (the KAM reads it)."""

    note = forms.CharField(
        label=_("note"), max_length=300, required=False, widget=UnfoldAdminTextInputWidget
    )
