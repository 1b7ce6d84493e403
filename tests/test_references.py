"""course/references.py: the bibliography and citations."""
import pytest

from course._errors import ContentError
from course._references import cite, keys_in_text, load_references, parse_references

ENTRY = {"key": "smith2024", "short": "Smith, 2024", "citation": "Smith A. A title. J 2024.",
         "status": "V", "supports": "x"}


def test_every_reference_has_a_short_form_citation_and_status():
    bibliography = load_references()
    assert len(bibliography) >= 30
    for ref in bibliography:
        assert ref.short and ref.citation and ref.status


def test_dois_become_links_and_missing_dois_give_no_link():
    assert load_references().get("misev2018").link == "https://doi.org/10.1080/20013078.2018.1535750"
    assert load_references().get("fda2019").link is None


def test_cite_renders_short_citation_with_its_link():
    html = cite("misev2018")._repr_html_()
    assert "Théry et al., 2018" in html and "https://doi.org/10.1080/20013078.2018.1535750" in html
    assert str(cite("fda2019")) == "(US FDA, 6 Dec 2019)"


def test_unknown_key_names_the_key_and_the_fix():
    with pytest.raises(ContentError, match="misev2019.*references.yml.*misev"):
        cite("misev2019")


def test_keys_in_text_finds_single_and_grouped_citations_in_order():
    text = "EVs [@misev2018]. Size overlaps [@sodar2016; @urzi2022] and again [@misev2018]."
    assert keys_in_text(text) == ["misev2018", "sodar2016", "urzi2022"]


def test_duplicate_key_is_an_authoring_error():
    with pytest.raises(ContentError, match="smith2024.*appears twice"):
        parse_references({"references": [ENTRY, ENTRY]})


def test_missing_field_names_the_reference_and_field():
    broken = {k: v for k, v in ENTRY.items() if k != "short"}
    with pytest.raises(ContentError, match=r"reference `smith2024`.*has no `short`"):
        parse_references({"references": [broken]})
