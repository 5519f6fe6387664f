import pytest
from django.utils import translation

from guanxi.core.testing import make_cast


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def english(settings):
    """Serve and assert messages in English (the default UI language is zh-hans)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
