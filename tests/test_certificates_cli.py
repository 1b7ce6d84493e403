"""exocourse certificates / verify / revoke / certificate-key on a real graded course (slow)."""
import os
import shutil
import subprocess
import sys

import pytest

from course.instructor.certificates import certificate_pdf_path, printed_lines, read_register
from tests.certificate_cohort import without_key_env
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.slow


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "signing.pem"
    monkeypatch.setenv("EXOCOURSE_CERTIFICATE_KEY", str(path))
    return path


@pytest.fixture
def graded(tmp_path, key_file):
    from tests.graded_course import STRONG, WEAK, graded_course

    course = graded_course(tmp_path / "graded")
    (course.root / "learners.csv").write_text(
        f"learner,name,registration\n{STRONG},Ada Lovelace,GMC 1815\n{WEAK},Bob Weak,\n", encoding="utf-8")
    return course


def exocourse(course, *args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "course.cli", "--course-dir", str(course.root),
                           "--db-url", course.db_url, *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), cwd=cwd)


def test_certificates_issues_from_the_gradebook_once_publishes_the_public_files_and_never_prints_the_key(graded,
                                                                                                         key_file):
    first = exocourse(graded, "certificates", "--verify-url", "https://courses.example/erc/verify.html")
    assert first.returncode == 0, first.stderr
    assert "issued    ada-lovelace: certificate " in first.stdout
    assert "not yet   bob-weak: not yet passed: module 01, 02, 03, 04, 05" in first.stdout
    assert "verify.html checks codes in a browser" in first.stdout
    secret = key_file.read_text()
    body = "".join(line for line in secret.splitlines() if line and not line.startswith(("-", "Exosome", "the")))
    assert body and body not in first.stdout + first.stderr
    text = pdf_text(certificate_pdf_path(graded.root, "ada-lovelace"))
    assert "Ada Lovelace" in text and "GMC 1815" in text and "Overall score: 100.0 %" in text
    assert "CPD time: 3.25 hours (individual learning)" in text
    published = sorted(p.name for p in (graded.root / "certificates").iterdir())
    assert {"public-key.pem", "revoked.json", "achievements.json", "verify.html", "register.csv"} <= set(published)

    again = exocourse(graded, "certificates")
    assert again.returncode == 0 and "held      ada-lovelace: already has certificate" in again.stdout
    assert "0 issued, 1 already held" in again.stdout and len(read_register(graded.root)) == 1


def test_verify_in_an_empty_folder_with_the_public_files_exits_0_and_1_with_the_reason(graded, tmp_path):
    exocourse(graded, "certificates")
    code = read_register(graded.root)[0].code
    empty = tmp_path / "employer"
    empty.mkdir()
    for name in ("public-key.pem", "revoked.json", "achievements.json"):
        shutil.copy(graded.root / "certificates" / name, empty / name)
    command = [sys.executable, "-m", "course.cli", "verify"]
    genuine = subprocess.run([*command, *printed_lines(code), "--public-key", "public-key.pem"], cwd=empty,
                             capture_output=True, text=True, env=without_key_env())
    assert genuine.returncode == 0, genuine.stderr
    assert "Learner:             Ada Lovelace" in genuine.stdout and "checked against the revocation list" in genuine.stdout
    altered = code[:-3] + ("0" if code[-3] != "0" else "2") + code[-2:]
    for bad, reason in ((altered, "mistyped or altered"), ("ERC-12", "NOT VERIFIED")):
        run = subprocess.run([*command, bad, "--public-key", "public-key.pem"], cwd=empty, capture_output=True,
                             text=True, env=without_key_env())
        assert run.returncode == 1 and reason in run.stdout
    as_json = subprocess.run([*command, code, "--public-key", "public-key.pem", "--json"], cwd=empty,
                             capture_output=True, text=True, env=without_key_env())
    assert '"credentialSubject"' in as_json.stdout and '"verified": true' in as_json.stdout
    missing = subprocess.run([*command, code], cwd=empty, capture_output=True, text=True, env=without_key_env())
    assert missing.returncode == 2 and "--public-key FILE" in missing.stderr and "Traceback" not in missing.stderr


def test_revoke_then_verify_says_revoked_with_the_reason(graded):
    exocourse(graded, "certificates")
    entry = read_register(graded.root)[0]
    run = exocourse(graded, "revoke", entry.credential.certificate_id, "--reason", "issued in error")
    assert run.returncode == 0, run.stderr
    verified = exocourse(graded, "verify", entry.code)
    assert verified.returncode == 1 and "REVOKED" in verified.stdout and "issued in error" in verified.stdout


def test_certificate_key_rotate_keeps_old_certificates_valid(graded):
    exocourse(graded, "certificates")
    code = read_register(graded.root)[0].code
    rotated = exocourse(graded, "certificate-key", "rotate")
    assert rotated.returncode == 0 and "signing key rotated" in rotated.stdout, rotated.stderr
    shown = exocourse(graded, "certificate-key", "show")
    assert "(current)" in shown.stdout and "(retired)" in shown.stdout
    assert exocourse(graded, "verify", code).returncode == 0


def test_a_missing_key_says_how_to_fix_it_and_issues_nothing(graded, key_file):
    exocourse(graded, "certificates")
    key_file.rename(key_file.with_suffix(".moved"))
    certificate_pdf_path(graded.root, "ada-lovelace").unlink()
    run = exocourse(graded, "certificates")
    assert run.returncode == 2 and "does not exist, but the course has issued 1" in run.stderr
    assert "--key-file" in run.stderr and "Traceback" not in run.stderr
    assert not key_file.exists() and not certificate_pdf_path(graded.root, "ada-lovelace").exists()


def test_without_a_roster_a_learner_without_a_name_is_not_issued_a_certificate(graded):
    (graded.root / "learners.csv").unlink()
    run = exocourse(graded, "certificates")
    assert run.returncode == 0 and "not yet   ada-lovelace: no name: add the learner to learners.csv" in run.stdout
    assert read_register(graded.root) == []


def test_forget_deletes_exactly_the_learners_own_pdf(graded, key_file):
    (graded.root / "learners.csv").write_text("learner,name\nada-lovelace,Ada Lovelace\n", encoding="utf-8")
    exocourse(graded, "certificates")
    lookalike = certificate_pdf_path(graded.root, "ada_lovelace")     # another learner's file, a similar id
    lookalike.write_bytes(b"%PDF- someone else's")
    run = exocourse(graded, "forget", "ada-lovelace")
    assert run.returncode == 0, run.stderr
    assert not certificate_pdf_path(graded.root, "ada-lovelace").exists() and lookalike.exists()
