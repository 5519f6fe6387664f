"""Assessment checklists (客户状态分析表, seed 003): the willingness assessment (客户意愿评估) and
the quality assessment (客户素质评估) as data — checklists of weighted questions with scored
answer options, in zh-Hans and English — and the assessments a KAM fills in for an account,
each kept (dated, by whom), scored 0–100 per checklist and put in a band (high, medium, low);
the account's latest one is marked for the account list's filters and the 360° page."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.formatting import localised


class ChecklistKind(models.TextChoices):
    WILLINGNESS = "willingness", _("Willingness")
    QUALITY = "quality", _("Quality")


class Band(models.TextChoices):
    HIGH = "high", pgettext_lazy("assessment band", "High")
    MEDIUM = "medium", pgettext_lazy("assessment band", "Medium")
    LOW = "low", pgettext_lazy("assessment band", "Low")


PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Checklist(models.Model):
    """One questionnaire. The active checklist of each kind is the one a new assessment fills."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ChecklistKind.choices)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("New assessments fill the active checklist of each kind (one per kind)."),
    )
    high_from = models.PositiveSmallIntegerField(
        _("high from (score)"), default=70, validators=PERCENT
    )
    medium_from = models.PositiveSmallIntegerField(
        _("medium from (score)"), default=40, validators=PERCENT
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment checklist")
        verbose_name_plural = _("assessment checklists")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_active=True),
                name="uniq_active_checklist_per_kind",
            )
        ]

    def __str__(self) -> str:
        return localised(self.name, self.name_en)

    def band_of(self, score: Decimal) -> str:
        if score >= self.high_from:
            return Band.HIGH
        if score >= self.medium_from:
            return Band.MEDIUM
        return Band.LOW


class Question(models.Model):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question (Chinese)"), max_length=200)
    text_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "position"], name="uniq_question_position")
        ]

    def __str__(self) -> str:
        return localised(self.text, self.text_en)


class Option(models.Model):
    """An answer to a question and its points (the best answer has the most)."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("answer (Chinese)"), max_length=100)
    label_en = models.CharField(_("answer (English)"), max_length=100, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), validators=[MaxValueValidator(100)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="uniq_option_position")
        ]

    def __str__(self) -> str:
        return localised(self.label, self.label_en)


class Assessment(models.Model):
    """One filled-in 客户状态分析表 of an account: both checklists, scored. Every one is kept;
    ``is_latest`` marks the account's newest (by date, then entry)."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    willingness_score = models.DecimalField(
        _("willingness score"), max_digits=5, decimal_places=1, validators=PERCENT
    )
    willingness_band = models.CharField(_("willingness"), max_length=8, choices=Band.choices)
    quality_score = models.DecimalField(
        _("quality score"), max_digits=5, decimal_places=1, validators=PERCENT
    )
    quality_band = models.CharField(_("quality"), max_length=8, choices=Band.choices)
    is_latest = models.BooleanField(_("latest of the account"), default=False)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(is_latest=True),
                name="uniq_latest_assessment",
            )
        ]
        indexes = [
            models.Index(fields=["account", "-assessed_on", "-id"], name="assess_account_date"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.assessed_on:%Y-%m-%d}"


class Answer(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("answer"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="uniq_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question} → {self.option}"
