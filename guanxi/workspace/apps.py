from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The top floor: the nightly chain, the KAM's Today, the dashboard, the account list and its
    360° page, and the steps that cross apps (`flows`). It has no models of its own."""

    name = "guanxi.workspace"
    label = "workspace"
    verbose_name = _("Workspace")
