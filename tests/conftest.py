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
def project_root() -> Path:
    return ROOT


def pytest_report_header() -> list[str]:
    return [f"course root: {ROOT}", f"running as uid {os.getuid()}"]
