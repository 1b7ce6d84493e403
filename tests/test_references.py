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


# ---------------------------------------------------------------- what a learner reads

def test_render_citations_gives_author_year_links_to_the_entries_and_the_keys_in_order():
    from course._references import render_citations

    markdown, keys = render_citations("EVs [@misev2018]. Size overlaps [@sodar2016;\n  @urzi2022], again [@misev2018].")
    assert markdown == ("EVs ([Théry et al., 2018 (MISEV2018)](#ref-misev2018)). Size overlaps "
                        "([Sódar et al., 2016](#ref-sodar2016); [Urzì et al., 2022](#ref-urzi2022)), "
                        "again ([Théry et al., 2018 (MISEV2018)](#ref-misev2018)).")
    assert keys == ["misev2018", "sodar2016", "urzi2022"]
    assert keys_in_text(markdown) == keys  # a rendered text still says what it cites


def test_render_citations_can_link_straight_to_the_source_where_there_is_no_list():
    from course._references import render_citations

    markdown, _ = render_citations("[@misev2018] and [@fda2019]", link_to="source")
    assert "(https://doi.org/10.1080/20013078.2018.1535750)" in markdown
    assert "(https://www.fda.gov/search?s=" in markdown


def test_render_citations_names_an_unknown_key():
    from course._references import render_citations

    with pytest.raises(ContentError, match="misev2019.*is not a reference key"):
        render_citations("see [@misev2019]")


def test_the_reference_list_is_alphabetical_with_an_anchor_and_a_link_per_entry():
    from course._references import reference_list_markdown

    text = reference_list_markdown(["urzi2022", "fda2019", "misev2018"])
    lines = text.splitlines()
    assert lines[0] == "## References"
    entries = [line for line in lines if line.startswith("- ")]
    assert [e.split('"')[1] for e in entries] == ["ref-misev2018", "ref-urzi2022", "ref-fda2019"]  # Théry, Urzì, US FDA
    assert "[doi:10.1002/jev2.12271](https://doi.org/10.1002/jev2.12271)" in entries[1]
    assert "[Search the FDA's website for it](https://www.fda.gov/search?s=" in entries[2]
    assert "(no direct address was verified)" in entries[2]


def test_every_reference_has_a_doi_or_a_finding_aid_never_both():
    for ref in load_references():
        assert bool(ref.doi) != bool(ref.finding_aid), ref.key
        assert ref.url and ref.url.startswith("https://")


def test_finding_aids_are_only_searches_home_pages_or_official_eli_addresses_on_the_sources_own_site():
    # Each kind of aid may point only where this course can vouch the address exists.
    allowed = {"search": ("https://www.fda.gov/search?s=", "https://pubmed.ncbi.nlm.nih.gov/?term="),
               "eli": ("https://eur-lex.europa.eu/eli/",)}
    for ref in load_references():
        aid = ref.finding_aid
        if aid is None:
            continue
        if aid.kind == "site":
            assert aid.url.count("/") == 3 and aid.url.endswith("/"), f"{ref.key}: a home page, no deep link"
        else:
            assert aid.url.startswith(allowed[aid.kind]), ref.key


def test_citation_markup_in_a_short_form_or_citation_is_escaped():
    from course._references import Reference

    ref = Reference("x2024", "X*, 2024", "A [bracket] <b>bold</b> title", "V", "x")
    assert ref.full_markdown() == r"A \[bracket\] \<b\>bold\</b\> title."


@pytest.mark.parametrize("links, message", [
    ({"links": [{"key": "nobody2099", "url": "https://x.org/", "kind": "site", "site": "X"}]}, "not in references.yml"),
    ({"links": [{"key": "misev2018", "url": "https://x.org/", "kind": "site", "site": "X"}]}, "has a DOI"),
    ({"links": [{"key": "fda2019", "url": "http://x.org/", "kind": "site", "site": "X"}]}, "not an https"),
    ({"links": [{"key": "fda2019", "url": "https://x.org/", "kind": "guess", "site": "X"}]}, "kind `guess`"),
])
def test_a_bad_finding_aid_is_an_authoring_error_naming_the_link(links, message, tmp_path):
    import yaml

    from course._references import REFERENCES_FILE

    file = tmp_path / "reference_links.yml"
    file.write_text(yaml.safe_dump(links), encoding="utf-8")
    load_references.cache_clear()
    try:
        with pytest.raises(ContentError, match=message):
            load_references(REFERENCES_FILE, file)
    finally:
        load_references.cache_clear()
