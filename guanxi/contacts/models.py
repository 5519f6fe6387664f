"""Contacts (联系人) at accounts, with profile facts that keep their provenance."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.accounts.normalise import contact_forms
from guanxi.contacts.profile_schema import GROUPS, get_field


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "", _("Unknown")


# Western constellations by (month, day) of their first day.
_CONSTELLATIONS = (
    ((1, 20), _("Aquarius")),
    ((2, 19), _("Pisces")),
    ((3, 21), _("Aries")),
    ((4, 20), _("Taurus")),
    ((5, 21), _("Gemini")),
    ((6, 22), _("Cancer")),
    ((7, 23), _("Leo")),
    ((8, 23), _("Virgo")),
    ((9, 23), _("Libra")),
    ((10, 24), _("Scorpio")),
    ((11, 23), _("Sagittarius")),
    ((12, 22), _("Capricorn")),
)
_ZODIAC = (
    _("Rat"), _("Ox"), _("Tiger"), _("Rabbit"), _("Dragon"),
    _("Snake"), _("Horse"), _("Goat"), _("Monkey"), _("Rooster"),
    _("Dog"), _("Pig"),
)  # fmt: skip


def constellation_for(day: dt.date) -> str:
    result = _CONSTELLATIONS[-1][1]  # Capricorn wraps over new year
    for (month, first_day), name in _CONSTELLATIONS:
        if (day.month, day.day) >= (month, first_day):
            result = name
    return str(result)


def chinese_zodiac_for(day: dt.date) -> str:
    # By Gregorian year; the lunar new year boundary is ignored (a documented simplification).
    return str(_ZODIAC[(day.year - 2020) % 12])


SEARCH_FORMS = ("name_pinyin", "name_initials", "mobile_key")


def fill_search_forms(contact: Contact) -> None:
    """Set the stored search forms from the name and mobile (bulk paths call this per row)."""
    for field, value in contact_forms(contact.name, contact.mobile).items():
        setattr(contact, field, value)


class Contact(models.Model):
    code = models.CharField(
        _("contact code"),
        max_length=40,
        unique=True,
        help_text=_("Your own contact number; imports match contacts by it."),
    )
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100, db_index=True)
    english_name = models.CharField(_("English name"), max_length=100, blank=True)
    nickname = models.CharField(_("nickname / how to address"), max_length=50, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True, default=""
    )
    birthday = models.DateField(_("birthday"), null=True, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=100, blank=True, db_index=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, db_index=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    wechat = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    is_active = models.BooleanField(
        _("still at the account"), default=True, help_text=_("Clear when the person has left.")
    )
    notes = models.TextField(_("notes"), blank=True)
    # Stored search forms (accounts.normalise.contact_forms), set on every save; empty by default
    # in the database too (see Account).
    name_pinyin = models.CharField(
        max_length=400, blank=True, editable=False, default="", db_default=""
    )
    name_initials = models.CharField(
        max_length=100, blank=True, editable=False, default="", db_default=""
    )
    mobile_key = models.CharField(
        max_length=20, blank=True, editable=False, default="", db_default=""
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        # The likely-duplicate check and the search match e-mails case-blind (UPPER(email) =
        # UPPER(%s) on PostgreSQL), which the plain index on email cannot serve.
        indexes = [
            models.Index(Upper("email"), name="contact_email_upper"),
            # Sorted by pinyin; the mobile's digits looked up whole and by prefix (Meta indexes,
            # not db_index: the audit table needs none).
            models.Index(fields=["name_pinyin", "id"], name="contact_pinyin_order"),
            models.Index(
                fields=["mobile_key"], name="contact_mobile_key", opclasses=["varchar_pattern_ops"]
            ),
            # Prefix search (LIKE 'x%') on the stored forms (see accounts.Account), carrying the
            # account (PostgreSQL): the account search reads a contact's account from the index.
            models.Index(
                fields=["name_pinyin"],
                name="contact_pinyin_prefix",
                opclasses=["varchar_pattern_ops"],
                include=["account"],
            ),
            models.Index(
                fields=["name_initials"],
                name="contact_initials_prefix",
                opclasses=["varchar_pattern_ops"],
                include=["account"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        fill_search_forms(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "mobile"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *SEARCH_FORMS}
        super().save(*args, **kwargs)

    @property
    def constellation(self) -> str:
        return constellation_for(self.birthday) if self.birthday else ""

    @property
    def chinese_zodiac(self) -> str:
        return chinese_zodiac_for(self.birthday) if self.birthday else ""


class FactSource(models.TextChoices):
    """Where a fact came from (004 多方收集: every post collects information)."""

    CONVERSATION = "conversation", _("Conversation with the person")
    SALES_VISIT = "sales_visit", _("Sales visit")
    FRONT_LINE = "front_line", _("Front-line staff (front desk, waiter)")
    EVENT = "event", _("Banquet or event")
    COLLEAGUE = "colleague", _("Their colleague or assistant")
    SOCIAL_MEDIA = "social_media", _("Social media / WeChat moments")
    PUBLIC = "public", _("Public information")
    IMPORT = "import", _("Data import")
    OTHER = "other", _("Other")


PROFILE_GROUP_CHOICES = [(g.key, g.label) for g in GROUPS]


class ProfileFact(models.Model):
    """One thing we know about a contact, with who recorded it, when, from where, and whether
    someone has verified it (004 信息操作流程)."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="facts"
    )
    group = models.CharField(_("group"), max_length=20, choices=PROFILE_GROUP_CHOICES)
    key = models.CharField(_("field"), max_length=40)
    value = models.JSONField(_("value"))
    source = models.CharField(
        _("source"), max_length=20, choices=FactSource.choices, default=FactSource.CONVERSATION
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    verified = models.BooleanField(_("verified"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("profile fact")
        verbose_name_plural = _("profile facts")
        ordering = ["group", "key"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "group", "key"], name="uniq_fact_per_field")
        ]

    def __str__(self) -> str:
        try:
            return f"{self.contact}: {get_field(self.group, self.key).label}"
        except ValueError:  # a field the schema no longer has: its code
            return f"{self.contact}: {self.group}.{self.key}"


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER_FAMILY = "family", _("Other family")
    DRIVER = "driver", _("Driver")
    SECRETARY = "secretary", _("Secretary")
    OFFICE_DIRECTOR = "office_director", _("Office director")
    ASSISTANT = "assistant", _("Assistant")
    OTHER = "other", _("Other")


class RelatedPerson(models.Model):
    """Family (生活信息) and the people around a contact (附属客户信息: driver, secretary…)."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="related_people"
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("related person")
        verbose_name_plural = _("family and associated people")
        ordering = ["relation", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class KeyDateKind(models.TextChoices):
    WEDDING = "wedding", _("Wedding anniversary")
    WORK = "work", _("Work anniversary")
    COMPANY = "company", _("Company anniversary")
    FIRST_VISIT = "first_visit", _("First visit with us")
    OTHER = "other", _("Other special day")


class KeyDate(models.Model):
    """An anniversary or other special day recurring every year (特殊纪念日)."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="key_dates"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=KeyDateKind.choices)
    date = models.DateField(_("date"))
    label = models.CharField(_("label"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anniversary")
        verbose_name_plural = _("anniversaries and special days")
        ordering = ["date"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class ContactAlias(models.Model):
    """An old contact code that still names this contact: the code of a contact merged into it
    (C14), so a re-import of the old code updates the survivor."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="aliases"
    )
    code = models.CharField(_("former contact code"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact code alias")
        verbose_name_plural = _("contact code aliases")

    def __str__(self) -> str:
        return self.code
