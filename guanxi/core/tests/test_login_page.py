"""The login page, the one page a visitor sees before logging in: it renders (the sidebar's and
every admin's permission checks get an AnonymousUser there), in both languages."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_login_page_renders_for_a_visitor(client, language):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_every_admin_answers_a_visitor_with_no_permission():
    request = RequestFactory().get("/admin/login/")
    request.user = AnonymousUser()
    for model_admin in admin.site._registry.values():
        assert not model_admin.has_module_permission(request), type(model_admin).__name__
