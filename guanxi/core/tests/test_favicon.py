"""Every page names the icon and /favicon.ico leads to it (it was a 404 on every page)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon_that_exists():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/guanxi/favicon.svg"
    assert finders.find("guanxi/favicon.svg")


def test_the_admin_pages_link_the_icon(cast):
    client = Client()
    client.force_login(cast.alice)
    for url in ("/admin/login/", "/admin/activities/task/today/"):
        body = Client().get(url).content if url.endswith("login/") else client.get(url).content
        assert b'href="/static/guanxi/favicon.svg"' in body
