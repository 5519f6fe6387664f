from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guanxi.core"
    label = "core"
    verbose_name = _("Users and teams")

    def ready(self) -> None:
        from guanxi.core import unfold_patches  # deferred: unfold's template tags need the apps

        unfold_patches.apply()
