"""Shared fixtures: every test gets its own learner record directory."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def learner_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh EXOCOURSE_HOME per test, so no test reads or writes a real learner's record."""
    home = tmp_path_factory.mktemp("learner")
    monkeypatch.setenv("EXOCOURSE_HOME", str(home))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return home


@pytest.fixture
def pass_mark_60(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> float:
    """The course's syllabus with every pass mark set to 0.6 instead of 0.8, so a test shows
    that a rule follows the syllabus rather than a number written into the code."""
    import re

    from course import _syllabus

    text = (_syllabus.SYLLABUS_FILE).read_text(encoding="utf-8")
    changed = re.sub(r"pass_mark: 0\.8\b", "pass_mark: 0.6", text)
    assert changed != text, "the syllabus has no pass_mark: 0.8 to change"
    copy = tmp_path / "syllabus.yml"
    copy.write_text(changed, encoding="utf-8")
    _syllabus.load_syllabus.cache_clear()
    monkeypatch.setattr(_syllabus, "SYLLABUS_FILE", copy)
    yield 0.6
    _syllabus.load_syllabus.cache_clear()


@pytest.fixture
def project_root() -> Path:
    return ROOT


def pytest_report_header() -> list[str]:
    return [f"course root: {ROOT}", f"running as uid {os.getuid()}"]
