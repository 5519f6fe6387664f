from io import StringIO

from django.core.management import call_command


def test_migrations_match_the_models(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        raise AssertionError(f"models changed without a migration:\n{out.getvalue()}") from exc


def test_system_checks_pass(db):
    call_command("check", fail_level="WARNING")


def test_not_found_is_a_plain_translated_page_without_debug_details(client, cast):
    client.force_login(cast.bob)
    response = client.get(f"/admin/accounts/account/{cast.account.pk}/360/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "URLconf" not in html and "DEBUG" not in html


def test_not_allowed_is_a_plain_translated_page(client, cast):
    # a KAM on the managers' calibration page of the deal odds
    client.force_login(cast.alice)
    response = client.get("/admin/pipeline/oddsmodel/calibration/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and "Forbidden" not in html


def test_api_docs_load_swagger_from_our_own_static_files(client):
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html and "//unpkg" not in html
