"""Steps that cross apps: one app's write, then what it means for an app on a higher floor.

Each flow calls the owning app's service first, then the follow-up, in one transaction where
the follow-up belongs to the same write, or on commit where it must read the committed data.
Pages and endpoints call these instead of the bare service whenever the follow-up applies:

- record or change a sale → check it against the account's tier discount floor (tiers) and
  against the negotiated rates of the agreements covering the account (agreements);
- import a file → hold the imported discounts below the floor, and the sales priced off an
  agreement, for review (tiers, agreements);
- set or clear a tier by hand → re-plan the account's policy tasks (activities);
- log a touchpoint, change, delete or import contacts → refresh the stored relationship health
  of the buying centres that seat these people (relationships);
- give an account another owner (the API, the admin form, an import) → its stored relationship
  health names the new owner and its policy tasks move to them at once, not at the nightly run
  (relationships, activities).
- enter a lead that names who referred it, or change its referrer → the referral (转介绍)
  pointing at the lead is recorded, moved or deleted (loyalty);
- a survey answer comes in (the public page) or a file of them (the import page, the command)
  → refresh the accounts' stored loyalty cells, withdraw the open referral asks when the latest
  NPS is no longer a promoter's, ask a promoter due one now (loyalty).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction as db_transaction
from django.utils import timezone

from guanxi.accounts import services as account_services
from guanxi.accounts.models import Account
from guanxi.accounts.selectors import owner_changed_since
from guanxi.activities.services import policy_tasks_follow, touchpoint_log
from guanxi.agreements.rates import rate_check, rate_reviews_flag
from guanxi.contacts import services as contact_services
from guanxi.contacts.models import Contact
from guanxi.core.models import User
from guanxi.imports.models import ImportRun
from guanxi.imports.report import ImportReport
from guanxi.leads import services as lead_services
from guanxi.leads.duplicates import Duplicate
from guanxi.leads.models import Lead
from guanxi.loyalty.matrix import loyalty_cells_refresh
from guanxi.loyalty.referrals import referral_asks_follow
from guanxi.loyalty.services import LeadReferrer, lead_referral_follow, lead_referrer
from guanxi.relationships.health import (
    health_follow_contacts,
    health_refresh,
    health_refresh_all,
    seated_accounts,
)
from guanxi.surveys.models import SurveyResponse
from guanxi.surveys.services import response_submit
from guanxi.tiers.models import AccountTier, Tier, TierScheme
from guanxi.tiers.services import (
    account_tier_override,
    account_tier_override_clear,
    discount_check,
    discount_reviews_flag,
)
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions import services as transaction_services
from guanxi.transactions.models import Transaction

if TYPE_CHECKING:  # the importer loads polars, which only the import page and command need
    from guanxi.surveys.importer import SurveyImportResult

# --- sales and the discount floor ---------------------------------------------------------------


@db_transaction.atomic
def transaction_record(*, actor: User, **fields: Any) -> Transaction:
    """Record a sale (`transactions.services.transaction_create`, same arguments); a discount
    below the account's tier floor is held for review, not silently accepted."""
    tx = transaction_services.transaction_create(actor=actor, **fields)
    discount_check(transaction=tx)
    rate_check(transaction=tx)
    return tx


@db_transaction.atomic
def transaction_change(*, actor: User, transaction: Transaction, **fields: Any) -> Transaction:
    """Change a sale (`transactions.services.transaction_update`), then check it against the
    floor again: a corrected discount drops its pending review, a new one may need one."""
    tx = transaction_services.transaction_update(actor=actor, transaction=transaction, **fields)
    discount_check(transaction=tx)
    rate_check(transaction=tx)
    return tx


def transaction_saved(*, transaction: Transaction) -> None:
    """A sale the admin form saved itself: check it against the floor and the agreed rates."""
    discount_check(transaction=transaction)
    rate_check(transaction=transaction)


# --- imports -----------------------------------------------------------------------------------


def _flag_imported_discounts(run: ImportRun, created: int, updated: int) -> None:
    # Updated rows keep their created_at, so then every unreviewed row is looked at.
    discount_reviews_flag(since=None if updated else run.started_at)
    rate_reviews_flag(since=None if updated else run.started_at)


def file_import(**options: Any) -> ImportReport:
    """Import a file (`imports.services.import_file`, same options). After transactions were
    written, the discounts below their account's tier floor and the sales priced off an
    agreement's rates are held for review, inside the import's own error handling (a failure
    there is reported like any failure of the import)."""
    # deferred: the importer pulls in polars, which every command and page load would otherwise
    # pay for at start-up (Django imports the admin modules that call this).
    from guanxi.imports.services import import_file

    after: Callable[[ImportRun, int, int], None] | None = None
    if options.get("kind") == "transactions":
        after = _flag_imported_discounts
    elif options.get("kind") == "contacts":
        after = _contacts_imported
    elif options.get("kind") == "accounts":
        after = _accounts_imported
    return import_file(**options, after_write=after)


def _accounts_imported(run: ImportRun, created: int, updated: int) -> None:
    # An updated account may have another owner now (a new one has no buying centre yet).
    if updated:
        owner_followed(account_ids=owner_changed_since(run.started_at))


def _contacts_imported(run: ImportRun, created: int, updated: int) -> None:
    # An updated contact may have left or been renamed; new ones sit on no map yet.
    if updated:
        health_refresh_all()


# --- touchpoints, people and the stored relationship health ------------------------------------


@db_transaction.atomic
def touchpoint_logged(**fields: Any) -> Touchpoint:
    """Log a touchpoint (`activities.services.touchpoint_log`, same arguments); the buying
    centres that seat its people count it at once (recency, an inactive champion)."""
    touchpoint = touchpoint_log(**fields)
    touchpoint_saved(touchpoint=touchpoint)
    return touchpoint


def touchpoint_saved(*, touchpoint: Touchpoint) -> None:
    """A touchpoint the admin form changed itself (its people, its time): the buying centres
    that seat its people follow (those taken off it are refreshed by the nightly run)."""
    health_follow_contacts(touchpoint.contacts.values_list("pk", flat=True))


@db_transaction.atomic
def contact_change(*, actor: User, contact: Contact, **fields: Any) -> Contact:
    """Change a contact (`contacts.services.contact_update`, same arguments); a person who left
    or was renamed is said so on every buying centre that seats them."""
    contact = contact_services.contact_update(actor=actor, contact=contact, **fields)
    contact_saved(contact=contact)
    return contact


def contact_saved(*, contact: Contact) -> None:
    """A contact the admin form saved itself: the buying centres that seat them follow."""
    health_follow_contacts([contact.pk])


@db_transaction.atomic
def contact_remove(*, actor: User, contact: Contact) -> None:
    """Delete a contact (`contacts.services.contact_delete`); their seats go with them, so the
    buying centres that seated them are refreshed."""
    accounts = seated_accounts([contact.pk])
    contact_services.contact_delete(actor=actor, contact=contact)
    health_refresh(accounts)


# --- the owner of an account ----------------------------------------------------------------------


@db_transaction.atomic
def account_change(*, actor: User, account: Account | int, **fields: Any) -> Account:
    """Change an account (`accounts.services.account_update`, same arguments); when its owner
    changed, what is stored per owner follows at once (`owner_followed`)."""
    pk = account.pk if isinstance(account, Account) else account
    before = Account.objects.filter(pk=pk).values_list("owner_id", flat=True).first()
    account = account_services.account_update(actor=actor, account=account, **fields)
    if account.owner_id != before:
        owner_followed(account_ids=[account.pk])
    return account


def owner_followed(*, account_ids: list[int]) -> None:
    """Accounts with another owner (the admin form saved one itself, an import, any bulk
    reassignment): their stored relationship health is worked out again (the risks name our
    people: "they all run through …") and their policy tasks move to the new owner on commit,
    so the new owner's Today has them now, not after the nightly run."""
    if not account_ids:
        return
    health_refresh(account_ids)
    for account_id in account_ids:
        policy_tasks_follow(account_id=account_id)


# --- tiers set by hand and the tasks that follow them ---------------------------------------------


@db_transaction.atomic
def tier_set_by_hand(
    *,
    account: Account,
    scheme: TierScheme,
    tier: Tier,
    reason: str,
    until: dt.date | None,
    actor: User,
) -> AccountTier:
    """Put the account in ``tier`` by hand (`tiers.services.account_tier_override`); its calls,
    visits and gifts follow the new tier at once instead of at the nightly run."""
    row = account_tier_override(
        account=account, scheme=scheme, tier=tier, reason=reason, until=until, actor=actor
    )
    policy_tasks_follow(account_id=account.pk)
    return row


@db_transaction.atomic
def tier_by_hand_cleared(
    *, account: Account, scheme: TierScheme, actor: User
) -> AccountTier | None:
    """End an override (`tiers.services.account_tier_override_clear`); when there was one, the
    account's policy tasks follow the rules' tier at once. None when there was nothing to clear."""
    row = account_tier_override_clear(account=account, scheme=scheme, actor=actor)
    if row is not None:
        policy_tasks_follow(account_id=account.pk)
    return row


# --- leads and their referrals -------------------------------------------------------------------


@db_transaction.atomic
def lead_record(*, actor: User, **fields: Any) -> tuple[Lead, list[Duplicate]]:
    """Enter a lead (`leads.services.lead_create`, same arguments); one that names who referred
    it is a referral (转介绍) on the referrals page at once."""
    lead, duplicates = lead_services.lead_create(actor=actor, **fields)
    lead_saved(actor=actor, lead=lead)
    return lead, duplicates


@db_transaction.atomic
def lead_change(*, actor: User, lead: Lead | int, **fields: Any) -> Lead:
    """Change a lead (`leads.services.lead_update`, same arguments); when its referrer changed,
    its referral follows (moved to the new referrer, deleted when cleared)."""
    before = lead_referrer(lead)
    lead = lead_services.lead_update(actor=actor, lead=lead, **fields)
    lead_saved(actor=actor, lead=lead, before=before)
    return lead


def lead_saved(
    *,
    actor: User,
    lead: Lead,
    before: LeadReferrer | None = None,
) -> None:
    """A lead saved with the referrer ``before`` (`loyalty.services.lead_referrer` read before
    the write; none for a new lead): its referral follows when the referrer is another now
    (`loyalty.services.lead_referral_follow`)."""
    before = before or LeadReferrer()
    now = (lead.referred_by_account_id, lead.referred_by_contact_id)
    if now != (before.account_id, before.contact_id):
        lead_referral_follow(actor=actor, lead=lead, before=before.referring_account_id)


# --- survey answers and loyalty -----------------------------------------------------------------


def surveys_answered(*, account_ids: list[int], as_of: dt.date | None = None) -> dict[str, int]:
    """After answers came in for these accounts (an import: thousands at once): their loyalty
    cells now (not at night), the open referral asks withdrawn where the latest score is no
    longer a promoter's, and a promoter due an ask asked now; a few queries per 2,000 accounts,
    not a refresh per answer."""
    ids = sorted(set(account_ids))
    if not ids:
        return {"accounts": 0, "withdrawn": 0, "asked": 0}
    as_of = as_of or timezone.localdate()
    loyalty_cells_refresh(account_ids=ids, as_of=as_of)
    return {"accounts": len(ids), **referral_asks_follow(account_ids=ids, as_of=as_of)}


def survey_answered(*, response: SurveyResponse) -> None:
    """After an answer is stored (`surveys_answered` for its account, as of its day)."""
    surveys_answered(
        account_ids=[response.account_id], as_of=timezone.localdate(response.answered_at)
    )


def survey_answers_imported(**options: Any) -> SurveyImportResult:
    """Import survey answers (`surveys.importer.survey_answers_import`, same options), then
    `surveys_answered` for the accounts the file answered for (none on a dry run or a refused
    file)."""
    # deferred: the importer pulls in polars, which only the import page and command need
    from guanxi.surveys.importer import survey_answers_import

    result = survey_answers_import(**options)
    surveys_answered(account_ids=result.answered_accounts)
    return result


def survey_submit(**fields: Any) -> SurveyResponse:
    """`surveys.services.response_submit` (same arguments), then `survey_answered`."""
    response = response_submit(**fields)
    survey_answered(response=response)
    return response
