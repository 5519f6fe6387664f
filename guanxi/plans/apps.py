from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "guanxi.plans"
    label = "plans"
    # The app's name is the breadcrumb's step above the plan list ("account plans",
    # the model's plural): naming the app the same showed it twice. The sidebar group's name.
    verbose_name = _("Key-account planning")
