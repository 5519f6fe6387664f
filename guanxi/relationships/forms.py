"""Admin forms of the buying centre, the relationship stages, the organisation relationship and
the risk rules.

The forms run the services' own checks (`buying_centre_member_check`,
`relationship_stage_check`) on the built object through `ServiceRulesForm`, so a reporting loop,
a boss from another organisation or evidence from another account is a field error, never a
500; the admin then saves through the services. Choices follow the account being edited: who a
person may report to (the account's contacts and its buying centre), which touchpoints may be
evidence (the account's touchpoints that involved the person when the person is known, else each
named with who took part), which users may own a relationship (our staff who may see the
account, the rule `buying_centre_member_check` applies).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import users_who_see
from guanxi.contacts.models import Contact
from guanxi.core.admin_mixins import ServiceRulesForm
from guanxi.core.models import User
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    BuyingRole,
    RelationshipRules,
    RelationshipStageEvent,
)
from guanxi.relationships.services import buying_centre_member_check, relationship_stage_check
from guanxi.touchpoints.models import Touchpoint

INFLUENCE_CHOICES = [(i, str(i)) for i in range(1, 6)]
EVIDENCE_CHOICES = 500  # the account's latest touchpoints offered as evidence


class PersonChoiceField(forms.ModelChoiceField):
    """A contact named with their title, and their organisation when it is another account."""

    account_id: int | None = None

    def label_from_instance(self, obj: Contact) -> str:
        parts = [obj.name]
        if obj.title:
            parts.append(obj.title)
        if self.account_id is not None and obj.account_id != self.account_id:
            parts.append(obj.account.name)
        return " · ".join(parts)


class TouchpointChoiceField(forms.ModelChoiceField):
    """A touchpoint named with its day, kind, the people who took part and its subject
    ("2026-11-12 · 电话拜访 · 薛洋、王总"), so the user can tell which involved whom."""

    def label_from_instance(self, obj: Touchpoint) -> str:
        parts = [f"{timezone.localtime(obj.occurred_at):%Y-%m-%d}", obj.get_kind_display()]
        names = sorted(c.name for c in obj.contacts.all())  # prefetched
        if names:
            parts.append(gettext(", ").join(names))
        if obj.subject:
            parts.append(obj.subject)
        return " · ".join(parts)


def account_people(account: Account | int | None):
    """Who may appear in the account's reporting lines and stages: its own contacts and the
    people on its buying centre (external ones included)."""
    if account is None:
        return Contact.objects.none()
    account_id = account.pk if isinstance(account, Account) else account
    seated = BuyingCentreMember.objects.filter(account_id=account_id).values("contact_id")
    return (
        Contact.objects.filter(Q(account_id=account_id) | Q(pk__in=seated))
        .select_related("account")
        .order_by("name", "pk")
    )


def relationship_owner_choices(account_id: int | None):
    """Who may own a relationship on the account: active staff who may see it (the access
    rule of accounts.selectors, seen from the users' side); nobody before the account is
    chosen. The service checks the same rule with `account_is_visible`."""
    if account_id is None:
        return User.objects.none()
    account = Account.objects.filter(pk=account_id).first()
    return User.objects.none() if account is None else users_who_see(account)


class BuyingCentreMemberForm(ServiceRulesForm):
    """A seat on the buying centre; roles as checkboxes, influence 1–5."""

    buying_roles = forms.MultipleChoiceField(
        label=_("buying roles"),
        choices=BuyingRole.choices,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("One or more buying roles."),
    )
    influence = forms.TypedChoiceField(
        label=_("influence (1–5)"),
        choices=INFLUENCE_CHOICES,
        coerce=int,
        initial=3,
        widget=UnfoldAdminSelectWidget,
        help_text=_("1 = little say, 5 = decides."),
    )
    reports_to = PersonChoiceField(
        label=_("reports to"),
        queryset=Contact.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
        error_messages={
            "invalid_choice": _("Choose someone from this account or already on its buying centre.")
        },
    )
    relationship_owner = forms.ModelChoiceField(
        label=_("our relationship owner"),
        queryset=User.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text=_("Who on our side owns the relationship (the account owner when empty)."),
        error_messages={"invalid_choice": _("Choose one of our staff who may see this account.")},
    )

    class Meta:
        model = BuyingCentreMember
        fields = ("account", "contact", "buying_roles", "stance", "influence", "reports_to",
                  "rising_star", "relationship_owner", "notes")  # fmt: skip

    def __init__(self, *args: Any, account_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the labels declared here, like the model's
            field.label = capfirst(field.label)
        if self.instance.pk:
            account_id = self.instance.account_id
        people = account_people(account_id)
        if self.instance.pk:
            people = people.exclude(pk=self.instance.contact_id)
        self.fields["reports_to"].queryset = people
        self.fields["reports_to"].account_id = account_id
        if account_id is None:
            self.fields["reports_to"].help_text = _(
                "Choose the account first: the list then holds its people."
            )
        owner = self.fields["relationship_owner"]
        owner.queryset = relationship_owner_choices(account_id)
        if account_id is None:
            owner.help_text = _(
                "Choose the account first: the list then holds our staff who see it."
            )

    def clean_buying_roles(self) -> list[str]:
        ticked = set(self.cleaned_data.get("buying_roles") or [])
        return [role for role in BuyingRole.values if role in ticked]  # in the roles' order

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        account, contact = data.get("account"), data.get("contact")
        if (
            not self.instance.pk
            and account is not None
            and contact is not None
            and BuyingCentreMember.objects.filter(account=account, contact=contact).exists()
        ):
            self.add_error(
                "contact",
                _("%(name)s is already on this buying centre: edit their seat instead.")
                % {"name": contact.name},
            )
        return data

    def check_rules(self, obj: BuyingCentreMember) -> None:
        buying_centre_member_check(
            account=obj.account,
            contact=obj.contact,
            actor=self.actor,
            buying_roles=obj.buying_roles or [],
            stance=obj.stance,
            influence=obj.influence,
            reports_to=obj.reports_to,
            relationship_owner=obj.relationship_owner,
        )


class RelationshipStageEventForm(ServiceRulesForm):
    """A stage reached; the person is one of the account's people, the evidence one of its
    touchpoints that involves them."""

    contact = PersonChoiceField(
        label=_("contact"),
        queryset=Contact.objects.none(),
        widget=UnfoldAdminSelectWidget,
        error_messages={
            "invalid_choice": _("Choose someone from this account or on its buying centre.")
        },
    )
    evidence = TouchpointChoiceField(
        label=_("evidence (touchpoint)"),
        queryset=Touchpoint.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text=_("A touchpoint with this account that involved the person."),
        error_messages={"invalid_choice": _("Choose a touchpoint of this account.")},
    )

    class Meta:
        model = RelationshipStageEvent
        fields = ("account", "contact", "stage", "reached_on", "evidence", "note")
        widgets = {"note": UnfoldAdminTextInputWidget}

    def __init__(self, *args: Any, account_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the labels declared here, like the model's
            field.label = capfirst(field.label)
        if "contact" not in self.fields:  # a recorded event is shown read-only: nothing to choose
            return
        if self.instance.pk:
            account_id = self.instance.account_id
        self.fields["contact"].queryset = account_people(account_id)
        self.fields["contact"].account_id = account_id
        if account_id is None:
            self.fields["contact"].help_text = _(
                "Choose the account first: the list then holds its people."
            )
            self.fields["evidence"].queryset = Touchpoint.objects.none()
            return
        touchpoints = Touchpoint.objects.filter(account_id=account_id)
        person = self._person(account_id)
        evidence = self.fields["evidence"]
        if person is not None:
            # The person is known: offer only the touchpoints that involved them.
            touchpoints = touchpoints.filter(contacts=person)
            evidence.help_text = _("Touchpoints with this account that involved %(name)s.") % {
                "name": person.name
            }
            evidence.error_messages["invalid_choice"] = _(
                "That touchpoint does not involve %(name)s: choose one that does."
            ) % {"name": person.name}
        else:
            evidence.help_text = _(
                "A touchpoint with this account that involved the person; each names who took part."
            )
        latest = list(
            touchpoints.order_by("-occurred_at", "-pk").values_list("pk", flat=True)[
                :EVIDENCE_CHOICES
            ]
        )
        evidence.queryset = (
            Touchpoint.objects.filter(pk__in=latest)
            .prefetch_related("contacts")
            .order_by("-occurred_at", "-pk")
        )

    def _person(self, account_id: int) -> Contact | None:
        """The person the stage is for, when known: posted, or preset (``?contact=``)."""
        if self.instance.pk:
            return self.instance.contact
        if self.is_bound:
            raw = self.data.get(self.add_prefix("contact"))
        else:
            raw = self.initial.get("contact")
        raw = getattr(raw, "pk", raw)
        if not str(raw or "").isdigit():
            return None
        return account_people(account_id).filter(pk=int(raw)).first()

    def check_rules(self, obj: RelationshipStageEvent) -> None:
        relationship_stage_check(
            account=obj.account,
            contact=obj.contact,
            stage=obj.stage,
            actor=self.actor,
            reached_on=obj.reached_on,
            evidence=obj.evidence,
        )


class AccountRelationshipForm(ServiceRulesForm):
    class Meta:
        model = AccountRelationship
        fields = ("account", "supplier_stage", "kotler_level", "notes")


class RelationshipRulesForm(forms.ModelForm):
    required_roles = forms.MultipleChoiceField(
        label=_("decision roles to cover"),
        choices=BuyingRole.choices,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("Buying roles every key account's map should have someone we know in."),
    )

    class Meta:
        model = RelationshipRules
        fields = ("required_roles", "current_within_days", "champion_inactive_days",
                  "decision_maker_stage")  # fmt: skip

    def clean_current_within_days(self) -> int:
        value = self.cleaned_data["current_within_days"]
        if value < 1:
            raise forms.ValidationError(_("At least one day."))
        return value

    def clean_champion_inactive_days(self) -> int:
        value = self.cleaned_data["champion_inactive_days"]
        if value < 1:
            raise forms.ValidationError(_("At least one day."))
        return value


class PersonSearchForm(forms.Form):
    """The map page's search for a person of another organisation to add (an external)."""

    q = forms.CharField(label=_("Find a person"), max_length=100, required=False)
