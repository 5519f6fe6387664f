"""Forms of the tier pages: a condition row with a friendly value picker, inline formsets that
validate the WHOLE scheme (rules.validate_scheme) before anything is saved, the override form,
the review note and the attendance sheet's month picker.

A rule only makes sense in its scheme (an edited tier may make a lower one unreachable), so the
formsets rebuild the scheme's rules with the edited rows in place and report every problem as a
form error; nothing is written while one remains.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from guanxi.accounts.models import AccountType, Attitude, Tag
from guanxi.insights.models import AbcClass, Segment
from guanxi.tiers import rules
from guanxi.tiers.models import (
    CHOICE_METRICS,
    GreetingRole,
    Metric,
    SchemePurpose,
    Tier,
    TierCondition,
    TierPolicy,
    TierScheme,
    YesNo,
)

# Value choices of a condition are sent as "metric:value", so one field can offer every choice
# metric's values (grouped) and the form can tell which metric a ticked value belongs to.
SEP = ":"


def condition_dict(cond: TierCondition) -> rules.Condition:
    return {
        "metric": cond.metric,
        "min": cond.min_value,
        "max": cond.max_value,
        "values": list(cond.values or []),
    }


def tag_names() -> list[str]:
    return list(Tag.objects.order_by("name").values_list("name", flat=True))


def value_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The valid values of each choice metric, grouped by metric (built per form: tags change)."""
    groups: list[tuple[Any, list[tuple[str, str]]]] = [
        (Metric.RFM_SEGMENT, list(Segment.choices)),
        (Metric.ABC_CLASS, list(AbcClass.choices)),
        (Metric.ACCOUNT_TYPE, list(AccountType.choices)),
        (Metric.ATTITUDE, list(Attitude.choices)),
        (Metric.TAG, [(name, name) for name in tag_names()]),
        (Metric.STRATEGIC_AGREEMENT, list(YesNo.choices)),
    ]
    return [
        (str(metric.label), [(f"{metric.value}{SEP}{v}", label) for v, label in values])
        for metric, values in groups
    ]


class TierConditionForm(forms.ModelForm):
    """One condition: a metric and either bounds (numbers) or values (ticked from the list of
    values that exist for that metric)."""

    value_list = forms.MultipleChoiceField(
        label=_("one of"),
        required=False,
        widget=UnfoldAdminSelectMultipleWidget(attrs={"size": 6}),
        help_text=_(
            "For segment, class, type, attitude and tag conditions: pick the values that qualify."
        ),
    )

    class Meta:
        model = TierCondition
        fields = ("metric", "min_value", "max_value")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value_list"].choices = value_choices()
        for name in ("min_value", "max_value"):
            value = self.initial.get(name)
            if isinstance(value, Decimal):
                # 6, not 6.0000: bounds are typed as people say them.
                self.initial[name] = (
                    value.quantize(Decimal(1)) if value == value.to_integral() else value
                )
        if self.instance.pk and self.instance.metric in CHOICE_METRICS:
            self.initial["value_list"] = [
                f"{self.instance.metric}{SEP}{v}" for v in self.instance.values or []
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        metric = data.get("metric")
        picked = data.get("value_list") or []
        if not metric:
            return data
        if metric in CHOICE_METRICS:
            wrong = [p.split(SEP, 1)[1] for p in picked if p.split(SEP, 1)[0] != metric]
            if wrong:
                self.add_error(
                    "value_list",
                    _("%(values)s is not a value of '%(metric)s'.")
                    % {"values": ", ".join(wrong), "metric": Metric(metric).label},
                )
            if data.get("min_value") is not None or data.get("max_value") is not None:
                self.add_error("min_value", _("A choice condition takes values, not bounds."))
            data["values"] = [p.split(SEP, 1)[1] for p in picked if p.startswith(metric + SEP)]
        else:
            if picked:
                self.add_error("value_list", _("A numeric condition takes bounds, not values."))
            data["values"] = []
        return data

    def save(self, commit: bool = True) -> TierCondition:
        self.instance.values = self.cleaned_data.get("values", [])
        return super().save(commit)

    def as_condition(self) -> rules.Condition:
        data = self.cleaned_data
        return {
            "metric": data.get("metric"),
            "min": data.get("min_value"),
            "max": data.get("max_value"),
            "values": list(data.get("values") or []),
        }


def _alive_forms(formset: BaseInlineFormSet) -> list[forms.Form]:
    return [
        f
        for f in formset.forms
        if f.has_changed() or f.instance.pk
        if not (formset.can_delete and formset._should_delete_form(f))
        if hasattr(f, "cleaned_data")
    ]


def scheme_errors(
    scheme: TierScheme | None,
    *,
    tiers: list[tuple[int, str, Any]] | None = None,
    replace: dict[Any, list[rules.Condition]] | None = None,
) -> list[str]:
    """Validate ``scheme`` with edits in place. ``tiers``: (rank, name, key) of every tier as it
    will be (default: the stored tiers, key = pk); ``replace``: new conditions per key."""
    replace = replace or {}
    stored: dict[Any, list[rules.Condition]] = {}
    if scheme is not None and scheme.pk:
        for cond in TierCondition.objects.filter(tier__scheme=scheme).order_by("id"):
            stored.setdefault(cond.tier_id, []).append(condition_dict(cond))
        if tiers is None:
            tiers = [(t.rank, str(t), t.pk) for t in scheme.tiers.all()]
    tiers = sorted(tiers or [], key=lambda t: t[0])
    rule_list = [replace.get(key, stored.get(key, [])) for _rank, _name, key in tiers]
    names = [name for _rank, name, _key in tiers]
    return rules.validate_scheme(rule_list, names, tags=tag_names())


class TierConditionFormSet(BaseInlineFormSet):
    """The conditions of one tier, validated together with the rest of its scheme."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        tier: Tier = self.instance
        if not tier.scheme_id:
            return
        new = [f.as_condition() for f in _alive_forms(self)]
        others = [(t.rank, str(t), t.pk) for t in tier.scheme.tiers.exclude(pk=tier.pk)]
        key = tier.pk or "new"
        errors = scheme_errors(
            tier.scheme, tiers=[*others, (tier.rank, str(tier), key)], replace={key: new}
        )
        if errors:
            raise ValidationError(errors)


class TierInlineFormSet(BaseInlineFormSet):
    """The tiers of a scheme (names, ranks): a re-ordering can make a tier unreachable or leave
    an empty tier above others, so the scheme is validated with the new order."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        alive = _alive_forms(self)
        ranks = [f.cleaned_data.get("rank") for f in alive]
        if len(ranks) != len(set(ranks)):
            raise ValidationError(_("Two tiers have the same rank; give each tier its own rank."))
        if not self.instance.pk and not alive:
            return  # a new scheme gets its tiers next (or from a preset)
        tiers = []
        for f in alive:
            name = f.cleaned_data.get("name") or f.cleaned_data.get("code") or "?"
            tiers.append((f.cleaned_data.get("rank") or 0, name, f.instance.pk or id(f)))
        errors = scheme_errors(self.instance, tiers=tiers)
        if errors:
            raise ValidationError(errors)


class GroupsField(forms.CharField):
    """Group memberships typed one per line, stored as the JSON list the model keeps."""

    widget = UnfoldAdminTextareaWidget

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return "\n".join(str(v) for v in value)
        if isinstance(value, str) and value.startswith("["):
            try:
                return "\n".join(str(v) for v in json.loads(value))
            except ValueError:
                return value
        return value or ""

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, (list, tuple)):
            lines = [str(v) for v in value]
        else:
            lines = str(value or "").splitlines()
        out: list[str] = []
        for line in lines:
            name = line.strip()
            if name and name not in out:
                out.append(name)
        return out

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


# The host of a banquet: no one named means the account owner hosts (the model's "" choice reads
# "No greeting", which is what it means for the arrival greeting, not for a banquet).
BANQUET_HOST_CHOICES = [
    ("", _("— (the account owner)")),
    *[(value, label) for value, label in GreetingRole.choices if value],
]


class TierPolicyForm(forms.ModelForm):
    groups = GroupsField(
        label=_("group memberships"),
        required=False,
        help_text=_("One group per line, e.g. VIP guests' WeChat group."),
    )
    banquet_host_role = forms.ChoiceField(
        label=_("banquet hosted by"),
        choices=BANQUET_HOST_CHOICES,
        required=False,
        widget=UnfoldAdminSelectWidget,
    )

    class Meta:
        model = TierPolicy
        fields = (
            "call_every_days", "visit_every_days", "greeting_role", "birthday_gift_value",
            "anniversary_gift_value", "gift_lead_days", "banquet_every_months",
            "banquet_budget_per_table", "banquet_host_role", "trip_budget_per_person", "groups",
            "discount_floor", "discount_exclusions", "notes",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].widget.attrs.setdefault("rows", 3)


class DateInput(UnfoldAdminTextInputWidget):
    """The browser's own date picker (custom pages carry no admin calendar script)."""

    input_type = "date"


class TierForm(forms.ModelForm):
    """A tier on its own page: the scheme is read-only there, so Django would skip the
    per-scheme uniqueness of code and rank; check them here instead of failing on save."""

    class Meta:
        model = Tier
        fields = ("scheme", "code", "rank", "name", "name_en", "colour", "description")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        scheme = data.get("scheme") or (self.instance.scheme if self.instance.scheme_id else None)
        if scheme is None:
            return data
        others = Tier.objects.filter(scheme=scheme).exclude(pk=self.instance.pk)
        if data.get("rank") is not None and others.filter(rank=data["rank"]).exists():
            self.add_error("rank", _("Another tier of this scheme has this rank."))
        if data.get("code") and others.filter(code=data["code"]).exists():
            self.add_error("code", _("Another tier of this scheme has this code."))
        return data


class CapitalisedLabels:
    """Labels start with a capital letter, as on the admin's own forms (whose fields are
    capitalised by the admin, not by the form): for forms on the tier pages' own templates."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)


class MarkedRequiredField(forms.CharField):
    """A text field marked as required (the label's asterisk) whose emptiness the form does not
    judge: the service does, so the page says what the API says."""

    def validate(self, value: Any) -> None:
        """Nothing to check here (see `tiers.services.account_tier_override`)."""


class OverrideForm(CapitalisedLabels, forms.Form):
    """Put an account in a tier (a lifecycle stage) by hand, with a reason and (optionally) an
    end date. The rules (a reason, an end date not in the past) are the service's: the page
    shows its refusal on the field at fault (`show_service_error`)."""

    tier = forms.ModelChoiceField(
        label=_("tier"), queryset=Tier.objects.none(), widget=UnfoldAdminSelectWidget
    )
    reason = MarkedRequiredField(
        label=_("reason"),
        max_length=300,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("Why the rules do not apply to this account; kept in the tier history."),
    )
    until = forms.DateField(
        label=_("until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty to keep the override until it is cleared."),
    )

    def __init__(self, *args: Any, scheme: TierScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scheme.purpose == SchemePurpose.LIFECYCLE:
            self.fields["tier"].label = capfirst(_("stage"))
            self.fields["tier"].queryset = scheme.tiers.order_by("-rank")
            self.fields["reason"].help_text = _(
                "Why the rules do not apply to this account; kept in the lifecycle history."
            )
        else:
            self.fields["tier"].queryset = scheme.tiers.order_by("rank")


class ReviewForm(CapitalisedLabels, forms.Form):
    """The decision's note; a rejection must say why (the KAM reads it)."""

    note = forms.CharField(
        label=_("review note"), max_length=300, required=False, widget=UnfoldAdminTextInputWidget
    )

    def __init__(self, *args: Any, note_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.note_required = note_required
        if note_required:
            self.fields["note"].required = True
            self.fields["note"].help_text = _("Say why the discount is rejected.")
            self.fields["note"].error_messages["required"] = _(
                "Give a reason for rejecting the discount."
            )

    def clean_note(self) -> str:
        note = (self.cleaned_data.get("note") or "").strip()
        if self.note_required and not note:
            raise ValidationError(_("Give a reason for rejecting the discount."))
        return note


def month_choices(today: dt.date, count: int = 24) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    out = []
    for _i in range(count):
        out.append((first.strftime("%Y-%m"), first.strftime("%Y-%m")))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out


class SheetForm(CapitalisedLabels, forms.Form):
    """The attendance sheet's month and scheme."""

    month = forms.RegexField(
        label=_("month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
        widget=UnfoldAdminTextInputWidget(attrs={"type": "month"}),
    )  # fmt: skip
    scheme = forms.ModelChoiceField(
        label=_("tier scheme"),
        queryset=TierScheme.objects.filter(purpose=SchemePurpose.TIERS),
        required=False,
        widget=UnfoldAdminSelectWidget,
    )

    def month_start(self) -> dt.date:
        value = self.cleaned_data.get("month") if self.is_bound and self.is_valid() else None
        if value:
            year, month = value.split("-")
            return dt.date(int(year), int(month), 1)
        return timezone.localdate().replace(day=1)
