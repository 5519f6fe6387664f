"""The account plan form's rows (一企一策): competitors, goals, actions and reviews as inlines
of `admin.AccountPlanAdmin`, each row checked by the services' rules (plans/rules.py), the
people and goals offered limited to the plan's account, and one page of rows at a time
(`ROWS_PER_PAGE`), so a plan with a hundred actions is still a form a KAM can use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import UnfoldAdminSelectWidget

from guanxi.accounts.admin_base import ScopedModelAdmin, visible_contacts
from guanxi.accounts.selectors import accounts_visible_to, staff_users, users_who_see
from guanxi.contacts.models import Contact
from guanxi.core.admin_mixins import (
    ScopedStackedInline,
    ScopedTabularInline,
    ServiceRulesForm,
    choices_once,
)
from guanxi.core.models import User
from guanxi.plans import rules
from guanxi.plans.models import (
    AccountPlan,
    ActionStatus,
    PlanAction,
    PlanCompetitor,
    PlanGoal,
    PlanReview,
)
from guanxi.relationships.models import (
    BuyingCentreMember,
    KotlerLevel,
    RelationshipStage,
    SupplierStage,
)


def _account_id(request: HttpRequest) -> int | None:
    """The account a new plan is for: the add page's ?account= (kept on its POST), or the
    account chosen in the posted form."""
    for raw in (request.GET.get("account", ""), request.POST.get("account", "")):
        if raw.isdigit() and accounts_visible_to(request.user).filter(pk=int(raw)).exists():
            return int(raw)
    return None


def goal_contacts(user: User, account_id: int | None, plan: AccountPlan | None) -> QuerySet:
    """The people a goal may name: the account's contacts and the people on its buying centre
    (the rule of rules.check_goal), plus those the plan's goals already name. Without an
    account yet: every contact the user may see."""
    if account_id is None:
        return visible_contacts(user).select_related("account")
    q = Q(account_id=account_id) | Q(
        pk__in=BuyingCentreMember.objects.filter(account_id=account_id).values("contact_id")
    )
    if plan is not None:
        q |= Q(pk__in=plan.goals.filter(contact__isnull=False).values("contact_id"))
    return Contact.objects.filter(q).order_by("name", "pk")


def constraint_fields(model: Any) -> set[str]:
    """The fields a model's check constraints read. Their rules live in plans.rules (which
    name the field and say what to do); left to the model, a broken constraint shows the raw
    "Constraint … is violated" message."""
    fields: set[str] = set()
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if condition is not None:
            fields |= {name.split("__")[0] for name in condition.referenced_base_fields}
    return fields


class PlanRowForm(ServiceRulesForm):
    """An inline row of the plan (goal, action, review). Only rows the user added or changed are
    checked: an old row that today's rules would refuse (an action owner who has since lost
    sight of the account) never blocks saving the rest of the plan."""

    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), *constraint_fields(self._meta.model)}

    def _post_clean(self) -> None:
        if self.instance.pk is not None and not self.has_changed():
            return  # not saved either (the formset skips unchanged rows)
        super()._post_clean()


class GoalForm(PlanRowForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whole numbers without ".00" (432000, not 432000.00): the box stays narrow enough for
        # the Goals tab to fit a laptop screen, and the figure reads at a glance.
        for name in ("target_value", "manual_value"):
            value = self.initial.get(name)
            if isinstance(value, Decimal) and value == value.to_integral_value():
                self.initial[name] = value.quantize(Decimal(1))

    def check_rules(self, goal: PlanGoal) -> None:
        rules.check_goal(goal, plan=goal.plan)


class ActionForm(PlanRowForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == ActionStatus.DONE and not data.get("done_on"):
            data["done_on"] = timezone.localdate()  # ticked done in the form: done today
        return data

    def check_rules(self, action: PlanAction) -> None:
        # The owner is checked only when set or changed (see PlanRowForm).
        owner_set = self.instance._state.adding or "owner" in self.changed_data
        rules.check_action(action, plan=action.plan, check_owner=owner_set)


class ReviewForm(PlanRowForm):
    def check_rules(self, review: PlanReview) -> None:
        rules.check_review(review)


#: Rows per page of the plan's inlines: a plan with a hundred actions renders ten of them
#: (the next pages are links), so the form stays a page a KAM can use and that renders fast.
ROWS_PER_PAGE = 10
STACKED_PER_PAGE = 3


class CompetitorInline(ScopedStackedInline):
    model = PlanCompetitor
    extra = 0
    tab = True
    per_page = STACKED_PER_PAGE
    collapsible = True  # a competitor's seven texts folded under its name
    fields = (
        ("name", "share_estimate"),
        "positioning",
        "market_strategy",
        "relationship_strategy",
        "relationship_means",
        "strongholds",
        "organisation",
    )
    formfield_overrides = ScopedModelAdmin.formfield_overrides


#: Column widths of the goal and action rows at a laptop's 1400 px: the goal's and action's
#: words get the room, numbers and dates little.
GOAL_WIDTHS = {
    "description": "min-width: 14rem",
    "measure": "width: 10rem; min-width: 10rem",
    "target_value": "width: 7rem; min-width: 7rem",
    "manual_value": "width: 7rem; min-width: 7rem",
    "contact": "width: 8rem; min-width: 8rem",
}
ACTION_WIDTHS = {
    "title": "min-width: 14rem",
    "goal": "min-width: 9rem",
    "status": "min-width: 6rem",
    "due_on": "width: 7.5rem; min-width: 7.5rem",
    "done_on": "width: 7.5rem; min-width: 7.5rem",
    "notes": "min-width: 9rem",
}


def fit_columns(fields: dict[str, Any], widths: dict[str, str]) -> None:
    """Set the inline's column widths; people and goals drop the add/edit buttons beside the
    drop-down (a new contact or user is not made from a plan), which squeezed the choice."""
    for name, style in widths.items():
        if name in fields:
            fields[name].widget.attrs["style"] = style
    if "notes" in fields:
        fields["notes"].widget.attrs["rows"] = 1  # grows as typed; a row stays one line
    for name in ("contact", "owner", "goal"):
        widget = getattr(fields.get(name), "widget", None)
        for flag in ("can_add_related", "can_change_related", "can_view_related",
                     "can_delete_related"):  # fmt: skip
            if hasattr(widget, flag):
                setattr(widget, flag, False)


class GoalInline(ScopedTabularInline):
    model = PlanGoal
    form = GoalForm
    extra = 0
    tab = True
    per_page = ROWS_PER_PAGE
    fields = ("description", "measure", "target_value", "target_stage", "contact", "manual_value",
              "position")  # fmt: skip
    ordering_field = "position"  # goals are dragged into order
    hide_ordering_field = True

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "target_stage":
            groups = [
                (_("Relationship stage with a person"), list(RelationshipStage.choices)),
                (_("Our position as supplier"), list(SupplierStage.choices)),
                (_("Relationship level (Kotler)"), list(KotlerLevel.choices)),
            ]
            field = forms.ChoiceField(
                choices=[("", "—"), *groups],
                required=False,
                label=db_field.verbose_name,
                help_text=gettext_lazy("For stage goals: the stage to reach."),
            )
            field.widget = UnfoldAdminSelectWidget(choices=field.choices)
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple[str, ...]:
        # A new plan without its account yet may name any contact the user sees: searched as
        # typed, not a list of every one of them (get_formset marks the request).
        return ("contact",) if getattr(request, "_guanxi_any_contact", False) else ()

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        account_id = obj.account_id if obj is not None else _account_id(request)
        request._guanxi_any_contact = account_id is None
        formset = super().get_formset(request, obj, **kwargs)
        contact_field = formset.form.base_fields.get("contact")
        if contact_field is not None:
            # The account's people only (its contacts and its buying centre), not every contact
            # the user may see: one list per goal row made the page a megabyte.
            contact_field.queryset = goal_contacts(request.user, account_id, obj)
            if account_id is not None:
                choices_once(contact_field)
        fit_columns(formset.form.base_fields, GOAL_WIDTHS)
        return formset


class ActionInline(ScopedTabularInline):
    model = PlanAction
    form = ActionForm
    extra = 0
    tab = True
    per_page = ROWS_PER_PAGE
    fields = ("title", "goal", "owner", "due_on", "status", "done_on", "notes")
    formfield_overrides = {
        **ScopedModelAdmin.formfield_overrides,
    }

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        goal_field = formset.form.base_fields.get("goal")
        if goal_field is not None:
            goal_field.queryset = (
                PlanGoal.objects.filter(plan=obj) if obj is not None else PlanGoal.objects.none()
            )
        owner_field = formset.form.base_fields.get("owner")
        if owner_field is not None:
            account_id = obj.account_id if obj is not None else _account_id(request)
            if account_id is not None:
                # Whoever may see the account, plus the current owners (an unchanged row stays
                # valid even if its owner has since lost sight of the account).
                current = obj.actions.values("owner_id") if obj is not None else []
                owner_field.queryset = User.objects.filter(
                    Q(pk__in=users_who_see(account_id).values("pk")) | Q(pk__in=current)
                ).order_by("username")
        choices_once(goal_field)
        choices_once(owner_field)
        fit_columns(formset.form.base_fields, ACTION_WIDTHS)
        return formset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "owner":
            kwargs["queryset"] = staff_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReviewInline(ScopedStackedInline):
    model = PlanReview
    form = ReviewForm
    extra = 0
    tab = True
    per_page = STACKED_PER_PAGE  # newest first
    collapsible = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A review's title names its plan and shows who recorded it: no query per review.
        return super().get_queryset(request).select_related("plan__account", "recorded_by")

    fields = (("held_on", "period"), "attendees", "minutes", "decisions", "recorded_by")
    readonly_fields = ("recorded_by",)
    formfield_overrides = ScopedModelAdmin.formfield_overrides
