"""The change lists build their column headers once, not once per row (core.unfold_patches)."""

import pytest
from django.urls import reverse

from guanxi.accounts.models import Tag
from guanxi.core import unfold_patches

pytestmark = pytest.mark.django_db


def test_headers_are_built_once_per_list(cast, client, monkeypatch):
    Tag.objects.bulk_create(Tag(name=f"tag {i}") for i in range(12))
    calls = []

    def counting(cl):
        calls.append(cl)
        yield from original(cl)

    original = unfold_patches._original
    monkeypatch.setattr(unfold_patches, "_original", counting)
    client.force_login(cast.mia)
    response = client.get(reverse("admin:accounts_tag_changelist"))

    assert response.status_code == 200
    assert response.content.count(b'name="_selected_action"') == 12  # every row rendered
    assert len(calls) == 1


def test_row_checkbox_is_unfolds_own_markup():
    tag = Tag(pk=4711, name="x")
    patched = unfold_patches._action_checkbox(None, tag)
    assert patched == unfold_patches._original_checkbox(None, tag)
    assert 'value="4711"' in patched
    assert unfold_patches._action_checkbox.short_description  # the select-all header
