"""The course's diagrams: each exists, is accessible SVG, is described and cited, and is shown in its lesson."""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

from course._assets import asset_path
from course._diagrams import DIAGRAM_BLOCK, get, load_diagrams, parse_diagrams, render_diagram_blocks
from course._errors import ContentError
from course._references import keys_in_text
from tests.conftest import ROOT
from tests.notebooks import cell_source, read

SVG = "{http://www.w3.org/2000/svg}"
DIAGRAMS = sorted(load_diagrams().values(), key=lambda d: d.name)
NAMES = [d.name for d in DIAGRAMS]


def lesson_source(module: str):
    return next((ROOT / "lessons").glob(f"{module}_*.md"))


def test_the_course_has_the_three_diagrams_a_practitioner_needs():
    assert {"ev_release", "microneedling_channel", "supply_chain"} <= set(NAMES)


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=NAMES)
def test_the_svg_exists_and_is_accessible_hand_written_svg(diagram):
    path = asset_path(diagram.file)
    assert path.suffix == ".svg" and path.parent.name == "diagrams"
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text.strip() and desc is not None and len(desc.text) > 200
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = [t for t in root.iter(f"{SVG}text")]
    assert len(texts) >= 8, "labels are text, not outlined paths"
    assert not root.findall(f".//{SVG}image") and not root.findall(f".//{SVG}script"), "no embedded bitmaps or scripts"


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=NAMES)
def test_every_diagram_has_alt_text_a_long_description_and_cites_what_it_claims(diagram):
    assert 40 <= len(diagram.alt) <= 400
    assert len(diagram.description) > 2 * len(diagram.alt)
    in_text = set(keys_in_text(diagram.description))
    assert in_text and in_text <= set(diagram.cite), "the description cites only the diagram's sources"
    assert set(diagram.cite) <= in_text, "every source of the diagram is cited where its claim is described"
    svg = asset_path(diagram.file).read_text(encoding="utf-8")
    from course._references import load_references
    for key in diagram.cite:                           # the picture names its sources too
        author = load_references().get(key).short.split(",")[0].split(" et al")[0].split(" (")[0]
        assert author.replace("US FDA", "FDA").split()[-1] in svg, f"{diagram.name}: {key} is not named on the picture"


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=NAMES)
def test_every_diagram_is_placed_in_its_lesson_and_carried_inside_the_notebook(diagram):
    source = lesson_source(diagram.module).read_text(encoding="utf-8")
    assert diagram.name in DIAGRAM_BLOCK.findall(source), f"lessons/{diagram.module}_*.md does not show it"
    notebook = ROOT / "modules" / f"{lesson_source(diagram.module).stem}.ipynb"
    cells = [cell_source(c) for c in read(notebook)["cells"] if c["cell_type"] == "markdown"]
    shown = [c for c in cells if diagram.data_url() in c]
    assert len(shown) == 1, "the notebook carries the current SVG (run `make lessons` after editing it)"
    img = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', shown[0])
    assert base64.b64decode(img.group(1)).decode("utf-8") == asset_path(diagram.file).read_text(encoding="utf-8")
    assert img.group(2).startswith(diagram.alt[:40])
    assert "<summary>Text description of the diagram</summary>" in shown[0]
    assert "[@" not in shown[0], "its citations are rendered"


def test_every_svg_in_assets_is_a_described_diagram():
    files = {p.relative_to(ROOT / "assets").as_posix() for p in (ROOT / "assets" / "diagrams").glob("*.svg")}
    assert files == {d.file for d in DIAGRAMS}


def test_an_unknown_diagram_name_in_a_lesson_is_an_authoring_error_naming_the_choices():
    with pytest.raises(ContentError, match="ev_releases.*is not a diagram.*ev_release"):
        render_diagram_blocks("Text\n\n```{diagram} ev_releases\n```\n")
    with pytest.raises(ContentError):
        get("nothing")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(alt="  "), "empty alt text"),
    (lambda d: d.update(cite=["nobody2099"]), "unknown reference key"),
    (lambda d: d.update(description="Claims [@nobody2099]."), "unknown reference key"),
    (lambda d: d.pop("description"), "has no `description`"),
])
def test_a_broken_diagram_entry_says_which_and_how_to_fix_it(change, message):
    import yaml

    data = yaml.safe_load((ROOT / "course" / "content" / "diagrams.yml").read_text(encoding="utf-8"))
    change(data["diagrams"][0])
    with pytest.raises(ContentError, match=message):
        parse_diagrams(data)


def test_the_diagram_verb_shows_the_picture_with_its_alt_text_and_description(capsys):
    import course

    html = course.diagram("supply_chain", show=False)
    assert get("supply_chain").data_url() in html and 'alt="Flow diagram' in html
    assert "Text description of the diagram" in html and "[@" not in html


@pytest.mark.slow
def test_a_wheel_of_the_course_carries_the_assets_where_asset_path_finds_them(tmp_path):
    """setup.py copies assets/ into the wheel as course/_bundled_assets/ (no top-level assets/ once installed)."""
    import subprocess
    import sys
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("exosome_reality_check-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        record = archive.read(next(n for n in names if n.endswith("RECORD"))).decode()
        archive.extractall(tmp_path / "site")
    for diagram in DIAGRAMS:
        assert f"course/_bundled_assets/{diagram.file}" in names
        assert f"course/_bundled_assets/{diagram.file}," in record      # with its hash: pip installs it
    found = subprocess.run(
        [sys.executable, "-c", "import course, course._assets as a; "
         "print(course.__file__); print(a.asset_path('diagrams/ev_release.svg'))"],
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True).stdout.split()
    assert found[0].startswith(str(tmp_path / "site"))
    assert found[1] == str(tmp_path / "site" / "course" / "_bundled_assets" / "diagrams" / "ev_release.svg")
