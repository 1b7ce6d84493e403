"""course/instructor/demo.py: the demo shows the whole chain, from release to a verified certificate (slow)."""
from pathlib import Path

import pytest

from course.instructor.certificates import load_published, read_register, verify_code
from course.instructor.demo import PASSING_LEARNERS, demo_roster
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.slow


def test_the_roster_names_the_strongest_learners_with_an_accented_and_a_cjk_name():
    rows = demo_roster(30)
    strongest = [name for _, name, _ in rows[-PASSING_LEARNERS:]]
    assert "王芳" in strongest and "Dr Zoë Ó Súilleabháin" in strongest
    assert len({learner for learner, _, _ in rows}) == 30


def test_the_demo_ends_with_certificates_for_those_who_passed_everything_and_one_verified(tmp_path, capsys):
    from course.cli import main
    from tests.conftest import ROOT

    output = tmp_path / "demo"
    code = main(["--course-dir", str(ROOT / "grading"), "demo", "--learners", "5", "--output", str(output),
                 "--workers", "2"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    for step in ("release", "intake", "autograde", "marking", "feedback", "report", "certificates", "verify"):
        assert any(line.startswith(step) for line in lines), step       # a progress line per step
    entries = read_register(output)
    assert len(entries) == PASSING_LEARNERS
    names = {e.credential.name for e in entries}
    assert {"王芳", "Dr Zoë Ó Súilleabháin"} <= names
    certificates = output / "certificates"
    for entry in entries:
        assert entry.credential.name in pdf_text(certificates / f"{entry.learner_id}.pdf")
    verify_line = next(line for line in lines if line.startswith("verify"))
    assert "GENUINE" in verify_line and "nothing but the public key" in verify_line
    assert f"{(certificates / 'verify.html').as_uri()}#ERC-" in out                 # where to check it
    published = load_published(certificates / "public-key.pem")
    assert all(verify_code(e.code, published).genuine for e in entries)
    assert not any(p.name.endswith("key.pem") and "PRIVATE" in p.read_text(errors="ignore")
                   for p in Path(output).rglob("*.pem"))                           # no private key in the course folder
