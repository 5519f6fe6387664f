"""Forms of the KAM's day: the one-click log on Today, the touchpoint form, task actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from guanxi.accounts.models import Account
from guanxi.activities.display import display_title
from guanxi.activities.models import COMPLETES, Task, TaskStatus
from guanxi.contacts.models import Contact
from guanxi.core.formatting import join_words
from guanxi.touchpoints.models import Touchpoint, TouchpointKind

FUTURE_TOLERANCE = dt.timedelta(minutes=10)  # as the service: a phone clock may run fast
COST = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class OneClickLogForm(forms.Form):
    """The small form on each Today row: the kind is preset by the button, the rest optional."""

    kind = forms.ChoiceField(choices=TouchpointKind.choices)
    notes = forms.CharField(required=False, max_length=2000)
    cost = forms.DecimalField(required=False, **COST)


class MarkDoneForm(forms.Form):
    """ "Mark done" on the task list: which touchpoint to log for the selected tasks."""

    MATCHING = ""
    kind = forms.ChoiceField(
        label=_("touchpoint to log"),
        required=False,
        choices=[(MATCHING, _("The matching kind for each task"))] + TouchpointKind.choices,
        widget=UnfoldAdminSelectWidget,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("why cancelled"),
        max_length=300,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("Kept with the task, e.g. 'customer asked to pause visits'."),
        error_messages={"required": _("Say why the task is cancelled.")},
    )


def task_label(task: Task) -> str:
    """ "拜访 · 山东省眼科学会 · 2026-11-27": what, for which account, when due."""
    return f"{display_title(task)} · {task.account.name} · {task.due_date.isoformat()}"


class TaskChoiceField(forms.ModelChoiceField):
    """An open task, named with its account and due date; a wrong pick gets a sentence, not
    "519 is not one of the available choices"."""

    def label_from_instance(self, obj: Task) -> str:
        return task_label(obj)


class ContactChoiceField(forms.ModelMultipleChoiceField):
    """Contacts named with their account while no account is chosen yet."""

    with_account = True

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.account.name}" if self.with_account else obj.name


class TouchpointForm(forms.ModelForm):
    """Add or change a touchpoint. Contacts and the task must belong to the chosen account; the
    admin saves a new one through `touchpoint_log`, which also completes the task."""

    task = TaskChoiceField(
        label=_("fulfils task"),
        queryset=Task.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
        error_messages={
            "invalid_choice": _("This task is not an open task of the chosen account.")
        },
    )
    contacts = ContactChoiceField(
        label=_("contacts"),
        queryset=Contact.objects.none(),
        required=False,
        widget=UnfoldAdminSelectMultipleWidget,
        error_messages={
            "invalid_choice": _("This contact is not an active contact of the chosen account."),
            "invalid_pk_value": _("Choose contacts from the list."),
        },
    )

    class Meta:
        model = Touchpoint
        # "task" is not a touchpoint field: the task points at the touchpoint that fulfils it.
        fields = ("account", "kind", "occurred_at", "contacts", "subject", "notes", "cost")
        widgets = {
            "occurred_at": UnfoldAdminSplitDateTimeWidget,
            "notes": UnfoldAdminTextareaWidget(attrs={"rows": 3}),
            "cost": UnfoldAdminDecimalFieldWidget,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "occurred_at" in self.fields and not self.instance.pk:
            self.fields["occurred_at"].initial = timezone.now

    def clean_cost(self) -> Decimal | None:
        cost = self.cleaned_data.get("cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("The cost cannot be negative."))
        return cost

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        when = data.get("occurred_at")
        if when is not None and when > timezone.now() + FUTURE_TOLERANCE:
            self.add_error("occurred_at", _("Log a touchpoint once it has happened."))
        account: Account | None = data.get("account") or (
            self.instance.account if self.instance.account_id else None
        )
        if account is None:
            return data
        contacts = data.get("contacts")
        if contacts is not None:
            foreign = [c for c in contacts if c.account_id != account.pk]
            if foreign:
                self.add_error(
                    "contacts",
                    _("%(names)s is not a contact of %(account)s.")
                    % {"names": join_words(c.name for c in foreign), "account": account},
                )
        task: Task | None = data.get("task")
        if task is not None and not self.instance.pk:
            kind = data.get("kind")
            if task.account_id != account.pk:
                self.add_error("task", _("That task belongs to another account."))
            elif task.status != TaskStatus.OPEN:
                self.add_error("task", _("That task is no longer open."))
            elif kind and kind not in COMPLETES.get(task.kind, set()):
                self.add_error(
                    "kind",
                    _("A %(kind)s does not complete the task “%(task)s”.")
                    % {"kind": TouchpointKind(kind).label, "task": display_title(task)},
                )
        return data


def limit_to_account(form: forms.BaseForm, account_id: int | None, contacts, tasks) -> None:
    """Offer only the chosen account's active contacts and open tasks (both already
    access-scoped). Without an account yet, ``tasks`` is the user's own open tasks and no
    contact is offered: choosing the account reloads both lists (`follow_account`)."""
    if "contacts" in form.fields:
        qs = contacts.filter(account_id=account_id) if account_id else contacts.none()
        form.fields["contacts"].queryset = (
            qs.filter(is_active=True).select_related("account").order_by("account__name", "name")
        )
        form.fields["contacts"].with_account = not account_id
    if "task" in form.fields:
        qs = tasks.filter(status=TaskStatus.OPEN)
        if account_id:
            qs = qs.filter(account_id=account_id)
        form.fields["task"].queryset = qs.select_related("account", "contact", "tier").order_by(
            "due_date", "id"
        )


def follow_account(form: forms.BaseForm, url: str) -> None:
    """Make the form's account select reload the contacts and tasks offered when it changes:
    htmx asks ``url`` (the same form) with the chosen ``account`` and swaps in the two lists
    of its answer; nothing else on the form changes."""
    field = form.fields.get("account")
    if field is None:
        return
    widget = getattr(field.widget, "widget", field.widget)  # the admin's related-field wrapper
    widget.attrs.update(
        {
            "hx-get": url,
            "hx-trigger": "change",
            "hx-select-oob": "#id_contacts,#id_task",
            "hx-swap": "none",
            "data-follow-account": "",
        }
    )


PERIODS = (
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
)


class ComplianceForm(forms.Form):
    period = forms.ChoiceField(
        label=_("period"), choices=PERIODS, required=False, widget=UnfoldAdminSelectWidget
    )
