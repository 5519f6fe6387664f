"""Account plans (一企一策, the annual relationship plan of a key account; seeds 000, 002, 004).

An `AccountPlan` is one account's plan for one year: the situation analysis (the customer's
challenges from five directions, their strategy, what shapes how they decide), the competitors
(`PlanCompetitor`, seed 004's six questions each), `PlanGoal`s with a measure read from the data
where one exists, `PlanAction`s with owner, due date and status, and `PlanReview`s (the quarterly
review meeting's minutes and decisions).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account

MONEY = {"max_digits": 14, "decimal_places": 2}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ReviewCadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every half year")


CADENCE_MONTHS = {
    ReviewCadence.MONTHLY: 1,
    ReviewCadence.QUARTERLY: 3,
    ReviewCadence.HALF_YEARLY: 6,
}


class AccountPlan(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("plan title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("plan owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Situation analysis: the customer's challenges (客户面临的挑战, seed 004), five directions.
    challenges_macro = models.TextField(_("macro environment"), blank=True)
    challenges_business = models.TextField(_("their own business"), blank=True)
    challenges_suppliers = models.TextField(_("their suppliers"), blank=True)
    challenges_competitors = models.TextField(_("their competitors"), blank=True)
    challenges_customers = models.TextField(_("their customers"), blank=True)
    customer_strategy = models.TextField(
        _("their strategy"),
        blank=True,
        help_text=_("Growth, organisation, services, new products: where the customer is going."),
    )
    decision_factors = models.TextField(
        _("how they decide"),
        blank=True,
        help_text=_("Ownership and shareholding, who controls, who approves and who decides."),
    )
    strategy = models.TextField(
        _("our strategy for this account"), blank=True, help_text=_("What we will do and why.")
    )
    wallet_size = models.DecimalField(
        _("their yearly spend on what we sell (CNY)"),
        null=True,
        blank=True,
        help_text=_("The customer's whole wallet, for share of wallet."),
        **MONEY,
    )
    review_cadence = models.CharField(
        _("review cadence"),
        max_length=12,
        choices=ReviewCadence.choices,
        default=ReviewCadence.QUARTERLY,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["-year", "account__name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="uniq_plan_account_year")
        ]

    def __str__(self) -> str:
        return self.title or f"{self.account} {self.year}"


class PlanCompetitor(models.Model):
    """A competitor at this account, seen through seed 004's six questions (竞争对手分析)."""

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="competitors"
    )
    name = models.CharField(_("competitor"), max_length=200)
    positioning = models.TextField(_("1. market positioning and goals"), blank=True)
    market_strategy = models.TextField(_("2. market strategy"), blank=True)
    relationship_strategy = models.TextField(_("3. how they raise the relationship"), blank=True)
    relationship_means = models.TextField(_("4. how they widen the relationship"), blank=True)
    strongholds = models.TextField(_("5. their strongholds, level and problems"), blank=True)
    organisation = models.TextField(_("6. their organisation and roles"), blank=True)
    share_estimate = models.PositiveSmallIntegerField(
        _("their share of the wallet (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitor analysis")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.name


class GoalMeasure(models.TextChoices):
    """What a goal is measured by. All but MANUAL are read from the data."""

    REVENUE = "revenue", _("Revenue in the plan year")
    MARGIN = "margin", _("Gross margin in the plan year")
    TRANSACTIONS = "transactions", _("Purchases in the plan year")
    SHARE_OF_WALLET = "share_of_wallet", _("Share of wallet (%)")
    CONTACT_STAGE = "contact_stage", _("Relationship stage with a person")
    SUPPLIER_STAGE = "supplier_stage", _("Our position as supplier")
    KOTLER_LEVEL = "kotler_level", _("Relationship level (Kotler)")
    COVERAGE = "coverage", _("Relationship coverage score")
    # Read from the account's agreements in force (协议).
    STRATEGIC_AGREEMENTS = "strategic_agreements", _("Active strategic agreements (number)")
    COMMITMENT_ATTAINED = "commitment_attained", _("Agreement commitment attained (%)")
    MANUAL = "manual", _("Other (current value typed in)")


class PlanGoal(models.Model):
    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    description = models.CharField(_("goal"), max_length=300)
    measure = models.CharField(
        _("measured by"), max_length=20, choices=GoalMeasure.choices, default=GoalMeasure.MANUAL
    )
    # Numeric measures (revenue, margin, purchases, share %, coverage, manual).
    target_value = models.DecimalField(_("target"), null=True, blank=True, **MONEY)
    # Stage measures: the stage to reach (a RelationshipStage, SupplierStage or KotlerLevel value).
    target_stage = models.CharField(_("stage to reach"), max_length=20, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a relationship-stage goal: whom the stage is with."),
    )
    manual_value = models.DecimalField(
        _("current value (typed in)"), null=True, blank=True, **MONEY
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals and measures")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measure="contact_stage") | Q(contact__isnull=False),
                name="contact_stage_goal_has_contact",
            )
        ]

    def __str__(self) -> str:
        return self.description


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanAction(models.Model):
    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    goal = models.ForeignKey(
        PlanGoal,
        verbose_name=_("for goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="done_action_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PlanReview(models.Model):
    """A plan review meeting (e.g. the quarterly one): minutes and decisions, kept with the plan."""

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews"
    )
    held_on = models.DateField(_("held on"))
    period = models.CharField(
        _("period reviewed"), max_length=40, blank=True, help_text=_("E.g. 2026 Q3.")
    )
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["plan", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.period or self.held_on}"
