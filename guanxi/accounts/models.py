"""Accounts (客户): organisations and individual key customers, seeds 003/004 客户档案."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.normalise import account_forms, credit_code_clean


class AccountKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    INDIVIDUAL = "individual", _("Individual key customer")


class OrganisationForm(models.TextChoices):
    COMPANY = "company", _("Company")
    GOVERNMENT = "government", _("Government body")
    AGENCY = "agency", _("Agency")
    OTA = "ota", _("OTA")
    ASSOCIATION = "association", _("Association")
    INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class AccountType(models.TextChoices):
    """Customer segment as the hotel/MICE sales team uses it (seed 000)."""

    MICE = "mice", _("MICE")
    GOVERNMENT_ENTERPRISE = "gov_ent", _("Government / enterprise")
    CORPORATE = "corporate", _("Corporate")
    OTA = "ota", _("OTA")
    TRAVEL_AGENCY = "travel_agency", _("Travel agency")
    WEDDING = "wedding", _("Wedding & banquet")
    INDIVIDUAL = "individual", _("Individual / walk-in")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    GOVERNMENT = "government", _("Government & public sector")
    FINANCE = "finance", _("Finance & insurance")
    TECHNOLOGY = "technology", _("IT & internet")
    PHARMA = "pharma", _("Pharma & healthcare")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    AUTOMOTIVE = "automotive", _("Automotive")
    ENERGY = "energy", _("Energy & utilities")
    REAL_ESTATE = "real_estate", _("Real estate & construction")
    EDUCATION = "education", _("Education & research")
    RETAIL = "retail", _("Retail & consumer goods")
    TRAVEL = "travel", _("Travel & hospitality")
    MEDIA = "media", _("Media & events")
    ASSOCIATION = "association", _("Associations & NGOs")
    OTHER = "other", _("Other")


class EnterpriseNature(models.TextChoices):
    SOE = "soe", _("State-owned")
    PRIVATE = "private", _("Privately owned")
    FOREIGN = "foreign", _("Foreign-invested")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    GOVERNMENT = "government", _("Government agency")
    INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class Scale(models.TextChoices):
    MICRO = "micro", _("Micro (<10 staff)")
    SMALL = "small", _("Small (10–99)")
    MEDIUM = "medium", _("Medium (100–999)")
    LARGE = "large", _("Large (1,000–9,999)")
    GROUP = "group", _("Group (10,000+)")


class CreditRating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Attitude(models.TextChoices):
    """Attitude to our products (对我方产品的态度)."""

    ADVOCATE = "advocate", _("Advocate")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    SCEPTICAL = "sceptical", _("Sceptical")
    NEGATIVE = "negative", _("Negative")


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class Tag(models.Model):
    """A CRM label (CRM 标签) put on accounts."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.CharField(_("description (Chinese)"), max_length=200, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


SEARCH_FORMS = ("name_key", "name_pinyin", "key_pinyin", "key_initials", "name_initials")
#: The forms searched by prefix (the name key is compared whole, by the duplicate finder; the
#: name's pinyin as a range of the ordered index `account_pinyin_order`).
PREFIX_SEARCHED = ("key_pinyin", "key_initials", "name_initials")


def fill_search_forms(account: Account) -> None:
    """Set the stored search forms from the name, and the credit code in its compact form when
    it is valid (an invalid one is left for `clean` to refuse). Bulk paths that skip `save`
    (the demo, the data migration) call this on each row."""
    for field, value in account_forms(account.name).items():
        setattr(account, field, value)
    code = credit_code_clean(account.credit_code)
    if code:
        account.credit_code = code


class Account(models.Model):
    code = models.CharField(
        _("account code"),
        max_length=40,
        unique=True,
        help_text=_("Your own customer number; imports match accounts by it."),
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    english_name = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        db_index=True,
        help_text=_("The 18-character code on the business licence."),
        default="",
        db_default="",
    )
    # Stored search forms (accounts.normalise.account_forms), set on every save: the name's
    # matching key, the pinyin of the name and of the key, the key's initials. Empty by default
    # in the database too, so code of an earlier schema (a migration's model, a server not yet
    # upgraded) still inserts accounts.
    name_key = models.CharField(
        max_length=200, blank=True, editable=False, default="", db_default=""
    )
    name_pinyin = models.CharField(
        max_length=400, blank=True, editable=False, default="", db_default=""
    )
    key_pinyin = models.CharField(
        max_length=400, blank=True, editable=False, default="", db_default=""
    )
    key_initials = models.CharField(
        max_length=100, blank=True, editable=False, default="", db_default=""
    )
    # The whole name's initials, city included: "szrf" finds 深圳瑞丰…, as "rf" does by the key.
    name_initials = models.CharField(
        max_length=100, blank=True, editable=False, default="", db_default=""
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=AccountKind.choices, default=AccountKind.ORGANISATION
    )
    organisation_form = models.CharField(
        _("organisation form"), max_length=20, choices=OrganisationForm.choices, blank=True
    )
    account_type = models.CharField(
        _("account type"), max_length=20, choices=AccountType.choices, db_index=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AccountStatus.choices,
        default=AccountStatus.ACTIVE,
        db_index=True,
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    enterprise_nature = models.CharField(
        _("enterprise nature"), max_length=20, choices=EnterpriseNature.choices, blank=True
    )
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation_structure = models.TextField(_("organisation structure"), blank=True)
    credit_rating = models.CharField(
        _("credit rating"), max_length=3, choices=CreditRating.choices, blank=True
    )
    annual_sales = models.DecimalField(
        _("annual sales (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    price_system = models.TextField(_("price system"), blank=True)
    sales_policy = models.TextField(_("sales policy"), blank=True)
    attitude = models.CharField(
        _("attitude to our products"), max_length=20, choices=Attitude.choices, blank=True
    )
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        help_text=_("The corporate group this account belongs to (group → subsidiary)."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (KAM)"),
        on_delete=models.PROTECT,
        related_name="owned_accounts",
    )
    co_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-owners"),
        blank=True,
        related_name="co_owned_accounts",
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="accounts")
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[tags, co_owners])

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owner", "team"]),
            # Lists sorted by pinyin (an index in Meta, not db_index: the audit table needs none).
            models.Index(fields=["name_pinyin", "id"], name="account_pinyin_order"),
            # The pinyin of accounts named by id (those a search found through their contacts),
            # read from the index alone on PostgreSQL (workspace.search.accounts_first).
            models.Index(fields=["id"], include=["name_pinyin"], name="account_id_pinyin"),
            # Prefix search (LIKE 'x%') on the stored forms: a b-tree with the pattern operator
            # class on PostgreSQL (any collation), a plain index elsewhere. Each carries the
            # pinyin and id (PostgreSQL), so a search's branch yields its accounts in pinyin
            # order from the index alone (workspace.search.accounts_first).
            *(
                models.Index(
                    fields=[f],
                    name=f"account_{f}_prefix",
                    opclasses=["varchar_pattern_ops"],
                    include=["name_pinyin", "id"],
                )
                for f in PREFIX_SEARCHED
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        fill_search_forms(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "credit_code"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *SEARCH_FORMS, "credit_code"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        # "9111 0000-…", full-width or lower-case: the compact form before the length check.
        code = credit_code_clean(self.credit_code)
        if code:
            self.credit_code = code
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.credit_code and credit_code_clean(self.credit_code) is None:
            raise ValidationError(
                {"credit_code": _("Not a valid unified social credit code (check digit).")}
            )
        if self.kind == AccountKind.INDIVIDUAL and self.organisation_form:
            raise ValidationError(
                {"organisation_form": _("An individual customer has no organisation form.")}
            )
        ancestor = self.parent
        seen = set()
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError(
                    {"parent": _("An account cannot be its own parent or ancestor.")}
                )
            if ancestor.pk in seen:
                break
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class AccountAlias(models.Model):
    """An old account code that still names this account: the code of an account merged into
    it (C14), so a re-import of the old code updates the survivor instead of re-creating it."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="aliases"
    )
    code = models.CharField(_("former account code"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account code alias")
        verbose_name_plural = _("account code aliases")

    def __str__(self) -> str:
        return self.code
