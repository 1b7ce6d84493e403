"""The dossier checker's rules (course/_dossier/rules.py): gaps, concerns, markers, ratio."""
from __future__ import annotations

import pytest

from course._dossier import check_dossier, load_spec, worked_example
from tests.dossier_entries import COMPLETE, EMPTY, without

# ---------------------------------------------------------------- gaps


def test_a_complete_dossier_has_no_gaps_no_concerns_and_meets_the_marker_minimum() -> None:
    report = check_dossier(COMPLETE)
    assert report.gaps == () and report.concerns == () and report.problems == ()
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


def test_a_single_single_vesicle_method_is_flagged() -> None:
    report = check_dossier(without("single_vesicle", "NTA"))
    assert report.concern_codes() == ["single_vesicle_one_method"]


def test_human_material_sold_as_a_cosmetic_is_flagged_with_the_eu_annex() -> None:
    entries = without("regulatory_status", "Cosmetic ingredient") | {"cell_source": "Human adipose stem cells"}
    report = check_dossier(entries)
    assert report.concern_codes() == ["human_cosmetic"]
    assert report.concerns[0].cite == ("eu1223",)


# ---------------------------------------------------------------- marker categories (MISEV2018)

@pytest.mark.parametrize("markers, meets", [
    ("CD9, CD63, CD81", False),            # three tetraspanins: no cytosolic marker
    ("TSG101, syntenin, ALIX", False),     # no transmembrane marker
    ("CD63, TSG101", False),               # both kinds, but only two markers
    ("CD63, TSG101, ALIX", True),          # an unrecognised third marker still counts towards three
    ("CD9, CD63, CD81, TSG101", True),
    ("cd 63, Syntenin-1, CD81 (western blot)", True),
    ("CD63; CD63, cd63", False),           # a repeat is one marker
    ("CD630, TSG1010, CD9", False),        # near-misses are not the named markers
])
def test_the_marker_minimum_needs_three_with_a_transmembrane_and_a_cytosolic_one(markers: str, meets: bool) -> None:
    report = check_dossier(without("positive_markers", markers))
    assert report.meets_misev_marker_minimum is meets
    assert ("positive_markers_short" in report.concern_codes()) is (not meets)


def test_three_tetraspanins_with_calnexin_is_not_met_and_says_the_cytosolic_kind_is_missing() -> None:
    report = check_dossier(without("positive_markers", "CD9, CD63, CD81") | {"negative_markers": "calnexin"})
    assert not report.meets_misev_marker_minimum
    assert report.markers.categories_missing == ("cytosolic",)
    assert report.markers.by_category["transmembrane"] == ("CD9", "CD63", "CD81")


def test_no_negative_marker_is_a_gap_and_fails_the_misev2018_minimum() -> None:
    report = check_dossier(without("negative_markers", ""))
    assert report.missing_fields() == ["negative_markers"]
    assert not report.meets_misev_marker_minimum
    assert "misev2018" in report.gaps[0].cite


def test_markers_may_be_given_as_a_list() -> None:
    report = check_dossier(without("positive_markers", ["CD9", "CD63", "TSG101"]))
    assert report.positive_markers == ("CD9", "CD63", "TSG101")
    assert report.meets_misev_marker_minimum


def test_no_positive_markers_is_a_gap_not_a_concern() -> None:
    report = check_dossier(without("positive_markers", ""))
    assert report.missing_fields() == ["positive_markers"]
    assert "positive_markers_short" not in report.concern_codes()


# ---------------------------------------------------------------- the ratio

def test_the_ratio_is_particles_per_ml_divided_by_micrograms_per_ml() -> None:
    report = check_dossier(without("particle_count", "2.4 x 10^11") | {"protein_content": "40"})
    assert report.ratio == pytest.approx(6e9)
    assert report.placement is not None and report.placement.label == "low purity"


@pytest.mark.parametrize("typed", ["2.4e11", "2.4E11", "2.4 x 10^11", "2.4×10¹¹", "240,000,000,000",
                                   "240 000 000 000", 2.4e11])
def test_particle_counts_are_read_as_a_learner_types_them(typed: object) -> None:
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


def test_amounts_too_far_apart_to_place_are_a_problem_not_a_traceback() -> None:
    report = check_dossier(without("particle_count", "1e300") | {"protein_content": "1e-300"})
    assert report.ratio is None and "units" in report.problems[0]


# ---------------------------------------------------------------- hostile input never raises

@pytest.mark.parametrize("entries", [
    {"positive_markers": 3},
    {"positive_markers": [3, 4]},
    {"negative_markers": {"a": 1}},
    {"cell_source": 5},
    {"fbs": 3},
    {"fbs": "perhaps"},
    {"sterility": "yes"},
    {"particle_count": [1]},
    {"particle_count": True},
    {"particle_count": float("nan")},
    {3: "x"},
    [1, 2],
    "CD63",
    42,
])
def test_odd_input_is_reported_in_plain_words_and_never_raises(entries: object) -> None:
    report = check_dossier(entries)  # type: ignore[arg-type]
    assert report.problems, "an unreadable entry must be reported"
    assert all(isinstance(p, str) and p and "Traceback" not in p for p in report.problems)
    assert report.to_html()


def test_none_is_an_empty_dossier() -> None:
    assert check_dossier(None).missing_fields() == [f.key for f in load_spec().fields]  # type: ignore[arg-type]


def test_an_unreadable_list_names_its_field_and_the_format() -> None:
    report = check_dossier(without("positive_markers", 3))
    assert report.problems == ("Positive EV markers (comma-separated): type the names as text, separated by "
                               "commas, for example “CD9, CD63, TSG101”.",)
    assert "positive_markers" not in report.missing_fields()   # a problem to fix, not a gap


def test_an_unknown_key_is_reported_and_ignored() -> None:
    report = check_dossier(COMPLETE | {"colour": "blue"})
    assert report.problems == ("“colour” is not a field of the checker and was ignored.",)


# ---------------------------------------------------------------- the worked example

def test_the_worked_example_finds_the_gaps_the_lesson_describes() -> None:
    report = check_dossier(worked_example())
    assert report.missing_fields() == ["donor_screening", "passage_number", "negative_markers",
                                       "endotoxin", "mycoplasma"]
    assert report.concern_codes() == ["fbs_depleted", "positive_markers_short", "single_vesicle_one_method",
                                      "human_cosmetic"]
    assert report.markers.categories_missing == ("cytosolic",)
    assert report.ratio == pytest.approx(6e9)
