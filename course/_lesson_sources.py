"""Lesson sources (``lessons/*.md``) rendered into the notebooks learners open (``modules/*.ipynb``).

Authors write each lesson as a MyST Markdown notebook (jupytext's ``md:myst`` format:
Markdown, with ``{code-cell}`` blocks for the few course verbs) and cite with ``[@key]``.
``make lessons`` renders every source into its notebook:

- each ``[@key]`` group becomes an author-year citation, "(Théry et al., 2018 (MISEV2018))",
  linking to its entry in the lesson's reference list (``course._references.render_citations``);
- a last Markdown cell lists every source the lesson cites (text, objectives, questions,
  figures and tools), each entry with its DOI or a labelled finding aid;
- a ``{diagram}`` block becomes the diagram from ``assets/diagrams/``, carried in the
  notebook with its alt text and long description (``course._diagrams``);
- code cells are collapsed (JupyterLab's ``source_hidden``), with no outputs, execution
  counts or random cell ids, so a render is byte-for-byte repeatable.

The notebooks are generated files: edit the sources. ``tests/test_lessons.py`` renders every
source in memory and fails when a committed notebook differs (the drift check), and
``python -m course._lesson_sources --check`` does the same from the command line.
``--show-code`` (``make lessons SHOW_CODE=1``) renders with the code cells open.

jupytext is a development dependency (the ``test`` extra): learners never import this module.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError, ContentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = PROJECT_ROOT / "lessons"
NOTEBOOKS_DIR = PROJECT_ROOT / "modules"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
REFERENCES_HEADING = "## References"


@dataclass(frozen=True)
class RenderOptions:
    show_code: bool = False


def source_paths(folder: Path = SOURCES_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.md"))


def notebook_path_for(source: Path, folder: Path = NOTEBOOKS_DIR) -> Path:
    return folder / f"{source.stem}.ipynb"


def _jupytext() -> Any:
    try:
        import jupytext
    except ImportError:
        raise ConfigurationError("Rendering the lessons needs jupytext, a development tool: "
                                 "run `make lessons`, or `.venv/bin/python -m pip install -e '.[test]'`.") from None
    return jupytext


def read_source(source: Path) -> Any:
    """The lesson source as a notebook (jupytext's reading of the MyST Markdown)."""
    return _jupytext().reads(source.read_text(encoding="utf-8"), fmt="md:myst")


def render(source: Path, options: RenderOptions | None = None) -> Any:
    """The notebook for one lesson source, as ``make lessons`` writes it."""
    import nbformat

    from course._diagrams import render_diagram_blocks
    from course._lesson import cited_keys
    from course._references import reference_list_markdown, render_citations

    options = options or RenderOptions()
    module = source.stem[:2]
    text_nb = read_source(source)
    cells = []
    for index, cell in enumerate(text_nb.cells):
        text = cell.source.strip("\n")
        item = f"cell {index + 1}"
        if cell.cell_type == "markdown":
            try:
                text, _ = render_diagram_blocks(text)
                text, _ = render_citations(text)
            except ContentError as error:
                # Say which lesson cell the unknown key or diagram is in, with the original fix.
                raise ContentError(f"lessons/{source.name}", item, f"{error.item}: {error.problem}", error.fix) from None
            new = nbformat.v4.new_markdown_cell(text)
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(text)
            if not options.show_code:
                new.metadata["jupyter"] = {"source_hidden": True}
        else:
            new = nbformat.v4.new_raw_cell(text)
        cells.append(new)
    keys = cited_keys(module, cells=[dict(c) for c in cells])
    cells.append(nbformat.v4.new_markdown_cell(reference_list_markdown(keys, heading=REFERENCES_HEADING).rstrip("\n")))
    for number, cell in enumerate(cells):
        cell.id = f"m{module}-{number:03d}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC),
                                                         "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def to_text(nb: Any) -> str:
    """The notebook file's text: nbformat's layout, UTF-8 left readable, one newline at the end."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def render_all(check: bool = False, options: RenderOptions | None = None, sources: Path = SOURCES_DIR,
               notebooks: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Render every source; return the notebooks that were (or, with ``check``, would be) changed."""
    from course._atomic import write_text

    changed: list[Path] = []
    paths = source_paths(sources)
    if not paths:
        raise ConfigurationError(f"No lesson sources found in {sources}.")
    for source in paths:
        target = notebook_path_for(source, notebooks)
        text = to_text(render(source, options))
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if text != current:
            changed.append(target)
            if not check:
                write_text(target, text)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course._lesson_sources",
                                     description="Render lessons/*.md into modules/*.ipynb.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    parser.add_argument("--show-code", action="store_true", help="leave the code cells open (not collapsed)")
    args = parser.parse_args(argv)
    changed = render_all(check=args.check, options=RenderOptions(show_code=args.show_code))
    for path in changed:
        verb = "out of date" if args.check else "rendered"
        print(f"{verb}: {path.relative_to(PROJECT_ROOT)}")
    if args.check and changed:
        print("Run `make lessons` and commit the notebooks with their sources.", file=sys.stderr)
        return 1
    if not changed:
        print("lessons: every notebook is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
