"""The dossier checker's view (course/_dossier/widget.py): a thin form over the rules."""
from __future__ import annotations

import pytest

from course import _dossier as dossier
from course._dossier import CHECK_BUTTON_LABEL, DossierChecker, check_dossier, load_spec, worked_example


def test_every_control_has_its_stable_label() -> None:
    checker = DossierChecker()
    labels = [control.description for control in checker.controls.values()]
    assert all(label.strip() for label in labels)
    assert "Particle count (particles per mL)" in labels and "Protein (µg per mL)" in labels
    assert checker.check_button.description == CHECK_BUTTON_LABEL == "Check dossier"


def test_pressing_check_shows_what_is_missing_and_the_ratio() -> None:
    checker = DossierChecker()
    checker.controls["particle_count"].value = "2.4e11"
    checker.controls["protein_content"].value = "40"
    checker.check_button.click()
    assert "What is missing" in checker.result.value
    assert "particles per µg" in checker.result.value and "low purity" in checker.result.value


def test_a_bad_number_in_the_form_shows_a_message_and_keeps_what_was_typed() -> None:
    checker = DossierChecker()
    checker.controls["particle_count"].value = "a lot"
    checker.controls["cell_source"].value = "Umbilical cord MSCs"
    checker.check_button.click()
    assert "not a number I can read" in checker.result.value
    assert checker.controls["particle_count"].value == "a lot"
    assert checker.controls["cell_source"].value == "Umbilical cord MSCs"


def test_the_worked_example_form_is_prefilled_and_clear_empties_it() -> None:
    checker = DossierChecker(worked_example=True)
    assert checker.controls["fbs"].value == "depleted"
    assert checker.controls["sterility"].value is True
    report = checker.check()
    assert report is not None and report.missing_fields() == check_dossier(worked_example()).missing_fields()
    checker.clear_button.click()
    assert check_dossier(checker.entries()).missing_fields() == [f.key for f in load_spec().fields]
    assert checker.result.value == ""


def test_nothing_is_displayed_while_nbgrader_executes(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert dossier.dossier_checker() is None
    assert capsys.readouterr().out == ""
