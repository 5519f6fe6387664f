"""The agreement's life-cycle on its page: buttons to negotiate, sign, terminate (with a reason)
and renew, each a small page whose form calls the service (`agreement_negotiate`, `_sign`,
`_terminate`, `_renew`), so the audit history names who did it. A button shows only where its
step can start from the agreement's status; the service still refuses a move it does not allow
(a message, never a 500). The performance page (pace, projection, rebates) is linked when the
site has it (`agreements:performance`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.decorators import action

from guanxi.agreements import services
from guanxi.agreements.admin_forms import RenewForm, SignForm, TerminateForm
from guanxi.agreements.models import Agreement, AgreementStatus
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.core.admin_mixins import service_error_text, show_service_error
from guanxi.core.errors import ApplicationError, NotFound

S = AgreementStatus
TEMPLATE = "admin/agreements/agreement/step.html"
#: The statuses each step starts from (the services' MOVES, read the other way).
STEP_FROM: dict[str, tuple[str, ...]] = {
    "negotiate": (S.DRAFT,),
    "sign": (S.DRAFT, S.NEGOTIATING),
    "terminate": (S.ACTIVE,),
    "renew": (S.ACTIVE, S.EXPIRED),
}


class AgreementStepsMixin:
    """For `AgreementAdmin`: the life-cycle's buttons and pages."""

    actions_detail = ("negotiate", "sign", "terminate", "renew", "performance")
    model: Any
    admin_site: Any

    def get_actions_detail(self, request: HttpRequest, object_id: Any) -> list:
        shown = super().get_actions_detail(request, object_id)  # type: ignore[misc]
        found = self._found(request, object_id)
        if found is None:
            return []

        def fits(name: str) -> bool:
            if name == "performance":
                return performance_url(found) is not None
            if name == "renew" and found.successor_id is not None:
                return False
            return found.status in STEP_FROM.get(name, ())

        return [a for a in shown if fits(a.method.__name__)]

    def _found(self, request: HttpRequest, object_id: Any) -> Agreement | None:
        cache = request.__dict__.setdefault("_guanxi_agreements", {})
        if object_id not in cache:
            try:
                cache[object_id] = agreement_for_actor(request.user, int(object_id))
            except (NotFound, TypeError, ValueError):
                cache[object_id] = None
        return cache[object_id]

    def _agreement(self, request: HttpRequest, object_id: str) -> Agreement:
        if not str(object_id).isdigit():
            raise Http404
        try:
            return agreement_for_actor(request.user, int(object_id))
        except NotFound:
            raise Http404 from None

    def _step(self, request: HttpRequest, agreement: Agreement, *, step: str, title: str,
              form: Any, write: Callable[[], Agreement], done: str) -> HttpResponse:  # fmt: skip
        """The step's page; on a valid POST the service runs: its refusal goes on the form (or
        in a message), its success back to the agreement (or to the successor it made)."""
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                result = write()
            except ApplicationError as exc:
                if form is None:
                    messages.error(request, service_error_text(exc))
                    return _back(agreement)
                show_service_error(form, exc)
            else:
                messages.success(request, done)
                return _back(result)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "agreement": agreement,
            "form": form,
            "step": step,
            "back_url": reverse("admin:agreements_agreement_change", args=(agreement.pk,)),
        }
        return TemplateResponse(request, TEMPLATE, context)

    @action(description=gettext_lazy("Start negotiating"), url_path="negotiate", icon="forum")
    def negotiate(self, request: HttpRequest, object_id: str) -> HttpResponse:
        agreement = self._agreement(request, object_id)
        return self._step(
            request, agreement, step="negotiate", title=_("Start negotiating"), form=None,
            write=lambda: services.agreement_negotiate(actor=request.user, agreement=agreement),
            done=_("The agreement is in negotiation."),
        )  # fmt: skip

    @action(description=gettext_lazy("Sign"), url_path="sign", icon="signature")
    def sign(self, request: HttpRequest, object_id: str) -> HttpResponse:
        agreement = self._agreement(request, object_id)
        form = SignForm(request.POST if request.method == "POST" else None)

        def write() -> Agreement:
            data = form.cleaned_data
            return services.agreement_sign(actor=request.user, agreement=agreement,
                                           signed_on=data["signed_on"],
                                           our_signer=data.get("our_signer"))  # fmt: skip

        return self._step(request, agreement, step="sign", title=_("Sign"), form=form,
                          write=write, done=_("The agreement is signed and active."))  # fmt: skip

    @action(description=gettext_lazy("Terminate"), url_path="terminate", icon="cancel")
    def terminate(self, request: HttpRequest, object_id: str) -> HttpResponse:
        agreement = self._agreement(request, object_id)
        form = TerminateForm(request.POST if request.method == "POST" else None)

        def write() -> Agreement:
            data = form.cleaned_data
            return services.agreement_terminate(actor=request.user, agreement=agreement,
                                                reason=data["reason"],
                                                terminated_on=data["terminated_on"])  # fmt: skip

        return self._step(request, agreement, step="terminate", title=_("Terminate"), form=form,
                          write=write, done=_("The agreement is terminated."))  # fmt: skip

    @action(description=gettext_lazy("Renew"), url_path="renew", icon="autorenew")
    def renew(self, request: HttpRequest, object_id: str) -> HttpResponse:
        agreement = self._agreement(request, object_id)
        data = request.POST if request.method == "POST" else None
        form = RenewForm(data, agreement=agreement)

        def write() -> Agreement:
            values = form.cleaned_data
            return services.agreement_renew(actor=request.user, agreement=agreement,
                                            name=values.get("name") or "",
                                            starts_on=values.get("starts_on"),
                                            ends_on=values.get("ends_on"))  # fmt: skip

        return self._step(
            request, agreement, step="renew", title=_("Renew"), form=form, write=write,
            done=_("The successor is a draft: agree its terms and sign it; this agreement is "
                   "then renewed."),
        )  # fmt: skip

    @action(description=gettext_lazy("Performance"), url_path="performance", icon="speed")
    def performance(self, request: HttpRequest, object_id: str) -> HttpResponse:
        agreement = self._agreement(request, object_id)
        url = performance_url(agreement)
        if url is None:
            messages.info(request, _("The performance page is not available on this site."))
            return _back(agreement)
        return HttpResponseRedirect(url)


def _back(agreement: Agreement) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=(agreement.pk,)))


def performance_url(agreement: Agreement) -> str | None:
    """The agreement's performance page (pace, projection, rebates) when the site has one."""
    try:
        return reverse("agreements:performance", args=[agreement.pk])
    except NoReverseMatch:
        return None
