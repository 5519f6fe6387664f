"""Importing survey answers from CSV: all or nothing with a line-numbered report, SERVQUAL
columns, skipping answers already on file, the access rule, and the CLI."""

from __future__ import annotations

from guanxi.activities.models import Task
from guanxi.cli import main
from guanxi.surveys.importer import survey_answers_import
from guanxi.surveys.models import SurveyResponse

HEAD = "template,account,contact,answered_at,nps_score,csat_score,comment,external_id\n"


def run(cast, text: str, **options):
    return survey_answers_import(
        actor=cast.alice, content=text.encode(), file_name="answers.csv", **options
    )


def test_good_rows_are_written_and_a_second_load_adds_nothing(cast, templates, contact):
    text = (
        HEAD
        + f"nps,{cast.account.code},{contact.code},2025-03-15,9,,很好,WJ-1\n"
        + f"csat,{cast.account.code},,2025-03-16 14:30,,4,,WJ-2\n"
        + f"NPS,{cast.account.code},,2025/04/01,3,,太慢,WJ-3\n"
    )
    result = run(cast, text)
    assert (result.rows_read, result.created, result.failed, result.fatal) == (3, 3, 0, "")
    rows = SurveyResponse.objects.order_by("answered_at")
    assert [(r.template.code, r.nps_score, r.csat_score) for r in rows] == [
        ("nps", 9, None),
        ("csat", None, 4),
        ("nps", 3, None),
    ]
    assert rows[0].contact == contact and rows[0].invitation is None
    assert not Task.objects.exists()  # an old detractor gets no recovery task
    again = run(cast, text)
    assert (again.created, again.flagged) == (0, 3)
    assert SurveyResponse.objects.count() == 3


def test_one_bad_row_writes_nothing_and_each_error_names_its_line(cast, templates):
    text = (
        HEAD
        + f"nps,{cast.account.code},,2025-03-15,9,,,\n"  # line 2: fine
        + f"nps,{cast.account.code},,2025-03-15,11,,,\n"  # line 3: out of range
        + f"nps,{cast.west_account.code},,2025-03-15,9,,,\n"  # line 4: charlie's account
        + f"poll,{cast.account.code},,2025-03-15,9,,,\n"  # line 5: unknown template
        + f"csat,{cast.account.code},,15.3.2025,,4,,\n"  # line 6: not a date
        + f"csat,{cast.account.code},X999,2025-03-15,,4,,\n"  # line 7: unknown contact
    )
    result = run(cast, text)
    assert result.failed == 5 and result.created == 0
    found = sorted((e.line, e.column) for e in result.errors)
    assert found == [
        (3, "nps_score"),
        (4, "account"),
        (5, "template"),
        (6, "answered_at"),
        (7, "contact"),
    ]
    assert not SurveyResponse.objects.exists()


def test_servqual_columns_and_a_dry_run(cast, templates):
    head = "template,account,answered_at," + ",".join(f"e{n},p{n}" for n in range(1, 23))
    cells = ",".join("6,5" for _ in range(22))
    text = f"{head}\nservqual,{cast.account.code},2025-05-01,{cells}\n"
    dry = run(cast, text, dry_run=True)
    assert (dry.created, dry.failed) == (1, 0)
    assert not SurveyResponse.objects.exists()
    assert run(cast, text).created == 1
    response = SurveyResponse.objects.get()
    assert response.item_answers.count() == 22
    assert response.servqual_gap == -1.0
    missing = f"{head}\nservqual,{cast.account.code},2025-05-01,{cells[:-4]},,\n"
    result = run(cast, missing)
    assert [(e.line, e.column) for e in result.errors] == [(2, "e22")]


def test_the_cli_imports_survey_answers(cast, templates, tmp_path, capsys):
    path = tmp_path / "answers.csv"
    path.write_text(HEAD + f"nps,{cast.account.code},,2025-03-15,10,,,\n", encoding="utf-8")
    assert main(["import", "survey-answers", str(path), "--user", "alice"]) == 0
    assert "answers written: 1" in capsys.readouterr().out
    assert SurveyResponse.objects.get().nps_score == 10
