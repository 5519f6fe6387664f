"""Writes for accounts. Every write checks the actor may act on the account (the access rule in
selectors.py) and records the actor in the audit history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account, Tag
from guanxi.accounts.selectors import account_is_visible, accounts_visible_to
from guanxi.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from guanxi.core.models import Team, User
from guanxi.core.services import UNSET, check_fields, check_no_clash, delete_as, save_as

# Plain columns a client may set; relations go through their own arguments.
ACCOUNT_FIELDS = frozenset(
    {
        "code", "name", "short_name", "english_name", "credit_code", "kind", "organisation_form",
        "account_type", "status", "industry", "enterprise_nature", "scale", "province", "city",
        "address", "website", "phone", "organisation_structure", "credit_rating",
        "annual_sales", "price_system", "sales_policy", "attitude", "customer_since", "notes",
    }
)  # fmt: skip


def account_for_actor(*, actor: User, account_id: int | Account, field: str = "account") -> Account:
    """The account if `actor` may act on it. Missing and invisible look the same: NotFound."""
    pk = account_id.pk if isinstance(account_id, Account) else account_id
    account = accounts_visible_to(actor).filter(pk=pk).first()
    if account is None:
        raise NotFound(_("Account %(id)s not found.") % {"id": pk}, field=field)
    return account


def check_account_visible(*, actor: User | None, account: Account | None) -> None:
    """NotFound ("Account not found.") unless `actor` may see `account`: for services handed an
    account object rather than an id (missing and invisible look the same)."""
    if account is None or not account_is_visible(actor, account):
        raise NotFound(_("Account not found."))


# --- The ownership rule (一处定义): the API services and the admin form both call these. -------


def may_choose_owner(actor: User) -> bool:
    """Team leads and managers hand accounts to others; a KAM owns what they create."""
    return actor.sees_all_accounts or actor.leads_team


def may_choose_team(actor: User) -> bool:
    """Only managers and admins file accounts under any team."""
    return actor.sees_all_accounts


def assignable_owners(actor: User, users: QuerySet[User] | None = None) -> QuerySet[User]:
    """The users `actor` may make owner of an account: themselves; a team lead also the team's
    members; managers and admins anyone."""
    users = User.objects.all() if users is None else users
    if actor.sees_all_accounts:
        return users
    if actor.leads_team:
        return users.filter(Q(pk=actor.pk) | Q(team_id=actor.team_id))
    return users.filter(pk=actor.pk)


def check_owner_assignment(*, actor: User, owner: User) -> None:
    if owner.pk == actor.pk or actor.sees_all_accounts:
        return
    if not assignable_owners(actor).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("You may not assign accounts to another owner."), field="owner")


def check_team_assignment(*, actor: User, team: Team, owner: User) -> None:
    # A KAM or lead may only file accounts under their own team (or the owner's).
    if not may_choose_team(actor) and team.pk not in {actor.team_id, owner.team_id}:
        raise PermissionDenied(_("You may not assign accounts to that team."), field="team")


def default_owner_and_team(
    *, actor: User, owner: User | None, team: Team | None
) -> tuple[User, Team | None]:
    """A new account belongs to its creator unless another owner is given, and is filed under
    the owner's team unless a team is given."""
    owner = actor if owner is None else owner
    return owner, owner.team if team is None else team


def _user(user_id: int | User, field: str) -> User:
    if isinstance(user_id, User):
        return user_id
    user = User.objects.filter(pk=user_id, is_active=True).select_related("team").first()
    if user is None:
        raise ApplicationError(_("User %(id)s does not exist.") % {"id": user_id}, field=field)
    return user


def _team(*, actor: User, team_id: int | Team | None, owner: User) -> Team | None:
    if team_id is None:
        return None
    team = team_id if isinstance(team_id, Team) else Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ApplicationError(_("Team %(id)s does not exist.") % {"id": team_id}, field="team")
    check_team_assignment(actor=actor, team=team, owner=owner)
    return team


def _parent(*, actor: User, parent_id: int | Account | None) -> Account | None:
    if parent_id is None:
        return None
    return account_for_actor(actor=actor, account_id=parent_id, field="parent")


def _check_code(code: str, *, exclude_pk: int | None = None) -> None:
    check_no_clash(
        Account.objects.filter(code=code),
        exclude_pk=exclude_pk,
        field="code",
        message=_("An account with code '%(code)s' already exists.") % {"code": code},
    )


def _set_relations(
    account: Account, *, co_owners: Iterable[int] | None, tags: Iterable[str] | None
) -> None:
    if co_owners is not None:
        ids = list(dict.fromkeys(co_owners))
        users = list(User.objects.filter(pk__in=ids, is_active=True))
        if len(users) != len(ids):
            missing = sorted(set(ids) - {u.pk for u in users})[0]
            raise ApplicationError(
                _("User %(id)s does not exist.") % {"id": missing}, field="co_owners"
            )
        account.co_owners.set(users)
    if tags is not None:
        names = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
        for name in names:
            if len(name) > Tag._meta.get_field("name").max_length:
                raise ApplicationError(
                    _("Tag '%(name)s' is too long.") % {"name": name}, field="tags"
                )
        account.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])


@transaction.atomic
def account_create(
    *,
    actor: User,
    code: str,
    name: str,
    account_type: str,
    owner: int | User | None = None,
    team: int | Team | None = None,
    parent: int | Account | None = None,
    co_owners: Iterable[int] | None = None,
    tags: Iterable[str] | None = None,
    **fields: Any,
) -> Account:
    """Create an account. The actor owns it unless they may assign someone else; the team
    defaults to the owner's."""
    check_fields(fields, ACCOUNT_FIELDS)
    owner_user = actor if owner is None else _user(owner, "owner")
    check_owner_assignment(actor=actor, owner=owner_user)
    team_obj = _team(actor=actor, team_id=team, owner=owner_user) if team else None
    owner_user, team_obj = default_owner_and_team(actor=actor, owner=owner_user, team=team_obj)
    account = Account(
        code=code,
        name=name,
        account_type=account_type,
        owner=owner_user,
        team=team_obj,
        parent=_parent(actor=actor, parent_id=parent),
        **fields,
    )
    _check_code(code)
    save_as(account, actor=actor, validate_unique=False)
    _set_relations(account, co_owners=co_owners, tags=tags)
    return account


@transaction.atomic
def account_update(
    *,
    actor: User,
    account: Account,
    owner: int | User = UNSET,
    team: int | Team | None = UNSET,
    parent: int | Account | None = UNSET,
    co_owners: Iterable[int] | None = None,
    tags: Iterable[str] | None = None,
    **fields: Any,
) -> Account:
    """Change the given fields only; relations left out stay as they are."""
    account = account_for_actor(actor=actor, account_id=account)
    check_fields(fields, ACCOUNT_FIELDS)
    if owner is not UNSET and owner is not None:
        owner_user = _user(owner, "owner")
        if owner_user.pk != account.owner_id:
            check_owner_assignment(actor=actor, owner=owner_user)
        account.owner = owner_user
    if team is not UNSET:
        account.team = _team(actor=actor, team_id=team, owner=account.owner)
    if parent is not UNSET:
        account.parent = _parent(actor=actor, parent_id=parent)
    for name, value in fields.items():
        setattr(account, name, value)
    if "code" in fields:
        _check_code(account.code, exclude_pk=account.pk)
    save_as(account, actor=actor, validate_unique=False)
    _set_relations(account, co_owners=co_owners, tags=tags)
    return account


@transaction.atomic
def account_delete(*, actor: User, account: Account) -> None:
    """Delete an account with no business recorded against it. Accounts with transactions or
    payments are kept for the books: archive them with status 'lost' instead."""
    account = account_for_actor(actor=actor, account_id=account)
    n_tx = account.transactions.count()
    n_pay = account.payments.count()
    if n_tx or n_pay:
        raise Conflict(
            _(
                "Account '%(name)s' has %(tx)d transactions and %(pay)d payments; "
                "archive it by setting status 'lost' instead."
            )
            % {"name": account.name, "tx": n_tx, "pay": n_pay}
        )
    n_sub = account.subsidiaries.count()
    if n_sub:
        raise Conflict(
            _("Account '%(name)s' has %(n)d subsidiaries; move or delete them first.")
            % {"name": account.name, "n": n_sub},
            field="parent",
        )
    # Contacts go with the account; record who removed them too.
    for contact in account.contacts.all():
        delete_as(contact, actor=actor)
    delete_as(account, actor=actor)
