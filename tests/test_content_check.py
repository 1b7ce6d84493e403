"""The item-quality check (course/instructor/content_check.py, `exocourse check-content`).

The shipped banks and assessments pass it; each fault the check exists for, planted in a
copy of the real content, is found and named with its file, item and fix.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from course.cli import main
from course.instructor import content_check as cc

BANKS = cc.default_banks_dir()
ASSESSMENTS = cc.default_assessments_dir()
needs_assessments = pytest.mark.skipif(ASSESSMENTS is None, reason="grading/assessments is not in this checkout")


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    banks = tmp_path / "questions"
    shutil.copytree(BANKS, banks)
    assessments = tmp_path / "assessments"
    if ASSESSMENTS is not None:
        shutil.copytree(ASSESSMENTS, assessments)
    else:
        assessments.mkdir()
    return banks, assessments


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _save(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _checks(report: cc.ContentReport, check: str) -> list[cc.Finding]:
    return [f for f in report.findings if f.check == check]


# ---------------------------------------------------------------- the shipped content passes

@needs_assessments
def test_the_shipped_banks_and_assessments_pass_every_check() -> None:
    report = cc.check_content(BANKS, ASSESSMENTS)
    assert report.formative and report.summative
    assert report.ok, "\n".join(str(f) for f in report.findings)


@needs_assessments
def test_exocourse_check_content_exits_0_and_says_what_it_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content"]) == 0
    out = capsys.readouterr().out
    assert "self-check questions" in out and "graded items" in out and "no findings" in out


def test_the_shipped_banks_pass_every_check_of_their_own() -> None:
    report = cc.check_content(BANKS, None)
    assert report.formative
    assert report.ok, "\n".join(str(f) for f in report.findings)


# ---------------------------------------------------------------- planted faults are found

def test_a_planted_position_cue_is_found_naming_the_bank_and_the_fix(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    path = banks / "02_quality_and_contamination.yml"
    data = _load(path)
    for question in data["questions"]:
        if question["type"] == "single":      # move every key to the first position
            question["options"].sort(key=lambda o: not o.get("correct", False))
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "position")
    assert any(f.file == "questions/02_quality_and_contamination.yml" and "is A (position 1)" in f.problem
               for f in findings), findings
    assert all("reorder options" in f.fix or "interleave" in f.fix for f in findings)


def test_select_all_keys_that_always_come_first_are_found(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    path = banks / "01_exosome_biology.yml"
    data = _load(path)
    for question in data["questions"]:
        if question["type"] == "multiple":
            question["options"].sort(key=lambda o: not o.get("correct", False))
    _save(path, data)
    problems = [f.problem for f in _checks(cc.check_content(banks, assessments), "position")
                if f.file == "questions/01_exosome_biology.yml"]
    assert any("come before every wrong option" in p for p in problems), problems
    assert any("start at the first option" in p for p in problems)


def test_a_key_that_is_much_the_longest_is_found() -> None:
    item = cc.Item(file="questions/x.yml", label="question 'q'", module="01", objective="1.1", kind="single",
                   stem="Which?", options=(cc.Option("No.", False), cc.Option("Never.", False),
                                           cc.Option("Yes, because of three detailed, qualified reasons.", True)))
    findings = cc.check_lengths([item])
    assert findings and findings[0].item == "question 'q'" and "longest distractor" in findings[0].problem


@needs_assessments
def test_a_graded_item_that_repeats_a_self_check_is_found(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    bank = _load(banks / "03_regulation_and_warnings.yml")
    copied = next(q for q in bank["questions"] if q["type"] == "single")
    path = assessments / "03_regulation_and_warnings.yml"
    data = _load(path)
    data["items"][0] = {"id": "copied", "objective": copied["objective"], "kind": "letter",
                        "prompt": copied["prompt"], "example": "A", "points": 1,
                        "options": [{"text": o["text"], **({"correct": True} if o.get("correct") else {})}
                                    for o in copied["options"]]}
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "overlap")
    assert any(f.file == "assessments/03_regulation_and_warnings.yml" and f.item == "item 1 'copied'"
               and copied["id"] in f.problem for f in findings), findings


@needs_assessments
def test_a_graded_option_copied_from_a_self_check_is_found(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    bank = _load(banks / "04_case_studies.yml")
    source = next(o for q in bank["questions"] for o in q.get("options", []) if len(o["text"].split()) > 10)
    path = assessments / "04_case_studies.yml"
    data = _load(path)
    choice = next(i for i in data["items"] if i.get("options"))
    choice["options"][-1]["text"] = source["text"]
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "overlap")
    assert any(f.file == "assessments/04_case_studies.yml" and "copies self-check" in f.problem for f in findings)


@needs_assessments
def test_a_two_option_item_is_found(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    path = assessments / "02_quality_and_contamination.yml"
    data = _load(path)
    choice = next(i for i in data["items"] if i.get("options"))
    keyed = [o for o in choice["options"] if o.get("correct")][:1]
    choice["options"] = keyed + [o for o in choice["options"] if not o.get("correct")][:1]
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "options")
    assert [(f.file, f.problem) for f in findings] == [("assessments/02_quality_and_contamination.yml",
                                                        "has 2 options")]


def test_a_two_option_self_check_is_refused_by_the_bank_format(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    path = banks / "01_exosome_biology.yml"
    data = _load(path)
    single = next(q for q in data["questions"] if q["type"] == "single")
    single["options"] = [o for o in single["options"] if o.get("correct")] + \
        [o for o in single["options"] if not o.get("correct")][:1]
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "format")
    assert any(f.file == "questions/01_exosome_biology.yml" and "has 2 options" in f.problem for f in findings)


def test_an_unvetted_citation_key_is_found(tmp_path: Path) -> None:
    item = cc.Item(file="assessments/01.yml", label="item 1 'x'", module="01", objective="1.1", kind="single",
                   stem="Which? [@smith2099]", options=(), cite_keys=("misev2018", "smith2099"), summative=True)
    findings = cc.check_citations([item])
    assert [f.problem for f in findings] == ["cites `smith2099`, which is not a vetted reference"]


@needs_assessments
def test_an_unvetted_key_in_an_assessment_prompt_is_found(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    path = assessments / "05_duty_of_care.yml"
    data = _load(path)
    data["items"][0]["prompt"] += " [@smith2099]"
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "citation")
    assert [(f.file, f.item) for f in findings] == [("assessments/05_duty_of_care.yml",
                                                     f"item 1 {data['items'][0]['id']!r}")]


def test_a_numeric_example_that_is_the_answer_is_found() -> None:
    item = cc.Item(file="questions/04.yml", label="question 'onset'", module="04", objective="4.1",
                   kind="numeric", stem="How many months?", answer=3.0, tolerance=0.5, example="3")
    findings = cc.check_keys([item])
    assert findings and "would be marked correct" in findings[0].problem


@pytest.mark.parametrize("kind, keys, problem", [
    ("single", (True, True, False), "single-answer with 2 correct options"),
    ("multiple", (True, True, True), "every option correct"),
    ("multiple", (False, False, False), "no correct option"),
])
def test_keys_that_disagree_with_their_options_are_found(kind: str, keys: tuple[bool, ...], problem: str) -> None:
    item = cc.Item(file="f.yml", label="item 1 'x'", module="01", objective="1.1", kind=kind, stem="?",
                   options=tuple(cc.Option(f"option {n}", k) for n, k in enumerate(keys)))
    assert problem in cc.check_keys([item])[0].problem


@needs_assessments
def test_an_objective_without_a_graded_item_is_found(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    path = assessments / "04_case_studies.yml"
    data = _load(path)
    data["items"] = [i for i in data["items"] if i["objective"] != "4.2"]
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "coverage")
    assert [(f.file, f.item, f.problem) for f in findings] == [
        ("assessments/04_case_studies.yml", "objective 4.2", "has no graded item")]


def test_an_objective_without_a_self_check_is_found(tmp_path: Path) -> None:
    banks, assessments = _copy(tmp_path)
    path = banks / "05_duty_of_care.yml"
    data = _load(path)
    data["questions"] = [q for q in data["questions"] if q["objective"] != "5.3"]
    _save(path, data)
    findings = _checks(cc.check_content(banks, assessments), "coverage")
    assert ("questions/05_duty_of_care.yml", "objective 5.3", "has no self-check question") in \
        [(f.file, f.item, f.problem) for f in findings]


def test_exocourse_check_content_exits_1_and_prints_each_finding(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    banks, assessments = _copy(tmp_path)
    path = banks / "03_regulation_and_warnings.yml"
    data = _load(path)
    data["questions"][0]["options"][0]["cite"] = ["smith2099"]
    _save(path, data)
    assert main(["check-content", "--banks", str(banks), "--assessments", str(assessments)]) == 1
    out = capsys.readouterr().out
    assert "questions/03_regulation_and_warnings.yml" in out and "smith2099" in out and "Fix:" in out


# ---------------------------------------------------------------- similarity is what it claims

def test_similarity_is_one_for_the_same_words_and_low_for_different_questions() -> None:
    assert cc.similarity("How many products are approved? [@fda2019]", "how many PRODUCTS are approved") == 1.0
    assert cc.similarity("What did biopsies show?", "Which release tests are standard for a biological?") < 0.3
