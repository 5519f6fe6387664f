"""The surveys' nightly step (`workspace.tasks.NIGHTLY_STEPS`): `survey_yearly`, the yearly
NPS link of every key account (once per account and year; after tiering, which says who the
key accounts are)."""

from __future__ import annotations

from guanxi.core.jobs import recorded_task
from guanxi.surveys.sending import yearly_surveys_send

survey_yearly_job = yearly_surveys_send
survey_yearly = recorded_task("survey_yearly")(survey_yearly_job)
