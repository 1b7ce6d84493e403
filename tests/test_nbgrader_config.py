"""grading/nbgrader_config.py fails closed.

traitlets logs an ordinary exception from a config file and goes on with nbgrader's own
defaults: its Execute step, which runs learners' code, and a fresh, empty gradebook.db. So
a config that cannot load the course library must stop nbgrader, not fall back.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# nbgrader's own entry point, in a Python where `import course` fails as it would in an
# environment without the course installed.
WITHOUT_COURSE = ("import sys; sys.modules['course'] = None; sys.argv = ['nbgrader'] + sys.argv[1:]; "
                  "from nbgrader.apps.nbgraderapp import main; main()")


@pytest.mark.slow
def test_nbgrader_stops_with_the_fix_when_the_course_library_cannot_be_imported(tmp_path: Path):
    course = tmp_path / "grading"
    course.mkdir()
    shutil.copy2(ROOT / "grading" / "nbgrader_config.py", course / "nbgrader_config.py")
    run = subprocess.run([sys.executable, "-c", WITHOUT_COURSE, "db", "student", "list"], cwd=course,
                         capture_output=True, text=True, timeout=120)
    said = run.stdout + run.stderr
    assert run.returncode != 0, said
    assert "need the course library" in said and ".venv/bin/nbgrader" in said
    assert not (course / "gradebook.db").exists()   # no second, empty gradebook
