"""The merge pages (admin look and login, plain URLs in `urls.py`):

- /merge/accounts/<keep>/ and /merge/contacts/<keep>/: "merge with…", search the other record;
- /merge/accounts/<keep>/<other>/ and /merge/contacts/<keep>/<other>/ (`merge_accounts`,
  `merge_contacts`: the duplicate review queue links here): the two side by side, a choice per
  differing field, the preview (counted, nothing moved), then merge; or "not a duplicate"
  (remembered, as the queue's), or, for two accounts that look like a group and its company,
  link as subsidiary;
- /merge/<id>/: what a merge did, and its undo.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.contacts.selectors import contacts_visible_to
from guanxi.core.admin_mixins import service_error_text
from guanxi.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from guanxi.duplicates.matching import AccountFacts, group_and_member
from guanxi.duplicates.services import may_review, pair_dismiss
from guanxi.merging import services
from guanxi.merging.admin_clashes import clash_rows
from guanxi.merging.models import MergeKind
from guanxi.merging.services import KEEP, OTHER, Pair
from guanxi.merging.summary import display, summarise

PICK_LIMIT = 20


def _guarded(call: Any, **kwargs: Any) -> Any:
    """A service call whose NotFound is a 404 page and PermissionDenied a 403."""
    try:
        return call(**kwargs)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None


def _field_rows(pair: Pair, choices: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for f in services.choosable_fields(pair.model):
        if f.name not in choices:
            continue
        rows.append({
            "name": f.name,
            "label": f.verbose_name,
            "keep": display(f, getattr(pair.keep, f.attname)),
            "other": display(f, getattr(pair.other, f.attname)),
            "choice": choices[f.name],
        })  # fmt: skip
    return rows


def _posted_choices(request: HttpRequest, defaults: dict[str, str]) -> dict[str, str]:
    return {
        name: request.POST.get(f"field-{name}", side) if request.method == "POST" else side
        for name, side in defaults.items()
    }


def _group(pair: Pair, kind: str) -> tuple[Any, Any] | None:
    """(group, company) when the two accounts look like a group and one of its companies."""
    if kind != MergeKind.ACCOUNT:
        return None
    found = group_and_member(AccountFacts.of(pair.keep), AccountFacts.of(pair.other))
    if found is None:
        return None
    return (pair.keep, pair.other) if found[0].id == pair.keep.pk else (pair.other, pair.keep)


def _not_duplicates(request: HttpRequest, kind: str, pair: Pair) -> HttpResponse:
    pair_dismiss(actor=request.user, kind=kind, first=pair.keep.pk, second=pair.other.pk)
    messages.success(request, _("Marked as not a duplicate: the pair is not proposed again."))
    if may_review(request.user):
        return HttpResponseRedirect(f"{reverse('admin:duplicates_candidate_queue')}?kind={kind}")
    page = "admin:accounts_account_view_360" if kind == MergeKind.ACCOUNT else (
        "admin:contacts_contact_change")  # fmt: skip
    return HttpResponseRedirect(reverse(page, args=(pair.keep.pk,)))


def _merge_page(request: HttpRequest, kind: str, keep: int, other: int) -> HttpResponse:
    pair = _guarded(services.merge_pair, actor=request.user, kind=kind, keep=keep, other=other)
    choices = _posted_choices(request, services.default_choices(pair))
    action = request.POST.get("action", "preview") if request.method == "POST" else "preview"
    group = _group(pair, kind)
    preview = None
    try:
        if action == "dismiss":
            return _not_duplicates(request, kind, pair)
        if action == "link" and group is not None:
            services.link_as_subsidiary(actor=request.user, group=group[0].pk,
                                        subsidiary=group[1].pk)  # fmt: skip
            messages.success(request, _("%(name)s is now a subsidiary of %(group)s.")
                             % {"name": group[1], "group": group[0]})  # fmt: skip
            return HttpResponseRedirect(
                reverse("admin:accounts_account_view_360", args=(group[0].pk,))
            )
        if action == "link":
            raise Conflict(_("These two do not look like a group and one of its companies."))
        if action == "merge":
            done = services.records_merge(actor=request.user, kind=kind, keep=keep, other=other,
                                          fields=choices)  # fmt: skip
            messages.success(request, _("Merged. The merge can be undone from this page."))
            return HttpResponseRedirect(reverse("merge_record", args=(done.merge.pk,)))
        preview = services.merge_preview(pair, choices).summary  # the pair read and checked above
    except ApplicationError as exc:
        messages.error(request, service_error_text(exc))
    context = {
        **admin.site.each_context(request),
        "title": _("Merge two accounts") if kind == MergeKind.ACCOUNT else _("Merge two contacts"),
        "kind": kind,
        "pair": pair,
        "rows": _field_rows(pair, choices),
        "preview": preview,
        "clashes": clash_rows(preview.clashes, pair.model) if preview else [],
        "group": group,
        "swap_url": reverse(f"merge_{kind}s", args=(other, keep)),
        "KEEP": KEEP,
        "OTHER": OTHER,
    }
    return TemplateResponse(request, "admin/merging/merge.html", context)


def merge_accounts(request: HttpRequest, keep: int, other: int) -> HttpResponse:
    return _merge_page(request, MergeKind.ACCOUNT, keep, other)


def merge_contacts(request: HttpRequest, keep: int, other: int) -> HttpResponse:
    return _merge_page(request, MergeKind.CONTACT, keep, other)


def _pick_page(request: HttpRequest, kind: str, keep: int) -> HttpResponse:
    if not services.may_merge(request.user):
        raise DjangoPermissionDenied
    visible = (
        accounts_visible_to(request.user)
        if kind == MergeKind.ACCOUNT
        else (contacts_visible_to(request.user).select_related("account"))
    )
    record = visible.filter(pk=keep).first()
    if record is None:
        raise Http404
    q = request.GET.get("q", "").strip()[:100]
    found = []
    if q:
        found = list(visible.filter(Q(name__icontains=q) | Q(code__iexact=q))
                     .exclude(pk=keep).order_by("name", "pk")[:PICK_LIMIT])  # fmt: skip
    context = {
        **admin.site.each_context(request),
        "title": _("Merge with…"),
        "kind": kind,
        "record": record,
        "q": q,
        "found": found,
        "merge_url": f"merge_{kind}s",
    }
    return TemplateResponse(request, "admin/merging/pick.html", context)


def pick_account(request: HttpRequest, keep: int) -> HttpResponse:
    return _pick_page(request, MergeKind.ACCOUNT, keep)


def pick_contact(request: HttpRequest, keep: int) -> HttpResponse:
    return _pick_page(request, MergeKind.CONTACT, keep)


def merge_record(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = _guarded(services.merge_for_actor, actor=request.user, merge_id=merge_id)
    model = services.MODELS[merge.kind]
    summary = summarise(merge, model)
    context = {
        **admin.site.each_context(request),
        "title": _("Merge #%(id)s") % {"id": merge.pk},
        "merge": merge,
        "summary": summary,
        "clashes": clash_rows(summary.clashes, model, merge.deleted),
        "refusals": [] if merge.undone_at else services.undo.refusals(merge, model),
    }
    return TemplateResponse(request, "admin/merging/record.html", context)


@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    try:
        merge = _guarded(services.merge_undo, actor=request.user, merge_id=merge_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("merge_record", args=(merge_id,)))
    messages.success(request, _("The merge was undone."))
    return HttpResponseRedirect(reverse("merge_record", args=(merge.pk,)))
