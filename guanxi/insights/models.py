"""Customer-value analysis runs and the per-account score snapshots they produce.

One `AnalysisRun` per execution of the pipeline (summary → RFM → Pareto/ABC → BG/NBD → Gamma-Gamma
→ CLV and lifetime profit). Each run stores one `AccountScore` per account it saw; scores are never
updated in place, so an account's history of segments, classes and values is its scores over runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Account
from guanxi.core.models import LeasedRun

MONEY = {"max_digits": 16, "decimal_places": 2}
# Newest first, the order that decides which successful run is "the latest" (whose scores are
# current) and which runs keep their scores.
LATEST_ORDER = ("-observation_end", "-started_at", "-id")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    INTERRUPTED = "interrupted", _("interrupted")


class Segment(models.TextChoices):
    # The commonly published RFM segment names (analytics.rfm.DEFAULT_SEGMENT_RULES); the codes
    # are the analytics library's names so stored rows stay readable without this table.
    CHAMPIONS = "Champions", _("Champions")
    LOYAL = "Loyal", _("Loyal customers")
    POTENTIAL_LOYALIST = "Potential loyalist", _("Potential loyalists")
    NEW = "New", _("New customers")
    PROMISING = "Promising", _("Promising")
    NEED_ATTENTION = "Need attention", _("Need attention")
    ABOUT_TO_SLEEP = "About to sleep", _("About to sleep")
    AT_RISK = "At risk", _("At risk of churn")
    CANT_LOSE = "Can't lose them", _("Can't lose them")
    HIBERNATING = "Hibernating", _("Hibernating")
    LOST = "Lost", _("Lost customers")


class AbcClass(models.TextChoices):
    A = "A", _("A — top revenue")
    B = "B", _("B — middle")
    C = "C", _("C — tail")


class AnalysisRun(LeasedRun):
    """One run of the customer-value pipeline over every account's transactions."""

    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    observation_end = models.DateField(_("data up to"))
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Settings the numbers depend on, kept with them so an old run stays interpretable.
    parameters = models.JSONField(_("parameters"), default=dict)
    model_version = models.CharField(_("model version"), max_length=100, blank=True)
    n_accounts = models.PositiveIntegerField(_("accounts scored"), default=0)
    n_transactions = models.PositiveIntegerField(_("transactions read"), default=0)
    # Fitted models and diagnostics, as the analytics library reports them (see services).
    purchase_model = models.JSONField(_("purchase model"), default=dict, blank=True)
    spend_model = models.JSONField(_("spend model"), default=dict, blank=True)
    calibration = models.JSONField(_("calibration vs holdout"), default=dict, blank=True)
    pareto = models.JSONField(_("Pareto curve"), default=dict, blank=True)
    segment_counts = models.JSONField(_("accounts per segment"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    # Set when the run's per-account scores were deleted under GUANXI_ANALYSIS_RUNS_KEPT; the
    # report above stays.
    scores_pruned_at = models.DateTimeField(_("scores removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        ordering = ["-started_at", "-id"]
        get_latest_by = ["started_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.observation_end:%Y-%m-%d} · {self.get_status_display()}"


class AccountScore(models.Model):
    """An account's scores from one analysis run (客户价值快照)."""

    # No index of its own: the indexes below lead with the run. A run-only index let the
    # planner, unaware of a fresh run's rows, read every score of the run and sort them rather
    # than walk (run, clv) in order for one page of the account list.
    run = models.ForeignKey(
        AnalysisRun,
        verbose_name=_("analysis run"),
        on_delete=models.CASCADE,
        related_name="scores",
        db_index=False,
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="scores"
    )
    # Summary in the run's period unit (weeks by default), BTYD definitions.
    frequency = models.PositiveIntegerField(_("repeat purchases"))
    recency = models.FloatField(_("recency (first to last purchase)"))
    age = models.FloatField(_("customer age (T)"))
    periods_since_last = models.FloatField(_("periods since last purchase"))
    monetary = models.DecimalField(_("mean repeat spend"), **MONEY)
    total_revenue = models.DecimalField(_("revenue to date"), **MONEY)
    total_cost = models.DecimalField(_("cost of goods to date"), **MONEY)
    # RFM and Pareto/ABC
    r_score = models.PositiveSmallIntegerField("R")
    f_score = models.PositiveSmallIntegerField("F")
    m_score = models.PositiveSmallIntegerField("M")
    rfm_cell = models.CharField(_("RFM cell"), max_length=3)
    segment = models.CharField(_("RFM segment"), max_length=30, choices=Segment.choices)
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices)
    revenue_rank = models.PositiveIntegerField(_("revenue rank"))
    # Model predictions: null when the run could not fit the model (see the run's diagnostics).
    expected_purchases_90d = models.FloatField(
        _("expected purchases, next 90 days"), null=True, blank=True
    )
    p_alive = models.FloatField(_("probability alive"), null=True, blank=True)
    expected_spend = models.DecimalField(
        _("expected spend per purchase"), null=True, blank=True, **MONEY
    )
    clv = models.DecimalField(_("CLV (discounted revenue)"), null=True, blank=True, **MONEY)
    # Lifetime profit (客户终生利润, seed 001)
    cost_to_serve = models.DecimalField(_("cost to serve to date"), **MONEY)
    historic_clp = models.DecimalField(_("historic lifetime profit"), **MONEY)
    predictive_clp = models.DecimalField(
        _("predicted lifetime profit"), null=True, blank=True, **MONEY
    )

    class Meta:
        verbose_name = _("account score")
        verbose_name_plural = _("account scores")
        ordering = ["-run_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "account"], name="score_one_per_run_account")
        ]
        indexes = [
            models.Index(fields=["account", "run"]),
            # The account list sorted by CLV or P(alive) walks one run's scores in order
            # (workspace.admin_list.ScoredFirstPaginator): one page, not every score sorted.
            models.Index(fields=["run", "clv", "account"], name="score_run_clv"),
            models.Index(fields=["run", "p_alive", "account"], name="score_run_p_alive"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} @ run {self.run_id}: {self.segment} / {self.abc_class}"
