"""Customer surveys (满意度调查): templates as data, personal links, answers.

A template is NPS (0–10 "how likely to recommend" plus why), CSAT (1–5) or SERVQUAL (the 22
items of Parasuraman, Zeithaml and Berry over five dimensions, each rated for expectation and
perception on 1–7). A `SurveyInvitation` is one personal link for one account (and contact):
its token is signed (`services.invitation_token`), it expires, and it takes one answer — the
`SurveyResponse` points back at it one-to-one, so a second answer cannot be stored even under a
race. Answers imported from surveys run elsewhere have no invitation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.errors import InvalidInput


class SurveyKind(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (NPS)")  # 净推荐值
    CSAT = "csat", _("Customer satisfaction (CSAT)")  # 客户满意度
    SERVQUAL = "servqual", _("Service quality (SERVQUAL)")  # 服务质量差距


class Dimension(models.TextChoices):
    """SERVQUAL's five dimensions (有形性、可靠性、响应性、保证性、移情性)."""

    TANGIBLES = "tangibles", _("Tangibles")
    RELIABILITY = "reliability", _("Reliability")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    ASSURANCE = "assurance", _("Assurance")
    EMPATHY = "empathy", _("Empathy")


class AnswerKind(models.TextChoices):
    NPS = "nps", _("Score 0–10")
    CSAT = "csat", _("Score 1–5")
    SERVQUAL = "servqual", _("Expectation and perception 1–7")
    COMMENT = "comment", _("Free text")


class InvitationSource(models.TextChoices):
    MANUAL = "manual", _("Sent by hand")
    CASE = "case", _("After a case was resolved")
    EVENT = "event", _("After an event")
    YEARLY = "yearly", _("Yearly key-account survey")
    IMPORT = "import", _("Imported")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class NpsCategory(models.TextChoices):
    PROMOTER = "promoter", _("Promoter")  # 推荐者 9–10
    PASSIVE = "passive", _("Passive")  # 被动者 7–8
    DETRACTOR = "detractor", _("Detractor")  # 贬损者 0–6


def nps_category(score: int | None) -> str | None:
    """Promoter 9–10, passive 7–8, detractor 0–6; None for no score."""
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise InvalidInput(_("An NPS score is a whole number from 0 to 10."), field="nps_score")
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


class SurveyTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_in(Language.EN if (get_language() or "").startswith("en") else "")

    def name_in(self, language: str) -> str:
        return self.name_en or self.name if language == Language.EN else self.name


class SurveyItem(models.Model):
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    answer = models.CharField(_("answer"), max_length=10, choices=AnswerKind.choices)
    dimension = models.CharField(
        _("dimension"), max_length=16, choices=Dimension.choices, blank=True
    )
    text = models.CharField(_("text (Chinese)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="surveys_item_unique_position"
            )
        ]

    def __str__(self) -> str:
        language = Language.EN if (get_language() or "").startswith("en") else ""
        return f"{self.position}. {self.text_in(language)}"

    def text_in(self, language: str) -> str:
        return self.text_en or self.text if language == Language.EN else self.text


class SurveyInvitation(models.Model):
    """One personal link. The URL carries a token signed with the site's secret over the row's
    id and `token_nonce`; the nonce alone (if the database leaked) makes no valid token."""

    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    token_nonce = models.CharField(_("token nonce"), max_length=40, unique=True, editable=False)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=InvitationSource.choices,
        default=InvitationSource.MANUAL,
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-sent_at"], name="surveys_inv_account_sent"),
            models.Index(fields=["-sent_at"], name="surveys_inv_sent"),
            models.Index(fields=["source", "reference"], name="surveys_inv_source_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.account}"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="response",
    )
    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    answered_at = models.DateTimeField(_("answered at"))
    nps_score = models.PositiveSmallIntegerField(_("NPS score (0–10)"), null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(_("CSAT score (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # SERVQUAL: the mean of perceived − expected over the answered items (negative = the
    # service falls short), kept with the answer so reads need not join the item answers.
    servqual_gap = models.FloatField(
        _("SERVQUAL gap (perceived − expected)"), null=True, blank=True
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    # A detractor's answer: the recovery task given to the account's KAM (at most one).
    recovery_task = models.OneToOneField(
        "activities.Task",
        verbose_name=_("recovery task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_response",
    )
    # Imported answers: the file's own id for the answer, so a file loaded twice adds nothing.
    external_ref = models.CharField(_("external reference"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-answered_at"], name="surveys_resp_account_at"),
            models.Index(fields=["template", "-answered_at"], name="surveys_resp_template_at"),
            models.Index(fields=["-answered_at"], name="surveys_resp_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nps_score__isnull=True) | Q(nps_score__lte=10),
                name="surveys_resp_nps_range",
            ),
            models.CheckConstraint(
                condition=Q(csat_score__isnull=True) | Q(csat_score__gte=1, csat_score__lte=5),
                name="surveys_resp_csat_range",
            ),
            models.UniqueConstraint(
                fields=["template", "external_ref"],
                condition=~Q(external_ref=""),
                name="surveys_resp_unique_external_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.account} · {self.answered_at:%Y-%m-%d}"

    @property
    def nps_category(self) -> str | None:
        return nps_category(self.nps_score)


class SurveyItemAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse,
        verbose_name=_("response"),
        on_delete=models.CASCADE,
        related_name="item_answers",
    )
    item = models.ForeignKey(
        SurveyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers"
    )
    expectation = models.PositiveSmallIntegerField(_("expectation (1–7)"))
    perception = models.PositiveSmallIntegerField(_("perception (1–7)"))

    class Meta:
        verbose_name = _("item answer")
        verbose_name_plural = _("item answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="surveys_answer_unique_item"),
            models.CheckConstraint(
                condition=Q(
                    expectation__gte=1, expectation__lte=7, perception__gte=1, perception__lte=7
                ),
                name="surveys_answer_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.expectation}/{self.perception}"

    @property
    def gap(self) -> int:
        """Perceived − expected: negative means the service falls short of expectation."""
        return self.perception - self.expectation
