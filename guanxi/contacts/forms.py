"""The contact form: model columns plus one generated form field per profile-schema field.

Profile facts are never edited as JSON. Each group of `profile_schema.GROUPS` becomes a tab
of ordinary inputs (text, textarea, number, date, select, comma list); saving hands the changed
values of each group to `profile_facts_update`, which records who, when and from which source.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from guanxi.contacts.models import Contact, FactSource
from guanxi.contacts.profile_schema import GROUPS, FactField, FactGroup
from guanxi.core.admin_mixins import show_lookalikes
from guanxi.core.errors import Conflict
from guanxi.duplicates.services import contact_entry_check

SOURCE_FIELD = "fact_source"


def fact_field_name(group: str, key: str) -> str:
    return f"pf__{group}__{key}"


def parse_fact_field_name(name: str) -> tuple[str, str] | None:
    parts = name.split("__")
    if len(parts) == 3 and parts[0] == "pf":
        return parts[1], parts[2]
    return None


def group_field_names(group: FactGroup) -> list[str]:
    return [fact_field_name(group.key, f.key) for f in group.fields]


def _help_text(spec: FactField) -> str:
    help_text = str(spec.help) if spec.help else ""
    if spec.kind == "list":
        separate = _("Separate several with commas.")
        help_text = f"{separate} {help_text}"
    if spec.example:
        example = _("e.g. %(example)s") % {"example": spec.example}
        help_text = f"{help_text} {example}"
    return help_text.strip()


def _form_field(spec: FactField) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": False}
    # The form class is built once, at import: the help text is put together when a page
    # shows it, so that it is in the reader's language.
    common["help_text"] = lazy(_help_text, str)(spec)
    if spec.kind == "longtext":
        return forms.CharField(
            max_length=4000, widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}), **common
        )
    if spec.kind == "int":
        return forms.IntegerField(min_value=0, widget=UnfoldAdminIntegerFieldWidget, **common)
    if spec.kind == "decimal":
        return forms.DecimalField(
            min_value=0, max_digits=14, decimal_places=2, widget=UnfoldAdminDecimalFieldWidget,
            **common,
        )  # fmt: skip
    if spec.kind == "date":
        return forms.DateField(widget=UnfoldAdminSingleDateWidget, **common)
    if spec.kind == "choice":
        return forms.ChoiceField(
            choices=[("", "—"), *spec.choices], widget=UnfoldAdminSelectWidget, **common
        )
    if spec.kind == "list":
        return forms.CharField(max_length=2000, widget=UnfoldAdminTextInputWidget, **common)
    return forms.CharField(max_length=200, widget=UnfoldAdminTextInputWidget, **common)


def initial_value(spec: FactField, value: Any) -> Any:
    """The stored JSON value as the form field expects it."""
    if value is None:
        return None
    if spec.kind == "list":
        return ", ".join(value) if isinstance(value, list) else str(value)
    if spec.kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if spec.kind == "decimal":
        return Decimal(str(value))
    return value


def to_service_value(spec: FactField, cleaned: Any) -> Any:
    """The cleaned form value as raw input for `FactField.parse` (via the service)."""
    if cleaned is None or cleaned == "":
        return None
    if spec.kind == "date":
        return cleaned.isoformat()
    return cleaned


class ContactForm(forms.ModelForm):
    """Model columns plus the generated profile fields (declared below, from the schema)."""

    class Meta:
        model = Contact
        fields = (
            "code", "account", "name", "english_name", "nickname", "gender", "birthday", "title",
            "department", "mobile", "phone", "email", "wechat", "is_primary", "is_active", "notes",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            facts = {(f.group, f.key): f.value for f in self.instance.facts.all()}
            for group in GROUPS:
                for spec in group.fields:
                    name = fact_field_name(group.key, spec.key)
                    if name in self.fields and (group.key, spec.key) in facts:
                        self.initial[name] = initial_value(spec, facts[(group.key, spec.key)])

    #: Who fills the form in (ContactAdmin.get_form): look-alikes are listed as they see them.
    actor: Any = None
    # Shown once look-alikes are listed (core.admin_mixins.SaveAnywayMixin).
    save_anyway = forms.BooleanField(
        label=_("Save anyway: it is none of the contacts listed above"),
        help_text=_(
            "The new contact and the ones listed go to the duplicates review queue, where a "
            "manager decides whether they are one person."
        ),
        required=False,
    )

    def _check_lookalikes(self, cleaned: dict[str, Any]) -> None:
        """Adding a contact like one on file (same mobile or e-mail, or the same name at the
        account) needs "save anyway"."""
        if self.instance.pk or cleaned.get("save_anyway") or self.errors or self.actor is None:
            return
        account = cleaned.get("account")
        try:
            contact_entry_check(
                actor=self.actor,
                name=cleaned.get("name") or "",
                account_id=account.pk if account else None,
                mobile=cleaned.get("mobile") or "",
                email=cleaned.get("email") or "",
            )
        except Conflict as exc:
            show_lookalikes(self, exc, "admin:contacts_contact_change")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._check_lookalikes(cleaned)
        # The schema is the authority on values: run every changed field through its parser
        # so the form shows the same reason the service (and the API) would give.
        for name in self.changed_data:
            parsed = parse_fact_field_name(name)
            if parsed is None or name not in cleaned:
                continue
            spec = next(g for g in GROUPS if g.key == parsed[0]).get(parsed[1])
            try:
                spec.parse(to_service_value(spec, cleaned[name]))
            except ValueError as exc:
                self.add_error(name, str(exc))
        return cleaned

    def changed_facts(self) -> dict[str, dict[str, Any]]:
        """{group: {key: raw value}} of the profile fields the user changed."""
        changes: dict[str, dict[str, Any]] = {}
        for name in self.changed_data:
            parsed = parse_fact_field_name(name)
            if parsed is None:
                continue
            group_key, key = parsed
            spec = next(g for g in GROUPS if g.key == group_key).get(key)
            changes.setdefault(group_key, {})[key] = to_service_value(
                spec, self.cleaned_data.get(name)
            )
        return changes


# Declared fields must exist on the class for the admin's fieldsets to name them.
for _group in GROUPS:
    for _spec in _group.fields:
        ContactForm.base_fields[fact_field_name(_group.key, _spec.key)] = _form_field(_spec)
        ContactForm.declared_fields[fact_field_name(_group.key, _spec.key)] = (
            ContactForm.base_fields[fact_field_name(_group.key, _spec.key)]
        )
ContactForm.base_fields[SOURCE_FIELD] = ContactForm.declared_fields[SOURCE_FIELD] = (
    forms.ChoiceField(
        label=_("Source of these facts"),
        choices=FactSource.choices,
        initial=FactSource.CONVERSATION,
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text=_(
            "Where the profile information you enter or change now came from. "
            "Unchanged facts keep their original source."
        ),
    )
)
