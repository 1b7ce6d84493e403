"""The dossier checker's content (course/content/dossier.yml via course/_dossier/spec.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course import _dossier as dossier
from course._dossier import load_spec, parse_spec
from course._errors import ContentError
from course._references import keys_in_text, load_references


def _content() -> dict:
    return yaml.safe_load(Path(dossier.DOSSIER_FILE).read_text(encoding="utf-8"))


def test_every_field_says_why_it_matters_and_cites_vetted_sources() -> None:
    bibliography = load_references()
    for field in load_spec().fields:
        assert len(field.why.split()) >= 15, field.key
        assert field.cite and all(k in bibliography for k in field.cite)
        assert set(keys_in_text(field.why)) <= set(field.cite), field.key


def test_the_marker_categories_are_misev2018s_named_examples() -> None:
    categories = load_spec().categories
    assert set(categories["transmembrane"].names) == {"CD9", "CD63", "CD81"}
    assert {"TSG101", "syntenin"} <= set(categories["cytosolic"].names)
    assert all(c.cite == ("misev2018",) for c in categories.values())


def test_the_worked_example_is_fictional() -> None:
    assert load_spec().example_name.lower().startswith("fictional")


def test_the_culture_medium_placeholder_suggests_no_composition() -> None:
    # An example medium in the placeholder reads as advice (issue 10: "serum-free medium with
    # human platelet lysate" was misleading); the placeholder only says what to copy.
    placeholder = load_spec().field("culture_medium").placeholder.lower()
    assert "serum-free" not in placeholder and "platelet" not in placeholder


def test_an_unknown_citation_in_the_content_is_refused_naming_the_field() -> None:
    data = _content()
    data["fields"][0]["cite"] = ["nosuchkey2099"]
    with pytest.raises(ContentError, match="cell_source.*nosuchkey2099"):
        parse_spec(data)


def test_an_unknown_citation_in_a_report_sentence_is_refused() -> None:
    data = _content()
    data["report"]["ratio_caution"] += " [@nosuchkey2099]"
    with pytest.raises(ContentError, match="report `ratio_caution`.*nosuchkey2099"):
        parse_spec(data)


def test_removing_a_field_a_rule_depends_on_is_refused() -> None:
    data = _content()
    data["fields"] = [f for f in data["fields"] if f["key"] != "fbs"]
    with pytest.raises(ContentError, match="fbs"):
        parse_spec(data)


def test_removing_a_marker_category_is_refused() -> None:
    data = _content()
    del data["marker_categories"]["cytosolic"]
    with pytest.raises(ContentError, match="cytosolic"):
        parse_spec(data)


def test_a_worked_example_not_labelled_fictional_is_refused() -> None:
    data = _content()
    data["worked_example"]["name"] = "Product A certificate"
    with pytest.raises(ContentError, match="fictional"):
        parse_spec(data)


def test_cited_keys_include_the_purity_source_and_the_ratio_caution() -> None:
    keys = dossier.cited_keys()
    assert {"webber2013", "urzi2022", "sodar2016", "misev2018"} <= set(keys)
