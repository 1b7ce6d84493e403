"""course/instructor/certificates.py: certificates anyone can check, and nothing unverifiable issued."""
import csv
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from course._errors import ConfigurationError
from course._syllabus import PROJECT_ROOT, load_syllabus
from course.instructor.certificates import (
    ALPHABET,
    REGISTER_COLUMNS,
    Certificate,
    LearnerResult,
    ModuleResult,
    cpd_hours,
    create_key,
    issue_certificates,
    key_path,
    make_code,
    normalise_code,
    outcomes,
    read_register,
    verify,
)
from tests.pdf_text import pdf_text

ASSESSED = [m.id for m in load_syllabus().modules if m.assessed]
DAY = date(2025, 6, 30)


def passed(learner_id, name, registration="", score=90.0):
    return LearnerResult(learner_id, name, registration, tuple(ModuleResult(m, score, True) for m in ASSESSED))


def failed_one(learner_id, name, module="03"):
    return LearnerResult(learner_id, name, "", tuple(ModuleResult(m, 90.0 if m != module else 50.0, m != module)
                                                     for m in ASSESSED))


COHORT = [passed("alex", "Dr Alex Morgan", "GMC 7654321", 92.5), failed_one("sam", "Sam Lee"),
          passed("zoe", "Zoë Ó Súilleabháin")]


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "certificate.key"
    monkeypatch.setenv("EXOCOURSE_CERTIFICATE_KEY", str(path))
    monkeypatch.setenv("EXOCOURSE_PDF_FONT", "core")
    return path


@pytest.fixture
def course_dir(tmp_path):
    return tmp_path / "grading"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- issuing
def test_only_learners_who_passed_every_assessment_get_a_certificate_and_a_register_line(course_dir, key_file):
    report = issue_certificates(course_dir, COHORT, issued_on=DAY)
    assert [c.learner_id for c in report.issued] == ["alex", "zoe"]
    assert report.not_eligible == [("sam", "not yet passed: module 03")]
    rows = list(csv.DictReader((course_dir / "certificates" / "register.csv").open(encoding="utf-8")))
    assert [r["learner_id"] for r in rows] == ["alex", "zoe"] and tuple(rows[0]) == REGISTER_COLUMNS
    assert sorted(p.name for p in (course_dir / "certificates").glob("*.pdf")) == ["alex.pdf", "zoe.pdf"]


def test_a_certificate_carries_every_field_the_cpd_record_asks_for(course_dir, key_file):
    certificate = issue_certificates(course_dir, COHORT, issued_on=DAY).issued[0]
    info = load_syllabus().course
    text = pdf_text(course_dir / "certificates" / "alex.pdf")
    assert "Dr Alex Morgan" in text and "Professional registration number: GMC 7654321" in text
    assert info.title in text and f"Course version: {info.version}" in text
    for module in ASSESSED:
        assert f"Module {module}: {load_syllabus().module(module).title} (92.5 %)" in text
    assert "Overall score: 92.5 %" in text
    assert f"CPD time: 3.25 hours ({info.cpd_type})" in text  # 205 minutes, in quarter hours
    assert "Date: 2025-06-30" in text and f"Provider: {info.provider}" in text
    assert f"Content reviewed: {info.content_review_date}" in text
    assert all(line.split(" ", 1)[0] in text for line in outcomes())  # the learning outcomes
    assert f"Certificate code: {certificate.code}" in text and f"exocourse verify {certificate.code}" in text


def test_cpd_hours_are_quarter_hours_rounded_down():
    assert [cpd_hours(m) for m in (14, 15, 205, 239, 240)] == [0.0, 0.25, 3.25, 3.75, 4.0]
    assert cpd_hours(sum(m.minutes for m in load_syllabus().modules)) == 3.25


def test_running_again_issues_no_duplicate_and_restores_a_lost_pdf_with_the_same_code(course_dir, key_file):
    first = issue_certificates(course_dir, COHORT, issued_on=DAY)
    (course_dir / "certificates" / "alex.pdf").unlink()
    again = issue_certificates(course_dir, COHORT, issued_on=date(2025, 7, 1))
    assert again.issued == [] and [c.code for c in again.already_issued] == [c.code for c in first.issued]
    assert len(read_register(course_dir)) == 2
    assert first.issued[0].code in pdf_text(course_dir / "certificates" / "alex.pdf")


def test_a_learner_who_passes_later_is_added_without_touching_earlier_lines(course_dir, key_file):
    issue_certificates(course_dir, COHORT, issued_on=DAY)
    before = (course_dir / "certificates" / "register.csv").read_text(encoding="utf-8")
    report = issue_certificates(course_dir, [passed("sam", "Sam Lee")], issued_on=date(2025, 8, 1))
    after = (course_dir / "certificates" / "register.csv").read_text(encoding="utf-8")
    assert [c.learner_id for c in report.issued] == ["sam"] and after.startswith(before)


def test_a_learner_without_a_name_is_not_issued_a_certificate(course_dir, key_file):
    report = issue_certificates(course_dir, [passed("anon", "  ")], issued_on=DAY)
    assert report.issued == [] and "no name" in report.not_eligible[0][1]


# ---------------------------------------------------------------- the key
def test_the_key_is_created_on_first_use_outside_the_repository_with_mode_0600(course_dir, key_file):
    assert not key_file.exists()
    issue_certificates(course_dir, COHORT, issued_on=DAY)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    secret = [line for line in key_file.read_text().splitlines() if not line.startswith("#")][0]
    assert len(secret) == 64
    for produced in (course_dir / "certificates").iterdir():  # the key is in nothing that is handed out
        assert secret.encode() not in produced.read_bytes()


def test_the_key_location_is_configurable_and_the_option_beats_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("EXOCOURSE_CERTIFICATE_KEY", raising=False)
    assert key_path() == Path("~/.config/exosome-reality-check/certificate.key").expanduser()
    monkeypatch.setenv("EXOCOURSE_CERTIFICATE_KEY", str(tmp_path / "env.key"))
    assert key_path() == tmp_path / "env.key"
    assert key_path(tmp_path / "option.key") == tmp_path / "option.key"


def test_a_key_inside_the_repository_is_refused(course_dir, monkeypatch):
    inside = PROJECT_ROOT / "grading" / "certificate.key"
    with pytest.raises(ConfigurationError, match="inside the course repository"):
        issue_certificates(course_dir, COHORT, key_file=inside)
    assert not inside.exists()


@pytest.mark.parametrize("content", ["", "not a key\n", "ab" * 31 + "\n", "ab" * 32 + "\n" + "cd" * 32 + "\n"])
def test_a_damaged_key_stops_issuing_with_the_fix_and_changes_nothing(course_dir, key_file, content):
    issue_certificates(course_dir, COHORT[:1], issued_on=DAY)
    key_file.write_text(content)
    before = snapshot(course_dir)
    with pytest.raises(ConfigurationError, match="is damaged: it should hold one line of 64 hexadecimal.*backup"):
        issue_certificates(course_dir, COHORT, issued_on=DAY)
    assert snapshot(course_dir) == before


def test_a_missing_key_with_certificates_already_issued_stops_issuing_and_makes_no_new_key(course_dir, key_file):
    issue_certificates(course_dir, COHORT[:1], issued_on=DAY)
    key_file.unlink()
    before = snapshot(course_dir)
    with pytest.raises(ConfigurationError, match="does not exist, but the register lists 1 certificate"):
        issue_certificates(course_dir, COHORT, issued_on=DAY)
    assert not key_file.exists() and snapshot(course_dir) == before


def test_a_different_key_is_refused_rather_than_mixing_keys_in_one_register(course_dir, key_file, tmp_path):
    issue_certificates(course_dir, COHORT[:1], issued_on=DAY)
    create_key(tmp_path / "other.key")
    with pytest.raises(ConfigurationError, match="not the key that signed"):
        issue_certificates(course_dir, COHORT, key_file=tmp_path / "other.key", issued_on=DAY)
    assert len(read_register(course_dir)) == 1


# ---------------------------------------------------------------- the register
@pytest.mark.parametrize("damage, message", [
    (lambda text: "", "first line should be the column names"),
    (lambda text: text.replace("code,issued", "kode,issued"), "first line should be the column names"),
    (lambda text: text + "ERC-AAAAA,2025-01-01\n", "line 3: it has 2 fields"),
    (lambda text: text + text.splitlines()[1] + "\n", "line 3: the code .* appears twice"),
    (lambda text: text.replace("ERC-", "XYZ-"), "line 2: 'XYZ-.*' is not a certificate code"),
])
def test_a_damaged_register_stops_issuing_with_the_line_and_the_fix(course_dir, key_file, damage, message):
    issue_certificates(course_dir, COHORT[:1], issued_on=DAY)
    register = course_dir / "certificates" / "register.csv"
    register.write_text(damage(register.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(course_dir)
    with pytest.raises(ConfigurationError, match=message) as error:
        issue_certificates(course_dir, COHORT, issued_on=DAY)
    assert "Restore it from your backup" in str(error.value)
    assert snapshot(course_dir) == before


def test_a_missing_register_beside_issued_pdfs_stops_issuing(course_dir, key_file):
    issue_certificates(course_dir, COHORT[:1], issued_on=DAY)
    (course_dir / "certificates" / "register.csv").unlink()
    with pytest.raises(ConfigurationError, match="register .* is missing, but 1 certificate PDF"):
        issue_certificates(course_dir, COHORT, issued_on=DAY)
    assert not (course_dir / "certificates" / "register.csv").exists()


# ---------------------------------------------------------------- verifying
def test_a_genuine_code_verifies_with_its_details_however_it_is_typed(course_dir, key_file):
    code = issue_certificates(course_dir, COHORT, issued_on=DAY).issued[1].code
    for typed in (code, code.lower(), code.replace("-", " "), f"  {code.replace('-', '')}  "):
        result = verify(typed, course_dir)
        assert result.genuine and result.certificate.code == code
    details = verify(code, course_dir).describe()
    assert details.startswith(f"GENUINE: certificate {code}")
    assert "Zoë Ó Súilleabháin" in details and "CPD time:            3.25 hours" in details
    assert "Module 05" in details and "Date issued:         2025-06-30" in details


def test_a_retyped_code_with_o_for_zero_and_l_for_one_still_verifies(course_dir, key_file):
    code = issue_certificates(course_dir, COHORT, issued_on=DAY).issued[0].code
    assert verify(code.replace("0", "O").replace("1", "l"), course_dir).genuine


def test_any_single_altered_character_is_caught_by_the_check_character(course_dir, key_file):
    code = issue_certificates(course_dir, COHORT, issued_on=DAY).issued[0].code
    position = 6  # the first character of the code proper
    for substitute in ALPHABET.replace(code[position], ""):  # every substitute, 0 <-> Z included
        altered = code[:position] + substitute + code[position + 1:]
        result = verify(altered, course_dir)
        assert not result.genuine and "altered or mistyped" in result.reason, altered


def test_the_check_character_catches_every_substitution_and_every_neighbour_swap():
    import random

    from course.instructor.certificates import _check_character

    rng = random.Random(2026)
    for _ in range(300):
        body = "".join(rng.choice(ALPHABET) for _ in range(20))
        check = _check_character(body)
        for i in range(20):
            for substitute in ALPHABET.replace(body[i], ""):
                assert _check_character(body[:i] + substitute + body[i + 1:]) != check
            if i < 19 and body[i] != body[i + 1]:
                assert _check_character(body[:i] + body[i + 1] + body[i] + body[i + 2:]) != check


def test_a_well_formed_code_that_was_never_issued_is_unknown(course_dir, key_file):
    issue_certificates(course_dir, COHORT, issued_on=DAY)
    forged = make_code({"name": "Someone Else"}, b"a guessed key")
    result = verify(forged, course_dir)
    assert not result.genuine and "no certificate with this code is in this course's register" in result.reason


@pytest.mark.parametrize("typed", ["", "hello", "ERC-1234", "ERC-UUUUU-UUUUU-UUUUU-UUUUU-U"])
def test_a_malformed_code_says_what_a_code_looks_like(course_dir, key_file, typed):
    result = verify(typed, course_dir)
    assert not result.genuine and "ERC-XXXXX-XXXXX-XXXXX-XXXXX-X" in result.reason


@pytest.mark.parametrize("column, value", [("name", "Dr Alexandra Morgan"), ("score", "99.0"),
                                           ("issued", "2024-01-01"), ("cpd_hours", "40"),
                                           ("modules", "01=100.0")])
def test_an_edited_register_line_no_longer_verifies(course_dir, key_file, column, value):
    code = issue_certificates(course_dir, COHORT, issued_on=DAY).issued[0].code
    register = course_dir / "certificates" / "register.csv"
    rows = list(csv.DictReader(register.open(encoding="utf-8")))
    rows[0][column] = value
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = verify(code, course_dir)
    assert not result.genuine and "has been altered since it was issued" in result.reason


def test_verifying_without_a_register_or_with_a_damaged_key_is_a_configuration_error(course_dir, key_file):
    with pytest.raises(ConfigurationError, match="no certificate register"):
        verify(make_code({}, b"k"), course_dir)
    code = issue_certificates(course_dir, COHORT, issued_on=DAY).issued[0].code
    key_file.write_text("garbage")
    with pytest.raises(ConfigurationError, match="is damaged"):
        verify(code, course_dir)


def test_every_signed_field_changes_the_code():
    base = Certificate(*(["ERC"] + [f"value {i}" for i in range(len(REGISTER_COLUMNS) - 1)]))
    key = b"k" * 32
    codes = {make_code(base.signed_fields(), key)}
    for column in REGISTER_COLUMNS[1:]:
        changed = Certificate(**(base.row() | {column: getattr(base, column) + "!"}))
        codes.add(make_code(changed.signed_fields(), key))
    assert len(codes) == len(REGISTER_COLUMNS)
    assert all(normalise_code(code) == code for code in codes)


def test_a_learner_whose_reflection_is_still_to_be_marked_waits_for_the_marking(course_dir, key_file):
    waiting = LearnerResult("kim", "Kim Park", "", passed("kim", "Kim Park").modules, unmarked=("04",))
    report = issue_certificates(course_dir, [waiting], issued_on=DAY)
    assert report.issued == [] and report.not_eligible == [("kim", "reflection still to be marked: module 04")]


# ---------------------------------------------------------------- the real command on a graded course
@pytest.fixture
def graded(tmp_path, key_file):
    from tests.graded_course import STRONG, WEAK, graded_course

    course = graded_course(tmp_path / "graded")
    (course.root / "learners.csv").write_text(
        f"learner,name,registration\n{STRONG},Ada Lovelace,GMC 1815\n{WEAK},Bob Weak,\n", encoding="utf-8")
    return course


def exocourse(course, *args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "course.cli", "--course-dir", str(course.root),
                           "--db-url", course.db_url, *args], capture_output=True, text=True, env=os.environ.copy())


@pytest.mark.slow
def test_exocourse_certificates_issues_from_the_gradebook_once_and_never_prints_the_key(graded, key_file):
    first = exocourse(graded, "certificates")
    assert first.returncode == 0, first.stderr
    assert "issued    ada-lovelace: ERC-" in first.stdout
    assert "not yet   bob-weak: not yet passed: module 01, 02, 03, 04, 05" in first.stdout
    secret = [line for line in key_file.read_text().splitlines() if not line.startswith("#")][0]
    assert secret not in first.stdout + first.stderr
    text = pdf_text(graded.root / "certificates" / "ada-lovelace.pdf")
    assert "Ada Lovelace" in text and "GMC 1815" in text and "Overall score: 100.0 %" in text
    assert "CPD time: 3.25 hours (individual learning)" in text

    again = exocourse(graded, "certificates")
    assert again.returncode == 0 and "held      ada-lovelace: already has ERC-" in again.stdout
    assert "0 issued, 1 already held" in again.stdout
    assert len(read_register(graded.root)) == 1


@pytest.mark.slow
def test_exocourse_verify_exits_0_for_a_genuine_code_and_1_with_the_reason_otherwise(graded):
    exocourse(graded, "certificates")
    code = read_register(graded.root)[0].code
    genuine = exocourse(graded, "verify", code)
    assert genuine.returncode == 0 and genuine.stdout.startswith(f"GENUINE: certificate {code}")
    assert "Learner:             Ada Lovelace" in genuine.stdout
    altered = code[:-3] + ("0" if code[-3] != "0" else "2") + code[-2:]  # the last character before the check
    for bad, reason in ((altered, "altered or mistyped"), ("ERC-12", "not a well-formed"),
                        (make_code({"x": "y"}, b"other"), "no certificate with this code")):
        run = exocourse(graded, "verify", bad)
        assert run.returncode == 1 and "NOT VERIFIED" in run.stdout and reason in run.stdout


@pytest.mark.slow
def test_exocourse_certificates_with_a_missing_key_says_how_to_fix_it_and_issues_nothing(graded, key_file):
    exocourse(graded, "certificates")
    key_file.rename(key_file.with_suffix(".moved"))
    (graded.root / "certificates" / "ada-lovelace.pdf").unlink()
    run = exocourse(graded, "certificates")
    assert run.returncode == 2 and "does not exist, but the register lists 1" in run.stderr
    assert "--key-file" in run.stderr and "Traceback" not in run.stderr
    assert not key_file.exists() and not (graded.root / "certificates" / "ada-lovelace.pdf").exists()


@pytest.mark.slow
def test_exocourse_with_a_missing_register_says_how_to_fix_it_and_issues_nothing(graded):
    exocourse(graded, "certificates")
    (graded.root / "certificates" / "register.csv").unlink()
    run = exocourse(graded, "certificates")
    assert run.returncode == 2 and "is missing, but 1 certificate PDF" in run.stderr and "backup" in run.stderr
    assert not (graded.root / "certificates" / "register.csv").exists()
    code = make_code({"x": "y"}, b"k")
    verified = exocourse(graded, "verify", code)
    assert verified.returncode == 2 and "There is no certificate register" in verified.stderr


@pytest.mark.slow
def test_without_a_roster_a_learner_without_a_name_is_not_issued_a_certificate(graded):
    (graded.root / "learners.csv").unlink()
    run = exocourse(graded, "certificates")
    assert run.returncode == 0 and "not yet   ada-lovelace: no name: add the learner to learners.csv" in run.stdout
    assert read_register(graded.root) == []
