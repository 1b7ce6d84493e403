"""Every lesson, as a learner meets it: it runs, it is cited, honest and accessible."""
from __future__ import annotations

import csv
import re

import pytest

from course._figures import build
from course._lesson_sources import notebook_path_for, read_source, render, source_paths, to_text
from course._questions import load_all_banks, load_bank
from course._references import anchor, keys_in_text, load_references
from course._syllabus import load_syllabus
from tests.conftest import ROOT
from tests.notebooks import CONTROL_MODELS, cell_source, execute, lesson_paths, read, widget_models, word_count

LESSONS = lesson_paths()
IDS = [p.stem for p in LESSONS]
SOURCES = source_paths()
INTERACTIVE = ("course.reflect(", "course.dossier_checker(", "course.factcheck(", "course.checklist(",
               "course.evaluate(", 'course.figure("timeline"')

_executed: dict[str, object] = {}


@pytest.fixture
def executed(tmp_path_factory):
    """Run a lesson once per test session (several tests read the executed result)."""
    def run(path):
        if path.stem not in _executed:
            _executed[path.stem] = execute(path, tmp_path_factory.mktemp(f"home-{path.stem}"))
        return _executed[path.stem]
    return run


def module_id(path) -> str:
    return path.stem[:2]


def test_there_is_a_lesson_for_every_module_in_the_syllabus():
    assert [p.stem for p in LESSONS] == [m.slug for m in load_syllabus().modules]


# ---------------------------------------------------------------- it runs

@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_executes_top_to_bottom_in_a_fresh_kernel_without_error(path, executed):
    nb = executed(path)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{path.name}: {output.get('ename')}: {output.get('evalue')}"
            if output.get("output_type") == "stream":
                assert "Traceback" not in output.get("text", ""), f"{path.name} printed a traceback"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_widget_control_has_a_label(path, executed):
    unlabelled = [m["model_name"] for m in widget_models(executed(path))
                  if m.get("model_name") in CONTROL_MODELS
                  and not (m.get("state", {}).get("description") or m.get("state", {}).get("tooltip")
                           or m.get("state", {}).get("description_allow_html"))]
    assert not unlabelled, f"{path.name}: controls without a label: {unlabelled}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lessons_are_committed_without_outputs_or_execution_counts(path):
    for cell in read(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name


# ---------------------------------------------------------------- sources and notebooks

def test_every_lesson_notebook_has_a_source_and_every_source_a_notebook():
    assert [p.stem for p in SOURCES] == IDS


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_the_committed_notebook_is_exactly_the_rendering_of_its_source(source):
    """The drift check: edit lessons/*.md, run `make lessons`, commit both."""
    committed = notebook_path_for(source).read_text(encoding="utf-8")
    assert committed == to_text(render(source)), (
        f"modules/{source.stem}.ipynb is not the rendering of lessons/{source.name}: run `make lessons`")


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_code_cells_are_collapsed_so_a_learner_sees_text_and_widgets(path):
    for cell in read(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, cell_source(cell)


def test_show_code_renders_the_same_lesson_with_its_code_open():
    from course._lesson_sources import RenderOptions

    open_nb = render(SOURCES[1], RenderOptions(show_code=True))
    assert all("jupyter" not in c.metadata for c in open_nb.cells if c.cell_type == "code")
    assert [c.source for c in open_nb.cells] == [c.source for c in render(SOURCES[1]).cells]


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_the_rendering_keeps_every_cell_of_the_source_in_order_and_adds_only_the_reference_list(source):
    original = read_source(source).cells
    rendered = read(notebook_path_for(source))["cells"]
    assert len(rendered) == len(original) + 1
    for before, after in zip(original, rendered):
        assert before.cell_type == after["cell_type"]
        if before.cell_type == "code":
            assert before.source.strip("\n") == cell_source(after)
        else:   # the same words once citations are set aside
            assert re.sub(r"\[@[^\]]+\]", "", before.source).split()[:8] == \
                re.sub(r"\(\[[^\]]+\]\(#ref-[a-z0-9]+\)(?:; \[[^\]]+\]\(#ref-[a-z0-9]+\))*\)", "",
                       cell_source(after)).split()[:8]
    assert cell_source(rendered[-1]).startswith("## References")


# ---------------------------------------------------------------- the frame

@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_names_the_python3_kernel_so_jupyterlab_starts_it_without_asking(path):
    assert read(path)["metadata"].get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_opens_with_start_and_closes_with_key_points_reflection_references_and_record(path):
    cells = read(path)["cells"]
    code = [cell_source(c) for c in cells if c["cell_type"] == "code"]
    markdown = [cell_source(c) for c in cells if c["cell_type"] == "markdown"]
    mid = module_id(path)
    assert f'course.start("{mid}")' in code[0]
    assert f'course.finish("{mid}")' in "".join(code[-2:])
    assert "course.record()" in code[-1]
    if mid != "00":
        assert any(line.strip().startswith("## Key points") for md in markdown for line in md.splitlines())
        assert any(f'course.reflect("{mid}")' in c for c in code)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_fictional_cases_say_so_in_their_first_line(path):
    for cell in read(path)["cells"]:
        text = cell_source(cell)
        if cell["cell_type"] == "markdown" and re.search(r"composite case|fictional", text, re.I):
            lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
            if re.search(r"composite case", text, re.I):
                assert "fictional" in lines[0].lower(), f"{path.name}: a composite case must say it is fictional first"


# ---------------------------------------------------------------- citations

def _all_cited_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    sources = [*LESSONS, *sorted((ROOT / "grading" / "source").glob("*/*.ipynb"))]
    for path in sources:
        for cell in read(path)["cells"]:
            found.setdefault(str(path.relative_to(ROOT)), set()).update(keys_in_text(cell_source(cell)))
    for bank in load_all_banks():
        found[bank.file] = {k for q in bank.questions for k in q.cite_keys()}
    for data in sorted((ROOT / "course" / "content").rglob("*.yml")):
        text = data.read_text(encoding="utf-8")
        keys = set(re.findall(r"^\s*(?:-\s*)?(?:cite|reference|references):\s*\[?([a-z0-9, ]+)\]?\s*$", text, re.M))
        found.setdefault(str(data.relative_to(ROOT)), set()).update(
            k.strip() for group in keys for k in group.split(",") if k.strip())
    return found


def test_every_citation_key_used_anywhere_resolves():
    bibliography = load_references()
    unknown = {where: sorted(k for k in keys if k not in bibliography) for where, keys in _all_cited_keys().items()}
    assert not {w: k for w, k in unknown.items() if k}


def test_every_data_file_names_a_reference_for_every_row():
    bibliography = load_references()
    for path in sorted((ROOT / "course" / "content" / "data").glob("*.csv")):
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert rows and "reference" in rows[0], f"{path.name} needs a reference column"
        for row in rows:
            for key in re.split(r"[;,\s]+", row["reference"].strip()):
                assert key in ("textbook", "course") or key in bibliography, f"{path.name}: unknown reference {key!r}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_lesson_cites_its_sources(path):
    text = " ".join(cell_source(c) for c in read(path)["cells"] if c["cell_type"] == "markdown")
    assert len(keys_in_text(text)) >= (1 if module_id(path) == "00" else 5)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_a_learner_sees_author_year_citations_never_a_raw_key(path):
    for cell in read(path)["cells"]:
        if cell["cell_type"] == "markdown":
            assert not re.search(r"\[@[a-z0-9]", cell_source(cell)), f"{path.name}: a raw citation key"
    text = " ".join(cell_source(c) for c in read(path)["cells"])
    if module_id(path) == "01":
        assert "([Théry et al., 2018 (MISEV2018)](#ref-misev2018))" in text


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_citation_links_to_an_entry_in_the_lessons_own_reference_list_and_every_entry_is_cited(path):
    cells = read(path)["cells"]
    references = cell_source(cells[-1])
    entries = re.findall(r'^- <a id="ref-([a-z0-9]+)"></a>', references, re.M)
    cited = set(re.findall(r"\]\(#ref-([a-z0-9]+)\)", " ".join(cell_source(c) for c in cells[:-1])))
    assert cited and cited <= set(entries), f"{path.name}: citations without an entry: {cited - set(entries)}"
    from course._lesson import cited_keys
    assert set(entries) == set(cited_keys(module_id(path))), "the list is every source the lesson uses, no more"
    assert len(entries) == len(set(entries))


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_reference_entry_links_to_its_doi_or_a_finding_aid_that_says_what_it_is(path):
    bibliography = load_references()
    lines = [line for line in cell_source(read(path)["cells"][-1]).splitlines() if line.startswith("- ")]
    for line in lines:
        key = re.match(r'- <a id="ref-([a-z0-9]+)"></a>', line).group(1)
        ref = bibliography.get(key)
        assert line.startswith(f'- <a id="{anchor(key)}"></a>')
        if ref.doi:
            assert f"[doi:{ref.doi}](https://doi.org/{ref.doi})" in line
        else:
            aid = ref.finding_aid
            assert aid is not None, f"{key} has neither a DOI nor a finding aid in reference_links.yml"
            assert f"]({aid.url}) ({aid.note()})" in line


# ---------------------------------------------------------------- questions

def test_every_objective_has_at_least_two_questions_and_one_applies_it_to_a_scenario():
    banks = {b.module: b for b in load_all_banks()}
    for objective in load_syllabus().objectives():
        bank = banks.get(objective.module_id)
        questions = [q for q in (bank.questions if bank else ()) if q.objective == objective.id]
        assert len(questions) >= 2, f"objective {objective.id} has {len(questions)} questions"
        if objective.module_id != "00":
            assert any(q.scenario for q in questions), f"objective {objective.id} has no scenario question"


def test_no_question_text_appears_twice_in_the_course():
    seen: dict[str, str] = {}
    for bank in load_all_banks():
        for q in bank.questions:
            key = re.sub(r"\W+", " ", q.prompt.lower()).strip()
            assert key not in seen, f"{bank.module}/{q.id} repeats {seen[key]}"
            seen[key] = f"{bank.module}/{q.id}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_question_the_lesson_shows_exists_and_every_bank_question_is_shown(path):
    mid = module_id(path)
    code = " ".join(cell_source(c) for c in read(path)["cells"] if c["cell_type"] == "code")
    shown = re.findall(rf'course\.quiz\("{mid}",\s*"([a-z0-9-]+)"\)', code)
    bank = load_bank(mid)
    for qid in shown:
        bank.get(qid)
    if f'course.quiz("{mid}")' not in code:
        assert sorted(shown) == sorted(q.id for q in bank.questions)


# ---------------------------------------------------------------- minutes are honest

def estimated_minutes(path) -> float:
    # Words as the author wrote them (the source): a rendered citation is not reading time.
    cells = [dict(c) for c in read_source(ROOT / "lessons" / f"{path.stem}.md").cells]
    mid = module_id(path)
    words = sum(word_count(cell_source(c)) for c in cells if c["cell_type"] == "markdown")
    code = " ".join(cell_source(c) for c in cells if c["cell_type"] == "code")
    bank = load_bank(mid)
    if f'course.quiz("{mid}")' in code:
        shown = list(bank.questions)
    else:
        shown = [bank.get(q) for q in re.findall(rf'course\.quiz\("{mid}",\s*"([a-z0-9-]+)"\)', code)]
    words += sum(word_count(q.words()) for q in shown)
    tools = sum(code.count(call) for call in INTERACTIVE)
    return words / 200 + len(shown) + 2 * tools


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_declared_minutes_lie_within_30_percent_of_the_estimate(path):
    declared = load_syllabus().module(module_id(path)).minutes
    estimate = estimated_minutes(path)
    assert 0.7 * estimate <= declared <= 1.3 * estimate, (
        f"{path.name}: declares {declared} min, estimate {estimate:.1f} min")


# ---------------------------------------------------------------- accessibility

@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_image_has_alt_text(path):
    for cell in read(path)["cells"]:
        text = cell_source(cell)
        for alt in re.findall(r"!\[([^\]]*)\]\(", text):
            assert alt.strip(), f"{path.name}: an image without alt text"
        for tag in re.findall(r"<img\b[^>]*>", text, re.I):
            assert re.search(r'alt="[^"]+"', tag), f"{path.name}: <img> without alt text"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_figure_has_a_description_and_a_data_table(path):
    code = " ".join(cell_source(c) for c in read(path)["cells"] if c["cell_type"] == "code")
    for name in re.findall(r'course\.figure\("([a-z0-9_]+)"', code):
        figure = build(name)
        assert figure.description.strip() and figure.rows and figure.columns
        assert figure.figure.layout.title.text, f"figure {name} has no title"
        assert figure.figure.layout.xaxis.title.text and figure.figure.layout.yaxis.title.text
