"""Opportunities (商机) in the admin: the deal list and form (`opportunity`), and the lists kept
as data — pipelines with their stages, lost reasons — and sales targets (`lists`)."""

from guanxi.pipeline import admin_odds  # noqa: F401  (the deal-odds trainings and calibration)
from guanxi.pipeline.admin.lists import LostReasonAdmin, PipelineAdmin, SalesTargetAdmin
from guanxi.pipeline.admin.opportunity import OpportunityAdmin

__all__ = ["LostReasonAdmin", "OpportunityAdmin", "PipelineAdmin", "SalesTargetAdmin"]
