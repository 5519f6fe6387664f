"""The queue's "merge…" button links to the merge pages when they exist, else hides."""

from __future__ import annotations

from django.test import override_settings
from django.urls import path

from guanxi.duplicates.admin import merge_url


def _page(request, keep, other):  # pragma: no cover - only reversed
    return None


urlpatterns = [
    path("merge/accounts/<int:keep>/<int:other>/", _page, name="merge_accounts"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_merge_url_when_the_merge_page_exists():
    assert merge_url("account", 3, 7) == "/merge/accounts/3/7/"
    assert merge_url("contact", 3, 7) == ""  # no merge_contacts here: the button hides
