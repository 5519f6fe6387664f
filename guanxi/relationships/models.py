"""The buying centre (决策链) and the relationship stages of key accounts (seeds 000, 001, 004).

A `BuyingCentreMember` puts a contact on an account's buying centre: their buying roles, attitude
to us, influence, reporting line and whether they are a rising star. The contact may belong to
another account (an external influencer: a government department, an association). A
`RelationshipStageEvent` records a key decision maker reaching a stage (好感 → 信任 → 利益 →
情感) with the touchpoint that shows it; an `AccountRelationship` holds the organisation's stage
(一般供应商 → 战略伙伴) and Kotler level, with its history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account


class BuyingRole(models.TextChoices):
    APPROVER = "approver", _("Decision approver")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    SUPPORTER = "supporter", _("Decision supporter")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("End user")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class StanceToUs(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    SCEPTIC = "sceptic", _("Sceptic")
    OPPONENT = "opponent", _("Opponent")


class BuyingCentreMember(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="buying_centre"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="buying_centre_seats",
        help_text=_(
            "Usually a contact of this account; an external influencer may belong to another."
        ),
    )
    buying_roles = models.JSONField(
        _("buying roles"), default=list, blank=True, help_text=_("One or more buying roles.")
    )
    stance = models.CharField(
        _("attitude to us"), max_length=20, choices=StanceToUs.choices, default=StanceToUs.NEUTRAL
    )
    influence = models.PositiveSmallIntegerField(
        _("influence (1–5)"), default=3, help_text=_("1 = little say, 5 = decides.")
    )
    reports_to = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rising_star = models.BooleanField(
        _("future decision maker"), default=False, help_text=_("A likely future decision maker.")
    )
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our relationship owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who on our side owns the relationship with this person."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("buying-centre member")
        verbose_name_plural = _("buying-centre members")
        ordering = ["account", "-influence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "contact"], name="uniq_buying_centre_member"
            ),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5), name="influence_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(reports_to=models.F("contact")), name="not_reporting_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.account}"

    def clean(self) -> None:
        unknown = [r for r in self.buying_roles or [] if r not in BuyingRole.values]
        if unknown:
            raise ValidationError({"buying_roles": _("Unknown buying role: %(roles)s.")
                                   % {"roles": gettext(", ").join(map(str, unknown))}})  # fmt: skip
        if self.reports_to_id and self.reports_to_id == self.contact_id:
            raise ValidationError({"reports_to": _("A person cannot report to themselves.")})


class RelationshipStage(models.TextChoices):
    """Key-decision-maker relationship stages (seed 001: 好感-信任-利益-情感), in order."""

    GOODWILL = "goodwill", _("Goodwill")
    TRUST = "trust", _("Trust")
    INTEREST = "interest", _("Shared interest")
    EMOTION = "emotion", _("Emotional bond")


STAGE_ORDER = {stage: i for i, stage in enumerate(RelationshipStage.values, start=1)}


class RelationshipStageEvent(models.Model):
    """A contact reached a relationship stage with us, on a day, shown by a touchpoint."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="relationship_stages",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=RelationshipStage.choices)
    reached_on = models.DateField(_("reached on"))
    evidence = models.ForeignKey(
        "touchpoints.Touchpoint",
        verbose_name=_("evidence (touchpoint)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
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
        verbose_name = _("relationship stage reached")
        verbose_name_plural = _("relationship stages")
        ordering = ["contact", "reached_on", "id"]
        indexes = [models.Index(fields=["account", "contact", "reached_on"])]

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_stage_display()} ({self.reached_on})"


class SupplierStage(models.TextChoices):
    """Organisation relationship stage (seed 001: 一般供应商-主要供应商-核心供应商-战略伙伴)."""

    GENERAL = "general", _("General supplier")
    MAIN = "main", _("Main supplier")
    CORE = "core", _("Core supplier")
    STRATEGIC = "strategic", _("Strategic partner")


class KotlerLevel(models.TextChoices):
    """Kotler's five relationship levels (seed 003)."""

    BASIC = "basic", _("Basic")
    REACTIVE = "reactive", _("Reactive")
    ACCOUNTABLE = "accountable", _("Accountable")
    PROACTIVE = "proactive", _("Proactive")
    PARTNERSHIP = "partnership", _("Partnership")


class AccountRelationship(models.Model):
    """Where we stand with the organisation as a whole (组织关系)."""

    account = models.OneToOneField(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="relationship"
    )
    supplier_stage = models.CharField(
        _("our position as supplier"),
        max_length=20,
        choices=SupplierStage.choices,
        default=SupplierStage.GENERAL,
    )
    kotler_level = models.CharField(
        _("relationship level (Kotler)"),
        max_length=20,
        choices=KotlerLevel.choices,
        default=KotlerLevel.BASIC,
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation relationship")
        verbose_name_plural = _("organisation relationships")

    def __str__(self) -> str:
        return f"{self.account}: {self.get_supplier_stage_display()}"


def _default_required_roles() -> list[str]:
    return [BuyingRole.APPROVER.value, BuyingRole.DECISION_MAKER.value]


class RelationshipRules(models.Model):
    """The thresholds the coverage score and the relationship risks use (one row, managers edit)."""

    required_roles = models.JSONField(
        _("decision roles to cover"),
        default=_default_required_roles,
        help_text=_("Buying roles every key account's map should have someone we know in."),
    )
    current_within_days = models.PositiveSmallIntegerField(
        _("a relationship is current for (days)"),
        default=90,
        help_text=_("A person touched (a touchpoint with them) within this many days is current."),
    )
    champion_inactive_days = models.PositiveSmallIntegerField(
        _("champion inactive after (days)"),
        default=60,
        help_text=_("A champion with no touchpoint for this long is a risk."),
    )
    decision_maker_stage = models.CharField(
        _("stage to reach with a decision maker"),
        max_length=20,
        choices=RelationshipStage.choices,
        default=RelationshipStage.TRUST,
        help_text=_("A risk when no decision maker or approver has reached at least this stage."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("relationship risk rules")
        verbose_name_plural = _("relationship risk rules")

    def __str__(self) -> str:
        return str(_("Relationship risk rules"))

    @classmethod
    def current(cls) -> RelationshipRules:
        """The one row; created with the defaults the first time it is asked for."""
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()


class AccountRelationshipHealth(models.Model):
    """The stored coverage score and relationship risks of one account's buying centre (a
    rollup, see health.py): refreshed by every write that changes them and by the nightly run
    (time passing: "no touchpoint for N days"). Only accounts with a seat have a row."""

    account = models.OneToOneField(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="relationship_health",
    )
    score = models.PositiveSmallIntegerField(_("coverage score"), null=True)
    risk_count = models.PositiveSmallIntegerField(_("risks"), default=0)
    risk_codes = models.CharField(
        _("risk codes"), max_length=200, blank=True, help_text=_("The codes, space-separated.")
    )
    risks = models.JSONField(_("risks"), default=list, blank=True)
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("relationship health")
        verbose_name_plural = _("relationship health")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.score}"
