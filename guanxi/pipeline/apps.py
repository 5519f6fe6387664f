from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "guanxi.pipeline"
    label = "pipeline"
    # Not "Sales pipeline": in Chinese that is the pipelines' own name (销售管道), and the header
    # reads app › model › object.
    verbose_name = _("Opportunities and pipelines")
