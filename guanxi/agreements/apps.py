from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "guanxi.agreements"
    label = "agreements"
    # Not "Agreements": the header reads app › model › object, and "协议 › 协议 › …" said it twice.
    verbose_name = _("Agreement management")
