"""The course's diagrams: hand-drawn SVGs in ``assets/diagrams/``, described in ``diagrams.yml``.

Each diagram has a title, alt text, a long description (which may cite ``[@key]``) and the
references its claims rest on. A lesson source places one with a block of its own::

    ```{diagram} ev_release
    ```

and ``make lessons`` renders it into Markdown the notebook carries with it: a caption, the
SVG as an ``<img>`` with a ``data:`` address and its alt text, and the long description in a
``<details>`` disclosure. Carried inside the notebook, the picture needs no file beside it,
so JupyterLab, Binder, the learner edition, JupyterLite and nbconvert's HTML all show it,
and it is there before anything runs. (JupyterLab renders cell *attachments* only for
bitmap types, not SVG, so an attachment would not do; a relative path to ``assets/`` breaks
as soon as a notebook is copied anywhere without the folder.)

``course.diagram(name)`` shows the same diagram from a code cell, reading the SVG through
``asset_path`` (the repository's ``assets/`` or an installed wheel's bundled copy).
"""
from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from course._errors import ContentError
from course._yaml import CONTENT_DIR, read_yaml, require

DIAGRAMS_FILE = CONTENT_DIR / "diagrams.yml"
# A ```{diagram} name``` block, alone in its lines, in a lesson source's Markdown.
DIAGRAM_BLOCK = re.compile(r"^```\{diagram\}[ \t]+([a-z0-9_]+)[ \t]*\n```[ \t]*$", re.M)


@dataclass(frozen=True)
class Diagram:
    name: str
    file: str           # relative to assets/
    module: str
    title: str
    alt: str
    description: str
    cite: tuple[str, ...]

    def svg(self) -> str:
        from course._assets import asset_path

        return asset_path(self.file).read_text(encoding="utf-8")

    def data_url(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg().encode("utf-8")).decode("ascii")

    def markdown(self) -> str:
        """The Markdown a lesson notebook carries for this diagram (citations still as ``[@key]``)."""
        alt = html.escape(self.alt, quote=True)
        sources = "; ".join(f"@{key}" for key in self.cite)
        return (f"**Diagram: {self.title}.** Sources: [{sources}]\n\n"
                f'<img src="{self.data_url()}" alt="{alt}" class="erc-diagram" '
                f'style="max-width: 100%; height: auto;">\n\n'
                f"<details>\n<summary>Text description of the diagram</summary>\n\n{self.description.strip()}\n\n"
                f"</details>")


def parse_diagrams(data: object, file: str = "diagrams.yml") -> dict[str, Diagram]:
    from course._references import keys_in_text, load_references

    entries = require(data, "diagrams", file, None, list, "start the file with `diagrams:` and a list")
    bibliography = load_references()
    diagrams: dict[str, Diagram] = {}
    for index, entry in enumerate(entries, start=1):
        name = require(entry, "name", file, f"entry {index}", str, "give the diagram a name such as ev_release")
        item = f"diagram `{name}`"
        if name in diagrams:
            raise ContentError(file, item, "appears twice", "keep one entry per diagram")
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ContentError(file, item, "name may use only lower-case letters, digits and _", "rename it")
        cite = require(entry, "cite", file, item, list, "list the reference keys its claims rest on")
        description = require(entry, "description", file, item, str, "write the long description")
        diagram = Diagram(
            name=name,
            file=require(entry, "file", file, item, str, "give the SVG's path under assets/, e.g. diagrams/x.svg"),
            module=str(require(entry, "module", file, item, str, 'say which lesson shows it, e.g. "01"')),
            title=require(entry, "title", file, item, str, "give it a short title"),
            alt=require(entry, "alt", file, item, str, "write alt text: what the picture shows, in a sentence or two"),
            description=description,
            cite=tuple(cite),
        )
        if not diagram.alt.strip() or not description.strip():
            raise ContentError(file, item, "has empty alt text or description", "describe the picture in words")
        bibliography.check_keys([*diagram.cite, *keys_in_text(description)], file, item)
        diagrams[name] = diagram
    return diagrams


@lru_cache(maxsize=1)
def load_diagrams(path: Path | None = None) -> dict[str, Diagram]:
    file = path or DIAGRAMS_FILE
    return parse_diagrams(read_yaml(file), file=file.name) if file.exists() else {}


def get(name: str) -> Diagram:
    diagrams = load_diagrams()
    try:
        return diagrams[name]
    except KeyError:
        raise ContentError("diagrams.yml", name, "is not a diagram",
                           f"use one of: {', '.join(sorted(diagrams)) or '(none yet)'}") from None


def render_diagram_blocks(markdown: str) -> tuple[str, list[str]]:
    """``markdown`` with each ``{diagram}`` block replaced by the diagram, and the names used."""
    used: list[str] = []

    def one(match: re.Match[str]) -> str:
        diagram = get(match.group(1))
        used.append(diagram.name)
        return diagram.markdown()

    return DIAGRAM_BLOCK.sub(one, markdown), used


def diagram(name: str, show: bool = True) -> str:
    """Show one of the course's diagrams with its description, e.g. ``course.diagram("ev_release")``.

    The lessons already carry their diagrams; this shows one again anywhere else. Returns the
    HTML (``show=False`` only returns it)."""
    from course._display import inline_markdown, show_html

    d = get(name)
    markup = (f'<figure class="erc-figure"><figcaption><strong>Diagram: {html.escape(d.title)}</strong>'
              f'</figcaption><img src="{d.data_url()}" alt="{html.escape(d.alt, quote=True)}" '
              f'style="max-width: 100%; height: auto;"><details><summary>Text description of the diagram</summary>'
              f"<p>{inline_markdown(d.description.strip())}</p></details></figure>")
    if show:
        show_html(markup)
    return markup
