"""Writes of surveys: sending a personal link, taking its one answer, recording answers from
elsewhere, and the recovery task a detractor's answer gives the account's KAM.

The link's token is ``<invitation id>.<nonce>.<signature>``, signed with the site's secret
(`django.core.signing`, own salt): a token edited by hand fails the signature, a guessed id has
no nonce, and the nonce alone (from a copy of the database) signs nothing. A link takes one
answer: the answer marks the invitation answered with a conditional UPDATE (… WHERE answered_at
IS NULL AND expires_at > now) and the response points at it one-to-one, so two posts racing
each other store one answer.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import fmean

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.services import check_account_visible
from guanxi.activities.models import TaskKind, TaskSource
from guanxi.activities.services import task_create
from guanxi.contacts.models import Contact
from guanxi.core.errors import ApplicationError, InvalidInput, NotFound
from guanxi.core.models import User
from guanxi.surveys.models import (
    AnswerKind,
    InvitationSource,
    Language,
    NpsCategory,
    SurveyInvitation,
    SurveyItem,
    SurveyItemAnswer,
    SurveyResponse,
    SurveyTemplate,
    nps_category,
)

SALT = "guanxi.surveys.invitation"
MAX_EXPIRES_DAYS = 366
RECOVERY_DUE_DAYS = 2
MAX_COMMENT = 2000


class LinkRefused(ApplicationError):
    """The link cannot be answered: `reason` is "invalid" (tampered or unknown), "expired" or
    "answered". The public page shows each with its own words and a 4xx."""

    status_code = 404
    STATUS = {"invalid": 404, "expired": 410, "answered": 409}

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.status_code = self.STATUS[reason]


# --- The link ----------------------------------------------------------------------------------


def _signer() -> signing.Signer:
    # Made per call: it reads SECRET_KEY (and its fallbacks, for a rotated key) when used.
    return signing.Signer(salt=SALT, sep=".")


def invitation_token(invitation: SurveyInvitation) -> str:
    return _signer().sign(f"{invitation.pk}.{invitation.token_nonce}")


def invitation_url(invitation: SurveyInvitation) -> str:
    """The personal link: absolute when GUANXI_PUBLIC_URL is set, else the path (a page
    with a request makes it absolute)."""
    path = reverse("surveys_answer", args=(invitation_token(invitation),))
    return f"{settings.GUANXI_PUBLIC_URL}{path}"


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> SurveyInvitation:
    """The invitation a token names if it can still be answered, else LinkRefused."""
    try:
        value = _signer().unsign(token or "")
        pk_text, nonce = value.split(".", 1)
        pk = int(pk_text)
    except (signing.BadSignature, ValueError):
        raise LinkRefused("invalid", _("This survey link is not valid.")) from None
    invitation = (
        SurveyInvitation.objects.select_related("template").filter(pk=pk, token_nonce=nonce).first()
    )
    if invitation is None:
        raise LinkRefused("invalid", _("This survey link is not valid."))
    if invitation.answered_at is not None:
        raise LinkRefused("answered", _("This survey has already been answered. Thank you!"))
    if invitation.expires_at <= (now or timezone.now()):
        raise LinkRefused("expired", _("This survey link has expired."))
    return invitation


@transaction.atomic
def invitation_create(
    *,
    actor: User | None,
    template: SurveyTemplate,
    account: Account,
    contact: Contact | None = None,
    source: str = InvitationSource.MANUAL,
    reference: str = "",
    expires_days: int = 30,
    language: str = Language.ZH_HANS,
) -> SurveyInvitation:
    """A personal link to `template` for `account` (and `contact`). `actor` None is a job's."""
    if actor is not None:
        check_account_visible(actor=actor, account=account)
    errors: dict[str, str] = {}
    if not template.active:
        errors["template"] = _("This survey template is not active.")
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = _("Choose a contact of this account.")
    if source not in InvitationSource.values:
        errors["source"] = _("Unknown source of the invitation.")
    if (
        isinstance(expires_days, bool)
        or not isinstance(expires_days, int)
        or not 1 <= expires_days <= MAX_EXPIRES_DAYS
    ):
        errors["expires_days"] = _("The link lasts 1 to 366 days.")
    if language not in Language.values:
        errors["language"] = _("Choose Chinese or English.")
    if len(reference or "") > 60:
        errors["reference"] = _("Keep the reference under 60 characters.")
    if errors:
        raise InvalidInput(errors=errors)
    invitation = invitation_new(
        template=template,
        account_id=account.pk,
        contact_id=contact.pk if contact is not None else None,
        source=source,
        reference=reference,
        expires_days=expires_days,
        language=language,
        actor=actor,
    )
    invitation.save()
    return invitation


def invitation_new(
    *,
    template: SurveyTemplate,
    account_id: int,
    contact_id: int | None,
    source: str,
    reference: str = "",
    expires_days: int = 30,
    language: str = Language.ZH_HANS,
    actor: User | None = None,
) -> SurveyInvitation:
    """An unsaved link with its nonce, sent now (callers have checked the inputs: one link through
    `invitation_create`, a job's batch through `surveys.sending`)."""
    now = timezone.now()
    return SurveyInvitation(
        template=template,
        account_id=account_id,
        contact_id=contact_id,
        token_nonce=secrets.token_urlsafe(18),
        language=language,
        sent_at=now,
        expires_at=now + dt.timedelta(days=expires_days),
        source=source,
        reference=reference or "",
        sent_by=actor,
    )


# --- Answers ----------------------------------------------------------------------------------


@dataclass
class Answers:
    """What a respondent gave: the scores the template asks, a comment, and SERVQUAL pairs
    (item id → (expectation, perception))."""

    nps_score: int | None = None
    csat_score: int | None = None
    comment: str = ""
    pairs: dict[int, tuple[int, int]] = field(default_factory=dict)


def _whole(value: object, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and low <= value <= high else None


def answers_check(template: SurveyTemplate, answers: Answers) -> Answers:
    """The answers made whole numbers in range, every required item answered; else
    InvalidInput naming each field (``nps_score``, ``csat_score``, ``item_<id>``)."""
    items = list(template.items.all())
    kinds = {item.answer for item in items}
    errors: dict[str, str] = {}
    clean = Answers(comment=(answers.comment or "").strip())
    if AnswerKind.NPS in kinds:
        clean.nps_score = _whole(answers.nps_score, 0, 10)
        if clean.nps_score is None:
            errors["nps_score"] = _("Choose a score from 0 to 10.")
    if AnswerKind.CSAT in kinds:
        clean.csat_score = _whole(answers.csat_score, 1, 5)
        if clean.csat_score is None:
            errors["csat_score"] = _("Choose a score from 1 to 5.")
    for item in items:
        if item.answer != AnswerKind.SERVQUAL:
            continue
        pair = answers.pairs.get(item.pk) or (None, None)
        expected, perceived = (_whole(v, 1, 7) for v in pair)
        if expected is None or perceived is None:
            if item.required or pair != (None, None):
                errors[f"item_{item.pk}"] = _("Rate both expectation and perception from 1 to 7.")
            continue
        clean.pairs[item.pk] = (expected, perceived)
    if len(clean.comment) > MAX_COMMENT:
        errors["comment"] = _("Keep the comment under 2,000 characters.")
    if errors:
        raise InvalidInput(errors=errors)
    return clean


def response_record(
    *,
    template: SurveyTemplate,
    account: Account,
    answers: Answers,
    answered_at: dt.datetime,
    contact: Contact | None = None,
    invitation: SurveyInvitation | None = None,
    language: str = Language.ZH_HANS,
    external_ref: str = "",
    recovery: bool = True,
) -> SurveyResponse:
    """Store checked answers (the caller holds the transaction); a detractor gets a recovery
    task for the KAM unless ``recovery`` is False (old answers imported)."""
    gaps = [perceived - expected for expected, perceived in answers.pairs.values()]
    response = SurveyResponse.objects.create(
        invitation=invitation,
        template=template,
        account=account,
        contact=contact,
        answered_at=answered_at,
        nps_score=answers.nps_score,
        csat_score=answers.csat_score,
        comment=answers.comment,
        servqual_gap=fmean(gaps) if gaps else None,
        language=language,
        external_ref=external_ref,
    )
    SurveyItemAnswer.objects.bulk_create(
        SurveyItemAnswer(response=response, item_id=item_id, expectation=e, perception=p)
        for item_id, (e, p) in answers.pairs.items()
    )
    if recovery:
        recovery_task_create(response=response)
    return response


def response_submit(
    *, token: str, answers: Answers, now: dt.datetime | None = None
) -> SurveyResponse:
    """The respondent's answer through their link: one per link, refused when the link is
    invalid, expired or answered (also when another post won the race a moment ago)."""
    invitation = invitation_for_token(token, now=now)
    clean = answers_check(invitation.template, answers)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            claimed = SurveyInvitation.objects.filter(
                pk=invitation.pk, answered_at__isnull=True, expires_at__gt=now
            ).update(answered_at=now)
            if not claimed:
                raise LinkRefused(
                    "answered", _("This survey has already been answered. Thank you!")
                )
            return response_record(
                template=invitation.template,
                account=invitation.account,
                contact=invitation.contact,
                invitation=invitation,
                answers=clean,
                answered_at=now,
                language=invitation.language,
            )
    except IntegrityError:
        raise LinkRefused(
            "answered", _("This survey has already been answered. Thank you!")
        ) from None


# --- Recovery ---------------------------------------------------------------------------------


def recovery_task_create(*, response: SurveyResponse) -> None:
    """A detractor (0–6) gives the account's KAM a follow-up task, due in two days, once."""
    if nps_category(response.nps_score) != NpsCategory.DETRACTOR or response.recovery_task_id:
        return
    account = response.account
    owner = account.owner
    if owner is None or not owner.is_active:
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Win back a detractor: %(account)s scored %(score)s in the NPS survey") % {
            "account": account.name,
            "score": response.nps_score,
        }
        notes = response.comment
    task = task_create(
        account=account,
        assignee=owner,
        kind=TaskKind.FOLLOW_UP,
        title=title[:200],
        due_date=timezone.localdate(response.answered_at) + dt.timedelta(days=RECOVERY_DUE_DAYS),
        actor=owner,
        notes=notes,
        contact=response.contact,
        source=TaskSource.RECOVERY,
        key=f"recovery:{response.pk}:{response.nps_score}",
    )
    response.recovery_task = task
    response.save(update_fields=["recovery_task"])


def template_for_code(code: str, *, field_name: str = "template") -> SurveyTemplate:
    template = SurveyTemplate.objects.filter(code=code).first()
    if template is None:
        raise NotFound(_("Survey template %(code)s not found.") % {"code": code}, field=field_name)
    return template


def item_pairs(template: SurveyTemplate, data: Mapping[str, object]) -> dict[int, tuple]:
    """SERVQUAL pairs from a form's fields ``e_<item id>`` and ``p_<item id>``."""
    pairs: dict[int, tuple] = {}
    for item in SurveyItem.objects.filter(template=template, answer=AnswerKind.SERVQUAL):
        expected, perceived = data.get(f"e_{item.pk}"), data.get(f"p_{item.pk}")
        if expected not in (None, "") or perceived not in (None, ""):
            pairs[item.pk] = (expected or None, perceived or None)
    return pairs
