"""Users, teams and roles: who may see and change which accounts."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import leases
from guanxi.core.job_words import job_name


class Team(models.Model):
    """A sales team (销售团队): a lead and the KAMs who report to them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    # Ordered from narrowest to widest view of the customer base.
    KAM = "kam", _("Key account manager")
    TEAM_LEAD = "team_lead", _("Team lead")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


#: The roles that see every account (besides a superuser): managers and administrators.
SEES_ALL_ROLES = (Role.MANAGER, Role.ADMIN)


def sees_all_accounts_q() -> models.Q:
    """`User.sees_all_accounts` as a filter on users (a superuser, a manager or an admin)."""
    return models.Q(is_superuser=True) | models.Q(role__in=SEES_ALL_ROLES)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.KAM)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username

    def get_full_name(self) -> str:
        # Chinese names are written surname first with no space (吴婷); others "Given Family".
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def sees_all_accounts(self) -> bool:
        return self.is_superuser or self.role in SEES_ALL_ROLES

    @property
    def figures_scope(self) -> str:
        """Whose figures this user sees, as a key for figures kept between requests (stored
        snapshots, cached reports): "all" for whoever sees every account, else "user:<id>"."""
        return "all" if self.sees_all_accounts else f"user:{self.pk}"

    @property
    def leads_team(self) -> bool:
        return self.role == Role.TEAM_LEAD and self.team_id is not None


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the key is shown once."""

    PREFIX = "gx_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, default="default")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class JobStatus(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    RETRYING = "retrying", _("failed, will retry")
    INTERRUPTED = "interrupted", _("interrupted")


class LeasedRun(models.Model):
    """A run that records the process working on it (`core.leases`), so a run whose process
    was killed is marked interrupted instead of showing "running" for ever.

    A subclass has `status`, `started_at`, `finished_at` and names its running and interrupted
    status values and the text field that says why (`LEASE_*`). Saving a new run first marks
    the runs of its kind whose process is gone, then keeps this one's heartbeat going."""

    LEASE_RUNNING = "running"
    LEASE_INTERRUPTED = "interrupted"
    LEASE_NOTE_FIELD = "error"

    host = models.CharField(_("host"), max_length=255, blank=True, editable=False)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        if adding:
            leases.reap(type(self))
            if self.pid is None:
                for name, value in leases.this_process().items():
                    setattr(self, name, value)
        super().save(*args, **kwargs)
        if adding and self.status == self.LEASE_RUNNING:
            leases.keep_alive(type(self))


class JobRun(LeasedRun):
    """One attempt of a background job (nightly analytics, tiering, policy tasks …).

    Kept so admins can see what ran, how long it took, and why it failed.
    """

    name = models.CharField(_("job"), max_length=80, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.RUNNING
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{job_name(self.name)} · {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class StoredSnapshot(models.Model):
    """Figures a nightly step computed once for one viewer's scope, stored as JSON so a page
    reads one row instead of aggregating the whole ledger per request (the home dashboard's
    figures for the director, each team lead and each KAM). ``scope`` names whose figures: "all" or
    "user:<id>". Generic: it knows nothing of what the figures mean."""

    name = models.CharField(_("name"), max_length=60)
    scope = models.CharField(_("scope"), max_length=60)
    as_of = models.DateField(_("as of"))
    data = models.JSONField(_("data"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("stored snapshot")
        verbose_name_plural = _("stored snapshots")
        constraints = [
            models.UniqueConstraint(fields=["name", "scope"], name="uniq_snapshot_name_scope")
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.scope} · {self.as_of}"


class UserPreference(models.Model):
    """A choice a user made on a page and expects to find again (the account list's columns):
    one small JSON value per user and key. Not audited: it changes what a page shows the user,
    not any customer data."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="preferences"
    )
    key = models.CharField(_("key"), max_length=64)
    value = models.JSONField(_("value"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_preference_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.key}"
