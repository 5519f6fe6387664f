import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi.imports.models import ImportRun
from guanxi.imports.tests.helpers import csv_bytes, run
from guanxi.transactions.models import Transaction

UPLOAD = "admin:imports_importrun_upload"
HEAD = ["external_id", "account_code", "occurred_at", "category", "amount"]


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _post(client, account_code: str, **extra):
    content = csv_bytes([HEAD, ["U1", account_code, "2024-05-01", "fnb", "10"],
                         ["U2", account_code, "2024-05-01", "nope", "10"]])  # fmt: skip
    data = {"kind": "transactions", "file": SimpleUploadedFile("t.csv", content), **extra}
    return client.post(reverse(UPLOAD), data)


def test_upload_page_shows_the_format_and_templates(client, cast):
    client.force_login(cast.alice)
    response = client.get(reverse(UPLOAD), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "客户编号" in body and "external_id" in body and "account_code" in body
    assert reverse("admin:imports_importrun_template", args=["transactions"]) in body
    template = client.get(reverse("admin:imports_importrun_template", args=["accounts"]))
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines()[0].startswith("code,name,")
    assert (
        client.get(reverse("admin:imports_importrun_template", args=["nothing"])).status_code == 404
    )


def test_owner_uploads_and_sees_the_report(client, cast):
    client.force_login(cast.alice)
    response = _post(client, cast.account.code)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-count="created">1<' in body and 'data-count="failed">1<' in body
    assert "unknown product category" in body
    assert Transaction.objects.filter(external_id="U1", account=cast.account).exists()
    run_row = ImportRun.objects.get()
    assert run_row.user == cast.alice and run_row.file_name == "t.csv"
    h = Transaction.history.get(external_id="U1")
    assert h.history_user == cast.alice


def test_outsider_upload_touches_nothing(client, cast):
    client.force_login(cast.charlie)
    response = _post(client, cast.account.code)
    assert response.status_code == 200
    assert "not found or not visible to you" in response.content.decode()
    assert not Transaction.objects.filter(external_id="U1").exists()


def test_dry_run_from_the_page(client, cast):
    client.force_login(cast.alice)
    response = _post(client, cast.account.code, dry_run="on")
    assert 'data-count="created">1<' in response.content.decode()
    assert not Transaction.objects.filter(external_id="U1").exists()


def test_bad_upload_is_a_form_error_not_a_500(client, cast):
    client.force_login(cast.alice)
    data = {"kind": "transactions", "file": SimpleUploadedFile("t.pdf", b"%PDF")}
    response = client.post(reverse(UPLOAD), data)
    assert response.status_code == 200
    assert not ImportRun.objects.exists()


def test_runs_are_visible_to_their_user_and_managers(client, cast):
    rows = [HEAD, ["R1", cast.account.code, "2024-05-01", "bad", "1"]]
    mine = run("transactions", rows, user=cast.alice)
    change = reverse("admin:imports_importrun_change", args=[mine.run_id])
    errors = reverse("admin:imports_importrun_errors", args=[mine.run_id])
    changelist = reverse("admin:imports_importrun_changelist")

    client.force_login(cast.alice)
    page = client.get(change, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Some rows failed" in html or "Failed" in html  # the label, not the raw tuple
    assert "&#x27;failed&#x27;," not in html
    csv_text = client.get(errors).content.decode("utf-8-sig")
    assert '2,category,bad,"unknown product category' in csv_text

    client.force_login(cast.bob)
    assert client.get(change).status_code == 404
    assert client.get(errors).status_code == 404
    listing = client.get(changelist)
    assert listing.status_code == 200 and listing.context["cl"].result_count == 0

    client.force_login(cast.mia)
    assert client.get(change).status_code == 200
    listing = client.get(changelist)
    assert listing.context["cl"].result_count == 1
    # the "Import a file" button on the list
    assert "open_upload" in listing.content.decode()


def test_runs_are_read_only(client, cast):
    client.force_login(cast.mia)
    assert client.get(reverse("admin:imports_importrun_add")).status_code == 403
