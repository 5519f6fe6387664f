"""Tasks the system writes read in the viewer's language (trial finding 5): the stored title is
in the site language (zh-Hans); the title shown is composed again from the task's key."""

from __future__ import annotations

import pytest
from django.utils import translation

from guanxi.activities.display import display_title
from guanxi.activities.models import Task
from guanxi.surveys.models import SurveyTemplate
from guanxi.surveys.services import Answers, invitation_create, invitation_token, response_submit

pytestmark = pytest.mark.django_db


def test_a_recovery_task_reads_in_english_on_an_english_page(cast):
    template = SurveyTemplate.objects.get(code="nps")
    invitation = invitation_create(actor=cast.alice, template=template, account=cast.account)
    response_submit(token=invitation_token(invitation), answers=Answers(nps_score=5))
    task = Task.objects.select_related("account").get(account=cast.account, source="recovery")
    assert "5" in task.title and "NPS" in task.title  # stored in the site language
    with translation.override("en"):
        shown = display_title(task)
    assert shown == (
        f"Win back a detractor: {cast.account.name} scored 5 in the NPS survey"
    )
    with translation.override("zh-hans"):
        assert display_title(task) == task.title


def test_an_escalation_task_keeps_the_case_subject_in_both_languages(cast):
    task = Task(account=cast.account, title="升级案例 #265：会议室投影故障", source="escalation",
                key="escalation:265:1:9")  # fmt: skip
    with translation.override("en"):
        assert display_title(task) == "Escalated case #265: 会议室投影故障"
