from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "guanxi.plans"
    label = "plans"
    verbose_name = _("Account plans (一企一策)")
