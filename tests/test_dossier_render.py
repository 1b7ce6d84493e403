"""The dossier checker's result as HTML (course/_dossier/render.py)."""
from __future__ import annotations

from course._dossier import check_dossier, load_spec, report_html
from course._references import load_references
from tests.dossier_entries import COMPLETE, without


def test_the_result_always_says_what_is_missing() -> None:
    assert "What is missing" in report_html(check_dossier({}))
    assert "Nothing on this checklist is missing" in report_html(check_dossier(COMPLETE))


def test_the_result_gives_the_ratio_in_particles_per_microgram_only_when_computable() -> None:
    with_ratio = report_html(check_dossier(COMPLETE))
    assert "particles per µg" in with_ratio and "5.0×10¹⁰" in with_ratio and "high purity" in with_ratio
    assert load_references().get("sodar2016").short in with_ratio    # the caution under a ratio
    without_ratio = report_html(check_dossier(without("protein_content", "")))
    assert "particles per µg" not in without_ratio
    assert "Enter both the particle count and the protein content" in without_ratio


def test_every_gap_in_the_result_links_its_source() -> None:
    html = report_html(check_dossier({}))
    for field in load_spec().fields:
        assert field.label.replace("'", "&#x27;") in html
    assert load_references().get("misev2018").short in html and "https://doi.org/" in html


def test_the_marker_line_says_met_or_not_and_which_kind_is_missing() -> None:
    tetraspanins = report_html(check_dossier(without("positive_markers", "CD9, CD63, CD81")))
    assert "<strong>not met</strong>" in tetraspanins and "no cytosolic marker recognised" in tetraspanins
    assert "<strong>met</strong>" in report_html(check_dossier(COMPLETE))


def test_problems_are_listed_first_and_escaped() -> None:
    html = report_html(check_dossier(without("particle_count", "<b>lots</b>")))
    assert html.index("Please check these entries") < html.index("What is missing")
    assert "<b>lots</b>" not in html and "&lt;b&gt;lots&lt;/b&gt;" in html
