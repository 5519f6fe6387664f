"""Account plans (一企一策) in the admin: the list with progress, the plan form in tabs (situation
analysis, our strategy, competitors, goals, actions, reviews) with a progress panel, and a
printable one-page plan.

The forms run the services' rules (guanxi/plans/rules.py `check_*`), so a broken rule is a
field error on the page, never a 500. Who sees a plan follows the account rule (ScopedModelAdmin).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import action, display

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.accounts.selectors import accounts_visible_to, staff_users, users_who_see
from guanxi.accounts.services import assignable_owners
from guanxi.core.admin_mixins import (
    RelatedOnlyDropdownFilter,
    ServiceRulesForm,
    is_staff,
)
from guanxi.core.errors import ApplicationError
from guanxi.core.models import User
from guanxi.plans import rules
from guanxi.plans.admin_inlines import (
    ActionInline,
    CompetitorInline,
    GoalInline,
    ReviewInline,
)
from guanxi.plans.models import (
    AccountPlan,
    PlanGoal,
    PlanReview,
    PlanStatus,
)
from guanxi.plans.roll_over import plan_roll_over
from guanxi.plans.selectors import PlanProgress, plan_progress

#: The situation analysis as printed: the five directions of the customer's challenges and how
#: they decide (their strategy is printed beside ours).
SITUATION_FIELDS = (
    "challenges_macro",
    "challenges_business",
    "challenges_suppliers",
    "challenges_competitors",
    "challenges_customers",
    "decision_factors",
)
STATUS_COLOURS = {PlanStatus.DRAFT: "info", PlanStatus.ACTIVE: "success", PlanStatus.CLOSED: ""}


def plan_owner_choices(actor: User, account: Any, plan: AccountPlan | None) -> QuerySet[User]:
    """Whom the plan-owner drop-down offers (rules.check_plan_owner's rule): the actor, the
    account's owner, or whom the actor may assign accounts to — of those, only users who may
    see the account; plus the current owner, so an unchanged plan stays valid."""
    allowed = assignable_owners(actor, staff_users())
    if account is None:
        return allowed.order_by("username")
    q = Q(pk__in=users_who_see(account).values("pk")) & (
        Q(pk__in=allowed.values("pk")) | Q(pk__in=[actor.pk, account.owner_id])
    )
    if plan is not None:
        q |= Q(pk=plan.owner_id)
    return User.objects.filter(q).order_by("username")


class PlanForm(ServiceRulesForm):
    def _get_validation_exclusions(self) -> set[str]:
        # One plan per account and year: check_plan says which plan already holds them (the
        # model's constraint message does not); the database constraint still backs it.
        return {*super()._get_validation_exclusions(), "year"}

    def check_rules(self, plan: AccountPlan) -> None:
        adding = plan._state.adding
        if adding or "owner" in self.changed_data:
            rules.check_plan_owner(
                plan=plan, owner=plan.owner if plan.owner_id else None, actor=self.actor
            )
        rules.check_plan(plan)


class YearFilter(DropdownFilter):
    title = gettext_lazy("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = (
            model_admin.get_queryset(request)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() and str(self.value()).isdigit():
            return queryset.filter(year=int(self.value()))
        return queryset


@admin.register(AccountPlan)
class AccountPlanAdmin(ScopedModelAdmin):
    form = PlanForm
    list_display = ("account_display", "year", "status_display", "owner", "actions_display",
                    "goals_display", "next_review_display")  # fmt: skip
    list_display_links = ("account_display",)
    list_select_related = ("account", "owner")
    list_filter = (
        YearFilter,
        ("status", ChoicesDropdownFilter),
        ("owner", RelatedOnlyDropdownFilter),
        ("account__team", RelatedOnlyDropdownFilter),
    )
    search_fields = ("account__name", "account__code", "title")
    search_help_text = gettext_lazy("Account name or code, or the plan's title")
    ordering = ("-year", "account__name")
    inlines = (CompetitorInline, GoalInline, ActionInline, ReviewInline)
    autocomplete_fields = ("account",)  # searched as typed: the add form listed every account
    # Printing is the progress panel's "Printable plan" link, not a header button: at 1024 px a
    # third button beside History and "Create next year's plan" cut the title short.
    actions_detail = ("roll_over",)
    change_form_before_template = "admin/plans/accountplan/_progress.html"
    readonly_fields = ("created_by", "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {"fields": (("account", "year"), "title", ("status", "owner"), "review_cadence")},
        ),
        (
            gettext_lazy("Situation analysis"),
            {
                "classes": ["tab"],
                "description": gettext_lazy(
                    "The customer's challenges from five directions, where they are going and "
                    "how they decide."
                ),
                "fields": (
                    "challenges_macro",
                    "challenges_business",
                    "challenges_suppliers",
                    "challenges_competitors",
                    "challenges_customers",
                    "customer_strategy",
                    "decision_factors",
                ),
            },
        ),
        (
            gettext_lazy("Our strategy"),
            {"classes": ["tab"], "fields": ("strategy", "wallet_size")},
        ),
        (
            gettext_lazy("Record"),
            {"classes": ["tab"], "fields": ("created_by", ("created_at", "updated_at"))},
        ),
    )

    # --- list ---------------------------------------------------------------------------------

    def _progress(self, obj: AccountPlan) -> PlanProgress:
        cached = getattr(obj, "_progress", None)
        if cached is None:
            cached = obj._progress = plan_progress(obj)
        return cached

    @display(description=gettext_lazy("account"), ordering="account__name")
    def account_display(self, obj: AccountPlan) -> str:
        if obj.title:
            return format_html("{}<br><span class='text-xs'>{}</span>", obj.account.name, obj.title)
        return obj.account.name

    @display(description=gettext_lazy("status"), ordering="status", label=STATUS_COLOURS)
    def status_display(self, obj: AccountPlan) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=gettext_lazy("actions done (of those due)"))
    def actions_display(self, obj: AccountPlan) -> str:
        p = self._progress(obj)
        text = _("%(done)s of %(due)s") % {"done": p.actions_done, "due": p.actions_due}
        if p.actions_overdue:
            return format_html(
                '{} · <span class="text-red-600" data-overdue="{}">{}</span>',
                text,
                p.actions_overdue,
                ngettext("%(n)s overdue", "%(n)s overdue", p.actions_overdue)
                % {"n": p.actions_overdue},
            )
        return text

    @display(description=gettext_lazy("goals reached"))
    def goals_display(self, obj: AccountPlan) -> str:
        p = self._progress(obj)
        return f"{p.goals_reached} / {len(p.goals)}"

    @display(description=gettext_lazy("next review"))
    def next_review_display(self, obj: AccountPlan) -> str:
        p = self._progress(obj)
        if p.next_review is None:
            return "—"
        if p.next_review_overdue and obj.status != PlanStatus.CLOSED:
            return format_html('<span class="text-red-600">{}</span>', p.next_review.isoformat())
        return p.next_review.isoformat()

    # --- form ---------------------------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Goals name the account's people: a plan stays with its account.
            fields = (*fields, "account")
        return fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "owner":
            kwargs["queryset"] = staff_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("owner")
        if field is not None:
            field.queryset = plan_owner_choices(
                request.user,
                obj.account if obj is not None else self._account_from_query(request),
                obj,
            )
        return form

    def _account_from_query(self, request: HttpRequest) -> Any:
        raw = request.GET.get("account", "")
        if not raw.isdigit():
            return None
        return accounts_visible_to(request.user).filter(pk=int(raw)).first()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("year", timezone.localdate().year)
        account = self._account_from_query(request)
        if account is not None and request.user.pk != account.owner_id:
            initial.setdefault("owner", account.owner_id)
        initial.setdefault("owner", request.user.pk)
        return initial

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if request.method == "GET":
            account = self._account_from_query(request)
            year = request.GET.get("year", "")
            year = int(year) if year.isdigit() else timezone.localdate().year
            existing = (
                AccountPlan.objects.filter(account=account, year=year).first() if account else None
            )
            if existing is not None:
                messages.info(
                    request,
                    _("%(account)s already has a plan for %(year)s.")
                    % {"account": account, "year": year},
                )
                return HttpResponseRedirect(
                    reverse("admin:plans_accountplan_change", args=(existing.pk,))
                )
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: AccountPlan, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is PlanReview:
            for inline_form in formset.forms:
                review = inline_form.instance
                if review.pk is None and review.recorded_by_id is None:
                    review.recorded_by = request.user
        super().save_formset(request, form, formset, change)

    def render_change_form(self, request: HttpRequest, context: dict, add: bool = False,
                           change: bool = False, form_url: str = "", obj: Any = None):  # fmt: skip
        if obj is not None and obj.pk:
            context = {
                **context,
                "plan_progress": plan_progress(obj),
                "goals_tab": capfirst(PlanGoal._meta.verbose_name_plural),
                "print_url": reverse("admin:plans_accountplan_print_plan", args=(obj.pk,)),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- print --------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        printing = path(
            "<path:object_id>/print/",
            self.admin_site.admin_view(self.print_plan),
            name="plans_accountplan_print_plan",
        )
        return [printing, *super().get_urls()]

    def print_plan(self, request: HttpRequest, object_id: str) -> HttpResponse:
        plan = (
            self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if str(object_id).isdigit()
            else None
        )
        if plan is None or not is_staff(request):
            raise Http404
        context = {
            "plan": plan,
            "progress": plan_progress(plan),
            "actions": list(plan.actions.select_related("owner", "goal").order_by("due_on", "id")),
            "competitors": list(plan.competitors.all()),
            "situation": [
                (capfirst(AccountPlan._meta.get_field(name).verbose_name), getattr(plan, name))
                for name in SITUATION_FIELDS
                if getattr(plan, name)
            ],
            "back_url": reverse("admin:plans_accountplan_change", args=(plan.pk,)),
            "printed_on": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/plans/accountplan/print.html", context)

    # --- next year ----------------------------------------------------------------------------

    @action(description=gettext_lazy("Create next year's plan"), url_path="roll-over",
            icon="event_repeat")  # fmt: skip
    def roll_over(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not str(object_id).isdigit() or not self.object_is_visible(request, object_id):
            raise Http404
        if request.method != "POST":
            # A GET (the detail-action link) asks first: rolling over writes a new plan.
            plan = self.get_queryset(request).get(pk=int(object_id))
            context = {
                **self.admin_site.each_context(request),
                "title": _("Create next year's plan"),
                "plan": plan,
                "next_year": plan.year + 1,
                "existing": AccountPlan.objects.filter(
                    account_id=plan.account_id, year=plan.year + 1
                ).first(),
                "opts": self.model._meta,
                "back_url": reverse("admin:plans_accountplan_change", args=(plan.pk,)),
            }
            return TemplateResponse(request, "admin/plans/accountplan/roll_over.html", context)
        try:
            result = plan_roll_over(plan=int(object_id), actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(reverse("admin:plans_accountplan_change",
                                                args=(object_id,)))  # fmt: skip
        level = messages.SUCCESS if result.created else messages.INFO
        messages.add_message(request, level, result.message())
        return HttpResponseRedirect(
            reverse("admin:plans_accountplan_change", args=(result.plan.pk,))
        )
