"""exocourse: each command prints what it did, and exits non-zero only when it could not do its job."""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from course.cli import build_parser, main
from tests.instructor_course import make_course, snapshot
from tests.submissions import ASSESSMENT, correct_answers


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_lists_every_command() -> None:
    result = subprocess.run([sys.executable, "-m", "course.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("release", "intake", "autograde", "feedback", "report", "demo", "--course-dir"):
        assert command in result.stdout


def test_commands_are_registered_one_small_function_each() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"release", "intake", "autograde", "feedback", "report", "demo"}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_and_every_argument_says_what_it_is_for() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    described = {action.dest: action.help for action in sub._choices_actions}
    for name, command in subcommands().items():
        assert described.get(name), f"`exocourse --help` lists {name!r} without saying what it does"
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, f"exocourse {name}: {action.dest} has no help"


def test_autograde_and_forget_explain_their_arguments() -> None:
    autograde = subcommands()["autograde"].format_help()
    assert "01_exosome_biology" in autograde and "module number" in autograde
    forget = " ".join(subcommands()["forget"].format_help().split())
    for part in ("gradebook", "submitted/", "learner-ids.json", "named after them", "register"):
        assert part in forget


@pytest.mark.parametrize("argv", [
    ["--course-dir", "{dir}", "--db-url", "{url}", "report"],
    ["report", "--course-dir", "{dir}", "--db-url", "{url}"],
    ["--course-dir", "/nowhere", "report", "--course-dir", "{dir}", "--db-url", "{url}"],   # after wins
])
def test_course_dir_and_db_url_work_before_or_after_the_command(argv: list[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    args = build_parser().parse_args([a.format(dir=tmp_path, url=url) for a in argv])
    assert args.course_dir == tmp_path and args.db_url == url


def test_the_default_course_dir_stays_when_the_option_is_not_given() -> None:
    args = build_parser().parse_args(["report"])
    assert args.course_dir == Path("grading") and args.db_url is None


def test_a_missing_course_directory_is_one_line_not_a_traceback(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    code, out, err = run(capsys, "--course-dir", str(tmp_path / "nope"), "release")
    assert code == 2 and "does not exist" in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_steps_out_of_order_say_what_to_run_first(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    course = make_course(tmp_path / "course")
    code, _, err = run(capsys, "--course-dir", str(course.root), "autograde", "01")
    assert code == 2 and "exocourse intake" in err
    code, _, err = run(capsys, "--course-dir", str(course.root), "feedback", "01")
    assert code == 2 and "exocourse release" in err
    code, _, err = run(capsys, "--course-dir", str(course.root), "autograde", "01", "--workers", "0")
    assert code == 2 and "--workers" in err


@pytest.mark.slow
def test_release_intake_autograde_feedback_report_through_the_command(capsys: pytest.CaptureFixture[str],
                                                                        tmp_path: Path) -> None:
    from course.instructor.assessments import load_assessment, read_notebook_json
    from course.instructor.demo import fill_answers

    course = make_course(tmp_path / "course")
    base = ["--course-dir", str(course.root)]
    code, out, _ = run(capsys, *base, "release", "01")
    items = len(load_assessment(course.source_notebook(ASSESSMENT)).items)   # one mark each
    assert code == 0 and out.startswith(f"released  {ASSESSMENT}: {items} autograded items")

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assessment = load_assessment(course.source_notebook(ASSESSMENT))
    release_nb = read_notebook_json(course.release_notebook(ASSESSMENT))
    (inbox / "Ann Lee.ipynb").write_text(json.dumps(fill_answers(release_nb, assessment, correct_answers(course))))
    (inbox / "bo.ipynb").write_text(json.dumps(fill_answers(release_nb, assessment, {})))
    (inbox / "broken.ipynb").write_text("{")
    before = snapshot(inbox)
    code, out, _ = run(capsys, *base, "intake", str(inbox), "--assessment", "01")
    assert code == 0
    assert "accepted  Ann Lee.ipynb → learner Ann Lee → Ann_Lee" in out
    assert "rejected  broken.ipynb: the file is damaged" in out
    summary, note = out.strip().splitlines()[-2:]
    assert summary.endswith("2 accepted, 0 repaired, 1 rejected")
    assert note.strip().startswith("no due date is set for 01_")     # what the late flags rest on
    assert snapshot(inbox) == before

    code, out, err = run(capsys, *base, "autograde", "01", "--workers", "2")
    assert code == 0
    assert f"graded    Ann_Lee: {items}/{items}" in out and f"graded    bo: 0/{items}" in out
    assert "[##############################] 2/2 learners" in err           # the progress bar

    code, out, _ = run(capsys, *base, "feedback", "01")
    assert code == 0 and "2 pages, 0 failed" in out
    code, out, _ = run(capsys, *base, "report")
    assert code == 0 and "2 learners" in out
    rows = list(csv.DictReader((course.reports_dir / "grades.csv").open(encoding="utf-8")))
    assert [r["learner"] for r in rows] == ["Ann_Lee", "bo"]


@pytest.mark.slow
def test_demo_takes_a_cohort_of_thirty_from_release_to_report(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    from tests.conftest import ROOT

    output = tmp_path / "demo"
    grading_before = snapshot(ROOT / "grading")
    code, out, _ = run(capsys, "--course-dir", str(ROOT / "grading"), "demo", "--assessment", "01",
                       "--output", str(output), "--workers", "2")
    assert code == 0
    for step in ("release", "intake", "autograde", "marking", "feedback", "report"):
        assert any(line.startswith(step) for line in out.splitlines()), step
    assert "30 filed, 3 rejected" in out
    rows = list(csv.DictReader((output / "reports" / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == 30
    passed = [r for r in rows if r[f"{ASSESSMENT} passed"] == "yes"]
    assert 0 < len(passed) < 30                                  # some strong, some weak
    assert all(r["CPD minutes"] == "40" for r in passed)
    assert all(r[f"{ASSESSMENT} reflection"] != "to mark" for r in rows)   # reflections marked
    assert (output / "reports" / "items.html").exists()
    assert len(list((output / "feedback").glob(f"*/{ASSESSMENT}/assessment.html"))) == 30
    # The real grading folder was only read: the demo wrote nothing there.
    assert snapshot(ROOT / "grading") == grading_before


# ---------------------------------------------------------------- the instructor's guide
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "instructors.md"


def guide_commands() -> list[str]:
    """Every command line in the guide's bash blocks."""
    import re

    blocks = re.findall(r"```bash\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_the_guide_starts_with_the_instructors_entry_point() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    first_section = text.split("\n## ", 2)[1]
    assert first_section.startswith("Your entry point: `make instructor`")
    makefile = (GUIDE.parent.parent / "Makefile").read_text(encoding="utf-8")
    assert "\ninstructor:" in makefile


def test_every_command_in_the_guide_works_as_written_from_a_fresh_clone() -> None:
    import shlex

    commands = guide_commands()
    assert len(commands) > 15
    for line in commands:
        words = shlex.split(line)
        tool = words[0]
        # a fresh clone has no activated environment: the guide names the tools by their path
        assert tool in ("make", "cd", "export") or tool.startswith((".venv/bin/", "../.venv/bin/")), line
        if tool.endswith("/exocourse"):
            try:
                build_parser().parse_args(words[1:])
            except SystemExit:
                pytest.fail(f"the guide's command does not parse: {line}")
        if tool == "make":
            makefile = (GUIDE.parent.parent / "Makefile").read_text(encoding="utf-8")
            assert f"\n{words[1]}:" in makefile, line
