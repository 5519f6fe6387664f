"""The 客户状态分析表 form: one radio choice per question of the active checklists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminDateWidget, UnfoldAdminTextareaWidget

from guanxi.assessments.models import Checklist


def question_field(pk: int) -> str:
    return f"q{pk}"


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=UnfoldAdminDateWidget)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, checklists: list[Checklist], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        self.sections: list[tuple[Checklist, list[str]]] = []
        for checklist in checklists:
            names = []
            for question in checklist.questions.all():
                name = question_field(question.pk)
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{question.position}. {question}",
                    choices=[(o.pk, str(o)) for o in question.options.all()],
                    coerce=int,
                    widget=forms.RadioSelect,
                )
                names.append(name)
            self.sections.append((checklist, names))

    def answers(self) -> dict[int, int]:
        """question id → option id."""
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q") and name[1:].isdigit()
        }

    def day(self) -> dt.date:
        return self.cleaned_data["assessed_on"]
