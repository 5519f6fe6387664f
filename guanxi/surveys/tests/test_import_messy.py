"""Survey answers as other systems export them: the all-or-nothing import reports a record it
cannot read by its line and writes nothing; the dates people write are read."""

from __future__ import annotations

import datetime as dt

from guanxi.core.dates import local_midnight
from guanxi.imports.cells import ambiguous_day_sentence
from guanxi.surveys.importer import survey_answers_import
from guanxi.surveys.models import SurveyResponse

HEAD = "template,account,answered_at,nps_score,comment\n"


def _import(cast, text: str):
    return survey_answers_import(actor=cast.alice, content=text.encode(), file_name="a.csv")


def test_a_malformed_record_is_reported_by_line_and_nothing_is_written(cast, templates):
    good = f"nps,{cast.account.code},2025-03-15,9,很好\n"
    text = HEAD + good + f"nps,{cast.account.code},2025-03-15,9,很好,但是慢\n" + good
    result = _import(cast, text)
    assert (result.rows_read, result.failed, result.created) == (3, 1, 0)
    assert [(e.line, e.column) for e in result.errors] == [(3, "")]
    assert not SurveyResponse.objects.exists()


def test_chinese_dates_full_width_scores_and_the_ambiguous_order(cast, templates):
    code = cast.account.code
    text = HEAD + f"nps,{code},2025年3月15日,９,\nnps,{code},45731,10,\n"
    result = _import(cast, text)
    assert (result.created, result.failed) == (2, 0), result.errors
    answered = sorted(SurveyResponse.objects.values_list("answered_at", "nps_score"))
    assert answered == [(local_midnight(dt.date(2025, 3, 15)), 9),
                        (local_midnight(dt.date(2025, 3, 15)), 10)]  # fmt: skip
    result = _import(cast, HEAD + f"nps,{code},03-05-2025,9,\n")
    [error] = result.errors
    assert error.column == "answered_at" and error.message == ambiguous_day_sentence()
