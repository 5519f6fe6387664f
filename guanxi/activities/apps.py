from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "guanxi.activities"
    label = "activities"
    # Not "Tasks": the header reads app › model › object ("任务 › 任务 › …" said it twice).
    verbose_name = _("Task management")
