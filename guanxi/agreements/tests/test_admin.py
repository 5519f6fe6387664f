"""The agreement admin: the scoped list and page in both languages, the form saving through the
services (a sister company refused on the form, nothing saved; an amendment on a signed one),
documents and rates through their services, the life-cycle steps writing the audit history,
the off-rate reviews decided by managers, and the 360° card."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from guanxi.agreements.admin_forms import AgreementForm
from guanxi.agreements.models import Agreement, AgreementDocument, NegotiatedRate, RateReview
from guanxi.agreements.rates import rate_create
from guanxi.agreements.services import agreement_create, agreement_sign
from guanxi.transactions.models import ProductCategory
from guanxi.workspace.flows import transaction_record
from tests.support import ROLES_SEE_ALICES

from .conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

LIST = "admin:agreements_agreement_changelist"
ADD = "admin:agreements_agreement_add"
CHANGE = "admin:agreements_agreement_change"
CJK = re.compile(r"[\u4e00-\u9fff]")


def form_data(response) -> dict:
    """The POST body the page would send unchanged: main form and every inline."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list):
                value = [str(v) for v in value]
            data[form.add_prefix(name)] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
    return data


def errors_of(response) -> dict:
    return dict(response.context["adminform"].form.errors)


def prefix_of(response, model) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline for {model}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_and_page_render_in_both_languages(client, cast, agreement, settings, language):
    settings.LANGUAGE_CODE = language
    rate_create(actor=cast.alice, agreement=agreement, category="rooms", value=D("680"))
    client.force_login(cast.alice)
    with translation.override(language):
        listing = client.get(reverse(LIST))
        page = client.get(reverse(CHANGE, args=(agreement.pk,)))
        added = client.get(reverse(ADD))
    assert listing.status_code == page.status_code == added.status_code == 200
    html = listing.content.decode()
    assert f'data-renewal="{agreement.pk}"' in html and "FA-2026-01" in html
    body = page.content.decode()
    assert reverse("admin:agreements_agreement_sign", args=(agreement.pk,)) in body
    assert reverse("admin:agreements_agreement_terminate", args=(agreement.pk,)) not in body
    word = "Negotiated rates" if language == "en" else "协议价"
    assert word in body
    if language == "en":
        assert "Renewal and review" in body
    else:
        assert "续约与复盘" in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_title_and_header_name_the_agreement_once(client, cast, agreement, language):
    """The trial: the browser title read "框架合作协议 | 框架合作协议 | Guanxi CRM" and the header
    "协议 › 协议 › …"; the amendment's label was lowercase in English."""
    client.force_login(cast.alice)
    page = client.get(reverse(CHANGE, args=(agreement.pk,)), HTTP_ACCEPT_LANGUAGE=language)
    body = page.content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert title.count(agreement.name) == 1
    with translation.override(language):
        assert page.context["title"] == gettext("Change %s") % Agreement._meta.verbose_name
    crumbs = re.findall(r'min-w-0 truncate tracking-tight">\s*(.*?)\s*</', body)
    assert len(crumbs) == 3 and len(set(crumbs)) == 3
    with translation.override(language):
        label = str(AgreementForm.base_fields["amendment_summary"].label)
    assert label[:1] == label[:1].upper()


@pytest.mark.usefixtures("english")
def test_the_list_filters_by_type_status_and_ending_soon(client, cast, group, agreement):
    soon = agreement_create(actor=cast.alice, account=cast.account, name="Rebate",
                            agreement_type="rebate", starts_on=dt.date(2026, 1, 1),
                            ends_on=dt.date(2026, 7, 31))  # fmt: skip
    agreement_create(actor=cast.charlie, account=cast.west_account, name="West",
                     agreement_type="rebate", starts_on=dt.date(2026, 1, 1),
                     ends_on=dt.date(2026, 7, 1))  # fmt: skip
    client.force_login(cast.alice)

    def rows(**query) -> list[Agreement]:
        return list(client.get(reverse(LIST), query).context["cl"].result_list)

    assert rows() == [soon, agreement]  # soonest end first; charlie's not in sight
    assert rows(ending_within="90") == [soon]
    assert rows(ending_within="30") == []
    assert rows(agreement_type__id__exact=soon.agreement_type_id) == [soon]
    assert rows(status__exact="active") == []
    assert rows(q="FA-2026") == [agreement]
    assert rows(q=cast.account.code) == [soon, agreement]
    client.force_login(cast.mia)
    assert len(rows(ending_within="90")) == 2


@pytest.mark.parametrize(("who", "status"), ROLES_SEE_ALICES)
def test_only_those_who_see_the_account_open_the_agreement(client, cast, agreement, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(reverse(CHANGE, args=(agreement.pk,))).status_code == status
    sign = reverse("admin:agreements_agreement_sign", args=(agreement.pk,))
    assert client.get(sign).status_code == status


@pytest.mark.usefixtures("english")
def test_a_sister_company_as_covered_is_an_error_on_the_form_and_nothing_is_saved(
    client, cast, group, agreement
):
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(agreement.pk,))
    data = form_data(client.get(url))
    data["covered_accounts"] = [str(group.sub.pk), str(group.sister.pk)]
    data["name"] = "Renamed"
    response = client.post(url, data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "covered_accounts" in errors and group.sister.name in str(errors["covered_accounts"])
    agreement.refresh_from_db()
    assert agreement.name == "2026 框架协议"
    assert list(agreement.covered_accounts.all()) == [group.sub]
    # A new one with a sister company is not created either.
    data = form_data(client.get(reverse(ADD)))
    data.update(account=cast.account.pk, name="New", agreement_type=agreement.agreement_type_id,
                starts_on="2026-01-01", ends_on="2026-12-31",
                covered_accounts=[str(group.sister.pk)])  # fmt: skip
    response = client.post(reverse(ADD), data)
    assert response.status_code == 200 and "covered_accounts" in errors_of(response)
    assert not Agreement.objects.filter(name="New").exists()


@pytest.mark.usefixtures("english")
def test_adding_goes_through_the_service_with_a_document_and_a_rate(client, cast, group):
    client.force_login(cast.alice)
    page = client.get(reverse(ADD))
    data = form_data(page)
    framework = page.context["adminform"].form.fields["agreement_type"].queryset.first()
    data.update(account=cast.account.pk, name="2027 LNR", agreement_type=framework.pk,
                starts_on="2027-01-01", ends_on="2027-12-31", reference="LNR-27",
                covered_accounts=[str(group.sub.pk)],
                their_signers=[str(group.sub_buyer.pk)])  # fmt: skip
    docs, rates = prefix_of(page, AgreementDocument), prefix_of(page, NegotiatedRate)
    data[f"{docs}-TOTAL_FORMS"] = 1
    data[f"{docs}-0-title"] = "Signed copy"
    data[f"{docs}-0-file"] = SimpleUploadedFile("lnr.pdf", b"%PDF-1.4 test")
    data[f"{rates}-TOTAL_FORMS"] = 1
    data.update({f"{rates}-0-category": ProductCategory.objects.get(code="rooms").pk,
                 f"{rates}-0-basis": "unit_price", f"{rates}-0-value": "680",
                 f"{rates}-0-tolerance": "5"})  # fmt: skip
    response = client.post(reverse(ADD), data)
    assert response.status_code == 302, errors_of(response)
    made = Agreement.objects.get(name="2027 LNR")
    assert (made.owner, made.status, made.reference) == (cast.alice, "draft", "LNR-27")
    assert list(made.covered_accounts.all()) == [group.sub]
    assert list(made.their_signers.all()) == [group.sub_buyer]
    assert made.history.first().history_user == cast.alice
    document = made.documents.get()
    assert (document.title, document.uploaded_by) == ("Signed copy", cast.alice)
    assert made.rates.get().value == D("680")


@pytest.mark.usefixtures("english")
def test_a_wrong_file_type_is_an_error_on_the_row(client, cast, agreement):
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(agreement.pk,))
    page = client.get(url)
    data = form_data(page)
    docs = prefix_of(page, AgreementDocument)
    data[f"{docs}-TOTAL_FORMS"] = 1
    data[f"{docs}-0-title"] = "Script"
    data[f"{docs}-0-file"] = SimpleUploadedFile("run.exe", b"MZ")
    response = client.post(url, data)
    assert response.status_code == 200
    assert ".exe" in response.content.decode()
    assert not agreement.documents.exists()


@pytest.mark.usefixtures("english")
def test_a_change_of_a_signed_agreement_is_an_amendment(client, cast, agreement):
    agreement_sign(actor=cast.alice, agreement=agreement)
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(agreement.pk,))
    page = client.get(url)
    assert "amendment_summary" in page.context["adminform"].form.fields
    data = form_data(page)
    data.update(notice_days="60", amendment_summary="Shorter notice")
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    amendment = agreement.amendments.get()
    assert (amendment.version, amendment.summary, amendment.made_by) == (
        1, "Shorter notice", cast.alice)  # fmt: skip
    assert amendment.changes == {"notice_days": [90, 60]}
    assert "Shorter notice" in client.get(url).content.decode()


@pytest.mark.usefixtures("english")
def test_signing_and_terminating_through_the_steps_write_the_audit_history(client, cast, agreement):
    client.force_login(cast.lena)
    sign = reverse("admin:agreements_agreement_sign", args=(agreement.pk,))
    assert 'data-page="agreement-sign"' in client.get(sign).content.decode()
    response = client.post(sign, {"signed_on": "2026-06-10", "our_signer": cast.alice.pk})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signed_on, agreement.our_signer) == (
        "active", dt.date(2026, 6, 10), cast.alice)  # fmt: skip
    latest = agreement.history.first()
    assert (latest.status, latest.history_user) == ("active", cast.lena)
    # Signed, it cannot be signed again: the button is gone, the step refuses with a message.
    page = client.get(reverse(CHANGE, args=(agreement.pk,))).content.decode()
    assert sign not in page
    terminate = reverse("admin:agreements_agreement_terminate", args=(agreement.pk,))
    assert terminate in page
    response = client.post(sign, {"signed_on": "2026-06-11"})
    assert response.status_code == 200 and "cannot go from" in response.content.decode()
    # Terminating needs a reason.
    response = client.post(terminate, {"reason": "", "terminated_on": "2026-06-15"})
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == "active"
    response = client.post(terminate, {"reason": "Hotel sold", "terminated_on": "2026-06-15"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.status, agreement.termination_reason) == ("terminated", "Hotel sold")
    assert agreement.history.first().history_user == cast.lena


@pytest.mark.usefixtures("english")
def test_renewing_makes_a_draft_successor_and_opens_it(client, cast, agreement):
    agreement_sign(actor=cast.alice, agreement=agreement)
    client.force_login(cast.alice)
    renew = reverse("admin:agreements_agreement_renew", args=(agreement.pk,))
    response = client.post(renew, {"name": "", "starts_on": "", "ends_on": ""})
    agreement.refresh_from_db()
    successor = agreement.successor
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGE, args=(successor.pk,))
    assert (successor.status, successor.starts_on) == ("draft", dt.date(2027, 1, 1))
    page = client.get(reverse(CHANGE, args=(agreement.pk,))).content.decode()
    assert f'data-agreement-link="{successor.pk}"' in page and renew not in page


@pytest.mark.usefixtures("english")
def test_off_rate_reviews_are_decided_by_managers(client, cast, group, agreement):
    agreement_sign(actor=cast.alice, agreement=agreement)
    rate_create(actor=cast.alice, agreement=agreement, category="rooms", value=D("680"))
    transaction_record(actor=cast.alice, account=group.sub, category="rooms", amount=D("2100"),
                       quantity=D("3"), occurred_at=local(2026, 6, 10, 20))  # fmt: skip
    review = RateReview.objects.get()
    accept = reverse("admin:agreements_ratereview_accept", args=(review.pk,))
    correct = reverse("admin:agreements_ratereview_correct", args=(review.pk,))
    client.force_login(cast.alice)
    listing = client.get(reverse("admin:agreements_ratereview_changelist"))
    assert list(listing.context["cl"].result_list) == [review]
    assert client.post(accept, {"note": ""}).status_code == 403
    client.force_login(cast.charlie)
    assert client.get(reverse("admin:agreements_ratereview_change", args=(review.pk,))
                      ).status_code == 404  # fmt: skip
    client.force_login(cast.mia)
    response = client.post(correct, {"note": ""})
    assert response.status_code == 200 and "Say what must be corrected" in response.content.decode()
    assert client.post(correct, {"note": "Rebill at 680"}).status_code == 302
    review.refresh_from_db()
    assert (review.status, review.note, review.decided_by) == ("corrected", "Rebill at 680",
                                                               cast.mia)  # fmt: skip


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_360_card_lists_own_and_group_agreements(client, cast, group, agreement, settings,
                                                     language):  # fmt: skip
    settings.LANGUAGE_CODE = language
    agreement_sign(actor=cast.alice, agreement=agreement)
    client.force_login(cast.alice)
    with translation.override(language):
        html = client.get(reverse("admin:accounts_account_view_360", args=(group.sub.pk,))
                          ).content.decode()  # fmt: skip
    card = html[html.index('data-card="agreements"') :]
    assert f'data-agreement="{agreement.pk}" data-status="active" data-in-force' in card
    assert "data-group-agreement" in card  # the group's agreement covers the subsidiary
    assert reverse(CHANGE, args=(agreement.pk,)) in card
    assert "2026-12-31" in card
    with translation.override(language):
        sister = client.get(reverse("admin:accounts_account_view_360", args=(group.sister.pk,))
                            ).content.decode()  # fmt: skip
    assert f'data-agreement="{agreement.pk}"' not in sister
    if language == "en":
        assert not CJK.search(card.split("data-list-link")[1][:200])


@pytest.mark.usefixtures("english")
def test_only_a_draft_is_deleted_and_the_history_names_who(client, cast, agreement):
    client.force_login(cast.alice)
    url = reverse("admin:agreements_agreement_delete", args=(agreement.pk,))
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert Agreement.history.filter(id=agreement.pk).first().history_user == cast.alice
    signed = agreement_create(actor=cast.alice, account=cast.account, name="Signed",
                              agreement_type="rebate", starts_on=dt.date(2026, 1, 1),
                              ends_on=dt.date(2026, 12, 31))  # fmt: skip
    agreement_sign(actor=cast.alice, agreement=signed)
    url = reverse("admin:agreements_agreement_delete", args=(signed.pk,))
    assert client.post(url, {"post": "yes"}).status_code == 403
