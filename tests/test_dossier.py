"""The product dossier checker (course/dossier.py): its rules, its content and its view."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course import _dossier as dossier
from course._dossier import (
    CHECK_BUTTON_LABEL,
    DossierChecker,
    check_dossier,
    format_scientific,
    load_purity_bands,
    load_spec,
    parse_spec,
    purity_band,
    purity_ratio,
    report_html,
    worked_example,
)
from course._errors import AnswerFormatError, ContentError
from course._references import keys_in_text, load_references

COMPLETE = {
    "cell_source": "Umbilical cord mesenchymal stromal cells",
    "donor_screening": True,
    "passage_number": "P3 to P5",
    "culture_medium": "Serum-free medium with human platelet lysate",
    "fbs": "no",
    "isolation_method": "Tangential flow filtration then size-exclusion chromatography",
    "particle_count": "5e11",
    "protein_content": "10",
    "positive_markers": "CD9, CD63, CD81, TSG101",
    "negative_markers": "calnexin, APOA1",
    "single_vesicle": "electron microscopy, nanoparticle tracking analysis",
    "sterility": True,
    "endotoxin": True,
    "mycoplasma": True,
    "storage_temperature": "-80 °C, 12 months",
    "regulatory_status": "Investigational product under a clinical-trial authorisation",
}

# What "not documented" looks like for each kind of field, as the widget would send it.
EMPTY = {"text": "", "checkbox": False, "choice": "not_stated", "number": "", "list": ""}


def without(field: str, value: object) -> dict[str, object]:
    entries = dict(COMPLETE)
    entries[field] = value
    return entries


# ---------------------------------------------------------------- gaps

def test_a_complete_dossier_has_no_gaps_and_no_concerns() -> None:
    report = check_dossier(COMPLETE)
    assert report.gaps == ()
    assert report.concerns == ()
    assert report.problems == ()
    assert report.complete
    assert report.meets_misev_marker_minimum


def test_the_complete_fixture_covers_every_field_of_the_checker() -> None:
    assert set(COMPLETE) == {f.key for f in load_spec().fields}


@pytest.mark.parametrize("field", [f.key for f in load_spec().fields])
def test_each_missing_field_gives_exactly_its_own_gap(field: str) -> None:
    spec_field = load_spec().field(field)
    report = check_dossier(without(field, EMPTY[spec_field.kind]))
    assert report.missing_fields() == [field]
    gap = report.gaps[0]
    assert gap.label == spec_field.label
    assert gap.why == spec_field.why and gap.cite == spec_field.cite


@pytest.mark.parametrize("field", [f.key for f in load_spec().fields])
def test_an_absent_key_counts_as_not_documented(field: str) -> None:
    entries = dict(COMPLETE)
    del entries[field]
    assert check_dossier(entries).missing_fields() == [field]


def test_an_empty_dossier_lists_every_field_in_the_checker_order() -> None:
    report = check_dossier({})
    assert report.missing_fields() == [f.key for f in load_spec().fields]
    assert report.ratio is None and report.placement is None


def test_whitespace_and_blank_list_items_do_not_count_as_documented() -> None:
    report = check_dossier(without("positive_markers", " , ;  ") | {"cell_source": "   "})
    assert report.missing_fields() == ["cell_source", "positive_markers"]


# ---------------------------------------------------------------- concerns

def test_fbs_in_the_medium_flags_bovine_ev_contamination_citing_urzi_and_lehrich() -> None:
    report = check_dossier(without("fbs", "yes"))
    assert report.concern_codes() == ["fbs"]
    assert set(report.concerns[0].cite) >= {"urzi2022", "lehrich2018"}
    assert report.gaps == ()


def test_ev_depleted_fbs_is_still_flagged_because_bovine_evs_persist() -> None:
    report = check_dossier(without("fbs", "depleted"))
    assert report.concern_codes() == ["fbs_depleted"]
    assert "lehrich2018" in report.concerns[0].cite


@pytest.mark.parametrize("medium", ["DMEM + 10% FBS", "alpha-MEM with foetal bovine serum",
                                    "RPMI, fetal bovine serum 5 %"])
def test_fbs_named_in_the_medium_is_flagged_even_when_the_fbs_question_is_unanswered(medium: str) -> None:
    report = check_dossier(without("fbs", "not_stated") | {"culture_medium": medium})
    assert "fbs" in report.concern_codes()
    assert report.missing_fields() == ["fbs"]


def test_a_serum_free_medium_raises_no_fbs_concern() -> None:
    assert "fbs" not in check_dossier(COMPLETE).concern_codes()


@pytest.mark.parametrize("markers, flagged", [("CD63", True), ("CD63, CD81", True),
                                              ("CD63, CD81, TSG101", False), ("CD63; CD63, cd63", True)])
def test_fewer_than_three_positive_markers_flags_the_misev2018_minimum(markers: str, flagged: bool) -> None:
    report = check_dossier(without("positive_markers", markers))
    assert ("positive_markers_few" in report.concern_codes()) is flagged
    assert report.meets_misev_marker_minimum is not flagged


def test_no_negative_marker_is_a_gap_and_fails_the_misev2018_minimum() -> None:
    report = check_dossier(without("negative_markers", ""))
    assert report.missing_fields() == ["negative_markers"]
    assert not report.meets_misev_marker_minimum
    assert "misev2018" in report.gaps[0].cite
    assert "not met" in report_html(report)


def test_markers_may_be_given_as_a_list() -> None:
    report = check_dossier(without("positive_markers", ["CD9", "CD63", "CD81"]))
    assert report.positive_markers == ("CD9", "CD63", "CD81")
    assert report.meets_misev_marker_minimum


def test_a_single_single_vesicle_method_is_flagged() -> None:
    report = check_dossier(without("single_vesicle", "NTA"))
    assert report.concern_codes() == ["single_vesicle_one_method"]


def test_human_material_sold_as_a_cosmetic_is_flagged_with_the_eu_annex() -> None:
    entries = without("regulatory_status", "Cosmetic ingredient") | {"cell_source": "Human adipose stem cells"}
    report = check_dossier(entries)
    assert report.concern_codes() == ["human_cosmetic"]
    assert report.concerns[0].cite == ("eu1223",)


# ---------------------------------------------------------------- ratio and bands

def test_the_ratio_is_particles_per_ml_divided_by_micrograms_per_ml() -> None:
    assert purity_ratio(2.4e11, 40) == pytest.approx(6e9)
    report = check_dossier(without("particle_count", "2.4 x 10^11") | {"protein_content": "40"})
    assert report.ratio == pytest.approx(6e9)
    assert report.placement is not None and report.placement.label == "low purity"


@pytest.mark.parametrize("ratio, label", [
    (1.0e6, "impure"),
    (1.49e9, "impure"),
    (1.5e9, "between bands (impure and low purity)"),      # "<1.5×10⁹" excludes the edge
    (1.99e9, "between bands (impure and low purity)"),
    (2.0e9, "low purity"),                                 # "2×10⁹–2×10¹⁰" includes both edges
    (2.0e10, "low purity"),
    (2.01e10, "between bands (low purity and high purity)"),
    (3.0e10, "between bands (low purity and high purity)"),  # ">3×10¹⁰" excludes the edge
    (3.01e10, "high purity"),
    (1.0e13, "high purity"),
])
def test_the_band_is_right_at_and_either_side_of_every_band_edge(ratio: float, label: str) -> None:
    placement = purity_band(ratio)
    assert placement.label == label
    assert placement.classified is (not label.startswith("between"))


def test_the_bands_are_webber_and_claytons_and_cite_them() -> None:
    bands = {b.name: b for b in load_purity_bands()}
    assert set(bands) == {"impure", "low purity", "high purity"}
    assert (bands["impure"].lower, bands["impure"].upper) == (None, 1.5e9)
    assert (bands["low purity"].lower, bands["low purity"].upper) == (2e9, 2e10)
    assert (bands["high purity"].lower, bands["high purity"].upper) == (3e10, None)
    assert all(b.reference == "webber2013" for b in bands.values())


@pytest.mark.parametrize("particles, protein", [(0, 40), (2e11, 0), (-1, 4), (float("nan"), 4), ("2e11", 4)])
def test_purity_ratio_refuses_impossible_amounts_with_a_plain_message(particles: object, protein: object) -> None:
    with pytest.raises(AnswerFormatError, match="must be"):
        purity_ratio(particles, protein)  # type: ignore[arg-type]


@pytest.mark.parametrize("ratio", [0, -3, float("inf")])
def test_purity_band_refuses_impossible_ratios(ratio: float) -> None:
    with pytest.raises(AnswerFormatError):
        purity_band(ratio)


@pytest.mark.parametrize("typed", ["2.4e11", "2.4E11", "2.4 x 10^11", "2.4×10¹¹", "240,000,000,000",
                                   "240 000 000 000"])
def test_particle_counts_are_read_as_a_learner_types_them(typed: str) -> None:
    report = check_dossier(without("particle_count", typed) | {"protein_content": "40"})
    assert report.ratio == pytest.approx(6e9)


@pytest.mark.parametrize("typed, words", [
    ("lots", "not a number"),
    ("2.4e11 particles/mL", "not a number"),
    ("-5", "more than zero"),
    ("0", "more than zero"),
])
def test_bad_numbers_give_a_plain_message_not_a_traceback(typed: str, words: str) -> None:
    report = check_dossier(without("particle_count", typed))
    assert len(report.problems) == 1
    assert "Particle count (particles per mL)" in report.problems[0] and words in report.problems[0]
    # An unreadable entry is a problem to fix, not a gap, and no ratio is guessed.
    assert report.missing_fields() == []
    assert report.ratio is None and not report.complete
    assert "Please check these entries" in report_html(report)


def test_an_unknown_key_is_reported_and_ignored() -> None:
    report = check_dossier(COMPLETE | {"colour": "blue"})
    assert report.problems == ("“colour” is not a field of the checker and was ignored.",)


@pytest.mark.parametrize("value, text", [(6e9, "6.0×10⁹"), (2.4e11, "2.4×10¹¹"), (40, "40"), (2.5, "2.5"),
                                         (9.99e9, "1.0×10¹⁰"), (1.5e9, "1.5×10⁹")])
def test_numbers_are_written_as_on_a_certificate(value: float, text: str) -> None:
    assert format_scientific(value) == text


# ---------------------------------------------------------------- the result as HTML

def test_the_result_always_says_what_is_missing() -> None:
    assert "What is missing" in report_html(check_dossier({}))
    assert "What is missing" in report_html(check_dossier(COMPLETE))
    assert "Nothing on this checklist is missing" in report_html(check_dossier(COMPLETE))


def test_the_result_gives_the_ratio_in_particles_per_microgram_only_when_computable() -> None:
    with_ratio = report_html(check_dossier(COMPLETE))
    assert "particles per µg" in with_ratio and "5.0×10¹⁰" in with_ratio and "high purity" in with_ratio
    without_ratio = report_html(check_dossier(without("protein_content", "")))
    assert "particles per µg" not in without_ratio
    assert "Enter both the particle count and the protein content" in without_ratio


def test_every_gap_in_the_result_links_its_source() -> None:
    html = report_html(check_dossier({}))
    for field in load_spec().fields:
        assert field.label.replace("'", "&#x27;") in html
    bibliography = load_references()
    assert bibliography.get("misev2018").short in html and "https://doi.org/" in html


# ---------------------------------------------------------------- the content

def test_every_field_says_why_it_matters_and_cites_vetted_sources() -> None:
    bibliography = load_references()
    for field in load_spec().fields:
        assert len(field.why.split()) >= 15, field.key
        assert field.cite and all(k in bibliography for k in field.cite)
        assert set(keys_in_text(field.why)) <= set(field.cite), field.key


def test_the_worked_example_is_fictional_and_finds_the_gaps_the_lesson_describes() -> None:
    spec = load_spec()
    assert spec.example_name.lower().startswith("fictional")
    report = check_dossier(worked_example())
    assert report.missing_fields() == ["donor_screening", "passage_number", "negative_markers",
                                       "endotoxin", "mycoplasma"]
    assert report.concern_codes() == ["fbs_depleted", "positive_markers_few", "single_vesicle_one_method",
                                      "human_cosmetic"]
    assert report.ratio == pytest.approx(6e9)


def _content() -> dict:
    return yaml.safe_load(Path(dossier.DOSSIER_FILE).read_text(encoding="utf-8"))


def test_an_unknown_citation_in_the_content_is_refused_naming_the_field() -> None:
    data = _content()
    data["fields"][0]["cite"] = ["nosuchkey2099"]
    with pytest.raises(ContentError, match="cell_source.*nosuchkey2099"):
        parse_spec(data)


def test_removing_a_field_a_rule_depends_on_is_refused() -> None:
    data = _content()
    data["fields"] = [f for f in data["fields"] if f["key"] != "fbs"]
    with pytest.raises(ContentError, match="fbs"):
        parse_spec(data)


def test_a_worked_example_not_labelled_fictional_is_refused() -> None:
    data = _content()
    data["worked_example"]["name"] = "Product A certificate"
    with pytest.raises(ContentError, match="fictional"):
        parse_spec(data)


def test_cited_keys_include_the_purity_source() -> None:
    assert "webber2013" in dossier.cited_keys() and "urzi2022" in dossier.cited_keys()


# ---------------------------------------------------------------- the widget

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
