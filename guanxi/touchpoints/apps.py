from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TouchpointsConfig(AppConfig):
    name = "guanxi.touchpoints"
    label = "touchpoints"
    # Not "Touchpoints": the header reads app › model › object (the same word twice).
    verbose_name = _("Touchpoint records")
