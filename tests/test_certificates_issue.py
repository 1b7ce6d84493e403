"""course/instructor/certificates/issue.py (with eligibility, roster, register, pdf): who gets a
certificate, what it says, and nothing unverifiable or misprinted ever issued."""
import os
import stat
from pathlib import Path

import pytest

from course import _pdf
from course._errors import ConfigurationError
from course._syllabus import PROJECT_ROOT, load_syllabus
from course.instructor.certificates import (
    certificate_pdf_path,
    cpd_hours,
    issue_certificates,
    load_published,
    pdf_file_name,
    read_register,
    read_roster,
    verify_code,
)
from course.instructor.certificates.register import COLUMNS
from tests.certificate_cohort import DAY, assessed, grades, roster, snapshot
from tests.pdf_text import font_of, pdf_fonts, pdf_text


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "signing.pem"
    monkeypatch.setenv("EXOCOURSE_CERTIFICATE_KEY", str(path))
    return path


@pytest.fixture
def course_dir(tmp_path):
    return tmp_path / "grading"


COHORT = [grades("alex", 92.5), grades("sam", failed=("03",)), grades("zoe")]
NAMES = roster(alex=("Dr Alex Morgan", "GMC 7654321"), sam="Sam Lee", zoe="Zoë Ó Súilleabháin")


def issue(course_dir, learners=COHORT, names=NAMES, **options):
    return issue_certificates(course_dir, learners, names, issued_on=DAY, **options)


# ---------------------------------------------------------------- who qualifies
def test_only_learners_who_passed_every_assessment_get_a_certificate_and_a_register_line(course_dir, key_file):
    report = issue(course_dir)
    assert [e.learner_id for e in report.issued] == ["alex", "zoe"]
    assert report.not_eligible == [("sam", "not yet passed: module 03")]
    assert [e.learner_id for e in read_register(course_dir)] == ["alex", "zoe"]
    header = (course_dir / "certificates" / "register.csv").read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == COLUMNS


def test_the_pass_rule_is_the_syllabus_one(course_dir, key_file, pass_mark_60):
    report = issue(course_dir, [grades("pat", 65.0)], roster(pat="Pat Doe"))
    assert [e.learner_id for e in report.issued] == ["pat"]   # 65 % passes at a 60 % pass mark, fails at 80 %


def test_cpd_time_is_the_reports_minutes_of_the_modules_passed_in_quarter_hours_rounded_down(course_dir, key_file):
    minutes = grades("alex").cpd_minutes
    assert minutes == sum(load_syllabus().module(m).minutes for m in assessed())
    entry = issue(course_dir).issued[0]
    assert entry.credential.cpd_hours == f"{cpd_hours(minutes):g}" == "3.25"
    assert [cpd_hours(m) for m in (14, 15, 205, 239, 240)] == [0.0, 0.25, 3.25, 3.75, 4.0]


def test_a_learner_whose_reflection_is_still_to_be_marked_waits(course_dir, key_file):
    report = issue(course_dir, [grades("kim", unmarked=("04",))], roster(kim="Kim Park"))
    assert report.issued == [] and report.not_eligible == [("kim", "reflection still to be marked: module 04")]


def test_a_learner_without_a_name_anywhere_is_told_to_add_one(course_dir, key_file):
    report = issue(course_dir, [grades("anon")], roster())
    assert report.issued == [] and "no name: add the learner to learners.csv" in report.not_eligible[0][1]


def test_the_gradebooks_name_is_used_when_the_roster_has_none(course_dir, key_file):
    report = issue(course_dir, [grades("ada")], roster(), gradebook_names={"ada": "Ada Lovelace"})
    assert report.issued[0].credential.name == "Ada Lovelace"


# ---------------------------------------------------------------- the roster
def test_a_roster_line_with_a_carriage_return_or_control_character_stops_only_that_learner(course_dir, key_file,
                                                                                          tmp_path):
    path = tmp_path / "learners.csv"
    path.write_bytes('learner,name,registration\r\nann,"Ann\rBob",\r\nbea,Bea\x07Smith,\r\n'
                     'cat,Cat Jones,NMC 1\r\ndan,Dan\u202eEvil,\r\n'.encode())
    names = read_roster(path)
    assert names.problems["ann"] == ("learners.csv, line 2: the name contains a carriage return, which cannot be "
                                     "printed or signed: retype it on one line")
    assert "line 3: the name contains the control character U+0007" in names.problems["bea"]
    assert "line 5: the name contains the invisible direction control U+202E" in names.problems["dan"]
    report = issue(course_dir, [grades(x) for x in ("ann", "bea", "cat", "dan")], names)
    assert [e.learner_id for e in report.issued] == ["cat"]
    assert dict(report.not_eligible)["ann"].startswith("learners.csv, line 2: the name contains a carriage return")
    for entry in read_register(course_dir):                      # the register reads back whole
        assert "\r" not in entry.credential.name


def test_a_bare_carriage_return_outside_quotes_does_not_shift_the_next_lines(tmp_path):
    path = tmp_path / "learners.csv"
    path.write_bytes(b"learner,name,registration\nann,Ann\rBob,\ncat,Cat Jones,NMC 1\n")
    names = read_roster(path)
    assert "carriage return" in names.problems["ann"] and names.entries["cat"].name == "Cat Jones"


def test_a_learner_listed_twice_is_refused_rather_than_guessed(tmp_path):
    path = tmp_path / "learners.csv"
    path.write_text("learner,name\nann,Ann One\nann,Ann Two\n", encoding="utf-8")
    assert "listed twice" in read_roster(path).problems["ann"] and "ann" not in read_roster(path).entries


def test_a_roster_without_the_needed_columns_is_a_configuration_error_with_the_fix(tmp_path):
    path = tmp_path / "learners.csv"
    path.write_text("id,fullname\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="learner, name are missing.*learner,name"):
        read_roster(path)


def test_names_are_signed_in_one_unicode_spelling(course_dir, key_file):
    decomposed = "Zoe\u0308"                                # "Zoë" typed with a combining diaeresis
    entry = issue(course_dir, [grades("zoe")], roster(zoe=decomposed)).issued[0]
    assert entry.credential.name == "Zoë"


# ---------------------------------------------------------------- the PDF
def test_a_certificate_carries_every_field_the_cpd_record_asks_for_and_its_code(course_dir, key_file):
    entry = issue(course_dir).issued[0]
    info = load_syllabus().course
    text = pdf_text(certificate_pdf_path(course_dir, "alex"))
    assert "Dr Alex Morgan" in text and "Professional registration number: GMC 7654321" in text
    assert info.title in text and f"Course version: {info.version}" in text
    for module in assessed():
        assert f"Module {module}: {load_syllabus().module(module).title} (92.5 %)" in text
    assert "Overall score: 92.5 %" in text and f"CPD time: 3.25 hours ({info.cpd_type})" in text
    assert "Date: 2026-12-01" in text and f"Provider: {info.provider}" in text
    assert f"Certificate number: {entry.credential.certificate_id}" in text
    from course.instructor.certificates import printed_lines
    assert " ".join(printed_lines(entry.code)) in text


@pytest.mark.skipif(not Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists(),
                    reason="Debian's fonts-noto-cjk is not installed (make test installs it as root)")
def test_cjk_accented_and_emoji_names_print_in_fonts_that_have_them(course_dir, key_file):
    people = roster(li="李小龙", kim="김민준", zoe="Zoë Ó Súilleabháin", joy="Joy 🧬 Smith")
    report = issue(course_dir, [grades(x) for x in ("li", "kim", "zoe", "joy")], people)
    assert len(report.issued) == 4, report.not_eligible
    li = certificate_pdf_path(course_dir, "li")
    assert "李小龙" in pdf_text(li) and font_of(li, "李小龙") == {"MPDFAA+NotoSansCJKSCBold"}
    kim = certificate_pdf_path(course_dir, "kim")
    assert "김민준" in pdf_text(kim) and font_of(kim, "김민준") == {"MPDFAA+NotoSansCJKKRBold"}
    zoe = certificate_pdf_path(course_dir, "zoe")
    assert "Zoë Ó Súilleabháin" in pdf_text(zoe) and not any("CJK" in f for f in pdf_fonts(zoe))
    joy = certificate_pdf_path(course_dir, "joy")
    assert "Joy 🧬 Smith" in pdf_text(joy) and font_of(joy, "🧬") == {"Type3"}     # Noto Color Emoji


def test_a_name_no_installed_font_can_print_is_refused_with_the_package_to_install(course_dir, key_file, monkeypatch,
                                                                                   tmp_path):
    monkeypatch.setattr(_pdf, "_NOTO_CJK", tmp_path / "no-fonts-here")   # as on a machine without fonts-noto-cjk
    report = issue(course_dir, [grades("li"), grades("zoe")], roster(li="李小龙", zoe="Zoë Ó Súilleabháin"))
    assert [e.learner_id for e in report.issued] == ["zoe"]
    why = dict(report.not_eligible)["li"]
    assert why.startswith("the name cannot be printed on this computer: 李 (U+674E), 小 (U+5C0F), 龙 (U+9F99) needs a "
                          "font for Chinese, Japanese and Korean: install it with `sudo apt-get install fonts-noto-cjk`")
    assert not certificate_pdf_path(course_dir, "li").exists()


def test_pdf_file_names_are_unique_per_learner(course_dir, key_file):
    ids = ["a+b", "a@b", "a_b", "李一", "李二", "Alex", "alex", ".hidden", "x" * 300, "x" * 299 + "y"]
    names = [pdf_file_name(i) for i in ids]
    assert len({n.lower() for n in names}) == len(ids)           # distinct even on a disk that ignores case
    assert names[:3] == ["a%2Bb.pdf", "a%40b.pdf", "a_b.pdf"] and names[6] == "alex.pdf"
    assert all("/" not in n and not n.startswith(".") and len(n) < 200 for n in names)
    people = roster(**{i: f"Person {n}" for n, i in enumerate(ids[:5])})
    issue(course_dir, [grades(i) for i in ids[:5]], people)
    assert sorted(p.name for p in (course_dir / "certificates").glob("*.pdf")) == sorted(names[:5])


# ---------------------------------------------------------------- running again
def test_running_again_issues_no_duplicate_and_restores_a_lost_pdf_with_the_same_code(course_dir, key_file):
    first = issue(course_dir)
    certificate_pdf_path(course_dir, "alex").unlink()
    again = issue(course_dir)
    assert again.issued == [] and [e.code for e in again.already_issued] == [e.code for e in first.issued]
    assert len(read_register(course_dir)) == 2
    assert first.issued[0].credential.certificate_id in pdf_text(certificate_pdf_path(course_dir, "alex"))


def test_a_learner_who_passes_later_is_added_without_touching_earlier_lines(course_dir, key_file):
    issue(course_dir)
    before = (course_dir / "certificates" / "register.csv").read_text(encoding="utf-8")
    report = issue(course_dir, [grades("sam")], NAMES)
    after = (course_dir / "certificates" / "register.csv").read_text(encoding="utf-8")
    assert [e.learner_id for e in report.issued] == ["sam"] and after.startswith(before)


def test_a_superseded_certificate_is_issued_again_with_the_corrected_name(course_dir, key_file):
    from course.instructor.certificates import revoke

    old = issue(course_dir).issued[0]
    revoke(course_dir, old.credential.certificate_id, "name misspelt", superseded=True)
    fixed = issue(course_dir, [grades("alex", 92.5)], roster(alex=("Dr Alex Morgan-Smith", "GMC 7654321")))
    assert [e.credential.name for e in fixed.issued] == ["Dr Alex Morgan-Smith"]
    published = load_published(course_dir / "certificates" / "public-key.pem")
    assert "replaced by a corrected certificate" in verify_code(old.code, published).reason
    assert verify_code(fixed.issued[0].code, published).genuine


# ---------------------------------------------------------------- the key
def test_the_key_is_created_on_first_use_with_mode_0600_and_is_in_nothing_handed_out(course_dir, key_file):
    assert not key_file.exists()
    issue(course_dir)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_file.parent).st_mode) == 0o700
    secret = b"".join(line for line in key_file.read_bytes().splitlines() if not line.startswith(b"-") and
                      not line.startswith(b"Exosome") and not line.startswith(b"the public"))
    for produced in (course_dir / "certificates").iterdir():
        assert secret not in produced.read_bytes()


@pytest.mark.parametrize("place", ["repository", "course folder"])
def test_a_key_inside_the_repository_or_the_course_folder_is_refused(course_dir, tmp_path, place):
    inside = PROJECT_ROOT / "grading" / "signing.pem" if place == "repository" else course_dir / "keys" / "signing.pem"
    with pytest.raises(ConfigurationError, match=f"would be inside the course {place.split()[-1]}"):
        issue(course_dir, key_file=inside)
    assert not inside.exists()


def test_a_key_others_can_read_is_refused_with_the_chmod_fix(course_dir, key_file):
    issue(course_dir, COHORT[:1])
    key_file.chmod(0o644)
    with pytest.raises(ConfigurationError, match=f"can be read by other users.*chmod 600 {key_file}"):
        issue(course_dir)


def test_a_damaged_key_stops_issuing_with_the_fix_and_changes_nothing(course_dir, key_file):
    issue(course_dir, COHORT[:1])
    key_file.write_text("not a key\n")
    before = snapshot(course_dir)
    with pytest.raises(ConfigurationError, match="is damaged.*Restore it from your backup"):
        issue(course_dir)
    assert snapshot(course_dir) == before


def test_a_missing_key_after_certificates_were_issued_stops_issuing_and_makes_no_new_key(course_dir, key_file):
    issue(course_dir, COHORT[:1])
    key_file.unlink()
    before = snapshot(course_dir)
    with pytest.raises(ConfigurationError, match="does not exist, but the course has issued 1 certificate"):
        issue(course_dir)
    assert not key_file.exists() and snapshot(course_dir) == before


def test_a_different_key_is_refused(course_dir, key_file, tmp_path):
    from course.instructor.certificates.keys import create_private_key

    issue(course_dir, COHORT[:1])
    create_private_key(tmp_path / "other.pem")
    with pytest.raises(ConfigurationError, match="not the key that signed this course's certificates"):
        issue(course_dir, key_file=tmp_path / "other.pem")
    assert len(read_register(course_dir)) == 1


# ---------------------------------------------------------------- the register
@pytest.mark.parametrize("damage, message", [
    (lambda text: "", "first line should be the column names"),
    (lambda text: text.replace("code,certificate_id", "kode,certificate_id"), "first line should be the column names"),
    (lambda text: text + "ERC-AAAAA,2025-01-01\r\n", "line 3: it has 2 fields"),
    (lambda text: text + text.splitlines()[1] + "\r\n", "line 3: the code of certificate .* appears twice"),
    (lambda text: text.replace("ERC-", "XYZ-"), "line 2: 'XYZ-.*' is not a certificate code"),
    (lambda text: text.replace("Dr Alex Morgan", "Dr Alexandra Morgan"), "line 2: its name no longer match"),
])
def test_a_damaged_register_stops_issuing_with_the_line_and_the_fix(course_dir, key_file, damage, message):
    issue(course_dir, COHORT[:1])
    register = course_dir / "certificates" / "register.csv"
    register.write_text(damage(register.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    before = snapshot(course_dir)
    with pytest.raises(ConfigurationError, match=message) as error:
        issue(course_dir)
    assert "Restore it from your backup" in str(error.value)
    assert snapshot(course_dir) == before


def test_a_register_of_the_old_secret_key_format_says_how_to_move_on(course_dir, key_file):
    register = course_dir / "certificates" / "register.csv"
    register.parent.mkdir(parents=True)
    register.write_text("code,issued,learner_id,name,registration,course_title,course_version,modules\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="written by course version 1.0.0.*register-v1.csv"):
        issue(course_dir)


def test_a_missing_register_beside_issued_pdfs_stops_issuing(course_dir, key_file):
    issue(course_dir, COHORT[:1])
    (course_dir / "certificates" / "register.csv").unlink()
    with pytest.raises(ConfigurationError, match="register .* is missing, but 1 certificate PDF"):
        issue(course_dir)


def test_a_formula_in_a_name_is_neutralised_in_the_register(course_dir, key_file):
    issue(course_dir, [grades("eve")], roster(eve='=HYPERLINK("http://evil.example","Eve")'))
    import csv

    with (course_dir / "certificates" / "register.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://evil.example\",\"Eve\")"   # a spreadsheet shows text
    assert read_register(course_dir)[0].credential.name.startswith("=HYPERLINK(")  # read back exactly
