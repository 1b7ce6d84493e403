"""The course bibliography: vetted references and how lessons cite them.

In a lesson's Markdown, cite with ``[@key]``; in a code cell, ``course.cite("key")``
shows a short citation with its DOI link.

Learners never see a key. ``render_citations`` turns ``[@misev2018]`` into the
author-year citation "(Théry et al., 2018)" linking to the entry in the notebook's own
reference list, and ``reference_list_markdown`` writes that list, each entry with its DOI
or, for a source without one, a finding aid from ``reference_links.yml`` (an official ELI
address, or a search on the publisher's or regulator's own site, labelled as such). Both are
plain Markdown, so the text reads the same before anything runs, in JupyterLab, Binder,
the learner edition, JupyterLite and nbconvert's HTML (feedback pages).
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from course._errors import ContentError
from course._yaml import CONTENT_DIR, read_yaml, require

REFERENCES_FILE = CONTENT_DIR / "references.yml"
LINKS_FILE = CONTENT_DIR / "reference_links.yml"

# `[@key]` or `[@a; @b]` in Markdown; keys are lower-case letters and digits.
_CITATION_GROUP = re.compile(r"\[(@[a-z0-9]+(?:\s*;\s*@[a-z0-9]+)*)\]")
_KEY = re.compile(r"@([a-z0-9]+)")
# A citation once rendered: a link to the entry's anchor in the reference list.
_RENDERED = re.compile(r"\]\(#ref-([a-z0-9]+)\)")
ANCHOR_PREFIX = "ref-"
# What a finding aid is; the reference list says which, so nobody mistakes a search for the page.
_LINK_KINDS = {  # kind: (link text, note after the link)
    "eli": ("{site}", "the act's official ELI address"),
    "search": ("Search {site} for it", "no direct address was verified"),
    "site": ("{site}", "home page only: no direct address was verified; search there for the title"),
}


@dataclass(frozen=True)
class FindingAid:
    """Where to find a source that has no verified DOI: never a guessed deep link."""

    url: str
    kind: str
    site: str

    def label(self) -> str:
        return _LINK_KINDS[self.kind][0].format(site=self.site)

    def note(self) -> str:
        return _LINK_KINDS[self.kind][1]


@dataclass(frozen=True)
class Reference:
    key: str
    short: str
    citation: str
    status: str
    supports: str
    doi: str | None = None
    finding_aid: FindingAid | None = None

    @property
    def link(self) -> str | None:
        """The DOI as a link, or None where no DOI was verified."""
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def url(self) -> str | None:
        """Where a reader can go: the DOI, else the finding aid's address."""
        return self.link or (self.finding_aid.url if self.finding_aid else None)

    def full_html(self) -> str:
        text = html.escape(self.citation)
        if self.link:
            text += f' <a href="{self.link}" target="_blank" rel="noopener">doi:{html.escape(self.doi or "")}</a>'
        elif self.finding_aid:
            aid = self.finding_aid
            text += (f' <a href="{html.escape(aid.url, quote=True)}" target="_blank" rel="noopener">'
                     f"{html.escape(aid.label())}</a> <small>({html.escape(aid.note())})</small>")
        return text

    def full_markdown(self) -> str:
        if self.link:
            return f"{self._sentence()} [doi:{self.doi}]({self.link})"
        if self.finding_aid:
            aid = self.finding_aid
            return f"{self._sentence()} [{_md_text(aid.label())}]({aid.url}) ({aid.note()})"
        return self._sentence()

    def _sentence(self) -> str:
        text = self.citation.rstrip()
        return _md_text(text if text.endswith((".", "?", "!")) else text + ".")


def _md_text(text: str) -> str:
    """``text`` safe inside Markdown: no stray brackets, asterisks or underscores turn into markup."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


class Citation:
    """What ``course.cite(key)`` returns: renders as a short citation with its link."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    def __str__(self) -> str:
        return f"({self.reference.short})"

    def __repr__(self) -> str:
        return f"Citation({self.reference.key!r})"

    def _repr_markdown_(self) -> str:
        ref = self.reference
        return f"([{ref.short}]({ref.link}))" if ref.link else f"({ref.short})"

    def _repr_html_(self) -> str:
        ref = self.reference
        title = html.escape(ref.citation, quote=True)
        short = html.escape(ref.short)
        if ref.link:
            return f'(<a href="{ref.link}" title="{title}" target="_blank" rel="noopener">{short}</a>)'
        return f'(<span title="{title}">{short}</span>)'


class Bibliography:
    """All references, by key."""

    def __init__(self, references: list[Reference]) -> None:
        self._by_key = {ref.key: ref for ref in references}

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Reference]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def keys(self) -> list[str]:
        return list(self._by_key)

    def get(self, key: str) -> Reference:
        try:
            return self._by_key[key]
        except KeyError:
            close = [k for k in self._by_key if k[:4] == key[:4]]
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ContentError("references.yml", key, "is not a reference key",
                               f"use a key from course/content/references.yml.{hint}") from None

    def check_keys(self, keys: list[str] | tuple[str, ...], file: str, item: str | None) -> None:
        """Raise a ContentError naming ``file`` and ``item`` for the first unknown key."""
        for key in keys:
            if key not in self._by_key:
                raise ContentError(file, item, f"cites unknown reference key `{key}`",
                                   "use a key listed in course/content/references.yml")


def keys_in_text(text: str) -> list[str]:
    """The reference keys cited in ``text``, in order of first use: as ``[@key]`` or as a
    citation ``render_citations`` has already rendered."""
    found: list[tuple[int, str]] = []
    for match in _CITATION_GROUP.finditer(text):
        found += [(match.start(), key) for key in _KEY.findall(match.group(1))]
    found += [(match.start(), match.group(1)) for match in _RENDERED.finditer(text)]
    seen: dict[str, None] = {}
    for _, key in sorted(found, key=lambda pair: pair[0]):
        seen.setdefault(key, None)
    return list(seen)


def anchor(key: str) -> str:
    """The id of ``key``'s entry in a reference list (the target of its citations)."""
    return ANCHOR_PREFIX + key


def render_citations(markdown: str, bibliography: Bibliography | None = None,
                     link_to: str = "entry") -> tuple[str, list[str]]:
    """Markdown with every ``[@key]`` group rendered as an author-year citation, and the keys used.

    ``[@sodar2016; @urzi2022]`` becomes ``([Sódar et al., 2016](#ref-sodar2016);
    [Urzì et al., 2022](#ref-urzi2022))``. With ``link_to="entry"`` (the default) each
    citation links to its entry in the same page's reference list (add one with
    ``reference_list_markdown(keys)``); with ``link_to="source"`` it links to the DOI or
    finding aid directly, for text shown without a list. Unknown keys raise ContentError.
    """
    if link_to not in ("entry", "source"):
        raise ValueError("link_to is 'entry' or 'source'")
    bib = bibliography or load_references()
    used: dict[str, None] = {}

    def one(key: str) -> str:
        ref = bib.get(key)
        used.setdefault(key, None)
        target = f"#{anchor(key)}" if link_to == "entry" else ref.url
        return f"[{_md_text(ref.short)}]({target})" if target else _md_text(ref.short)

    def group(match: re.Match[str]) -> str:
        return "(" + "; ".join(one(key) for key in _KEY.findall(match.group(1))) + ")"

    return _CITATION_GROUP.sub(group, markdown), list(used)


def reference_list_markdown(keys: list[str] | tuple[str, ...], heading: str | None = "## References",
                            bibliography: Bibliography | None = None) -> str:
    """A Markdown reference list for ``keys``, alphabetical, each entry the target of its citations.

    Every entry carries an anchor (``<a id="ref-KEY"></a>``) and its DOI, or a labelled finding
    aid where the source has none. ``heading=None`` leaves the heading out.
    """
    bib = bibliography or load_references()
    references = sorted({key: bib.get(key) for key in keys}.values(), key=lambda r: r.citation.lower())
    lines = [f'- <a id="{anchor(ref.key)}"></a>{ref.full_markdown()}' for ref in references]
    head = [heading, ""] if heading else []
    return "\n".join(head + lines) + "\n"


def parse_references(data: object, file: str = "references.yml",
                     aids: dict[str, FindingAid] | None = None) -> Bibliography:
    entries = require(data, "references", file, None, list, "start the file with `references:` and a list")
    references: list[Reference] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        item = f"entry {index}"
        key = require(entry, "key", file, item, str, "give every reference a short key such as misev2018")
        item = f"reference `{key}`"
        if key in seen:
            raise ContentError(file, item, "appears twice", "keep one entry per key")
        seen.add(key)
        if not re.fullmatch(r"[a-z0-9]+", key):
            raise ContentError(file, item, "key may use only lower-case letters and digits",
                               "rename it, e.g. smith2024")
        if aids and key in aids and entry.get("doi"):
            raise ContentError(LINKS_FILE.name, f"link `{key}`", "is for a reference that has a DOI",
                               "remove the link: the DOI is the address")
        references.append(Reference(
            key=key,
            short=require(entry, "short", file, item, str, "add a short form such as 'Théry et al., 2018'"),
            citation=require(entry, "citation", file, item, str, "add the full citation"),
            status=str(require(entry, "status", file, item, str, "add the verification status (V, V-part or U)")),
            supports=require(entry, "supports", file, item, str, "say what the source supports"),
            doi=entry.get("doi"),
            finding_aid=(aids or {}).get(key),
        ))
    if aids:
        for key in aids:
            if key not in seen:
                raise ContentError(LINKS_FILE.name, f"link `{key}`", "names a key that is not in references.yml",
                                   "use a key from course/content/references.yml")
    return Bibliography(references)


def parse_links(data: object, file: str = "reference_links.yml") -> dict[str, FindingAid]:
    """Finding aids for references without a DOI, validated."""
    entries = require(data, "links", file, None, list, "start the file with `links:` and a list")
    aids: dict[str, FindingAid] = {}
    for index, entry in enumerate(entries, start=1):
        key = require(entry, "key", file, f"entry {index}", str, "name the reference key, e.g. fda2019")
        item = f"link `{key}`"
        if key in aids:
            raise ContentError(file, item, "appears twice", "keep one link per key")
        url = require(entry, "url", file, item, str, "give the https:// address")
        kind = require(entry, "kind", file, item, str, f"say what kind of link it is: {', '.join(_LINK_KINDS)}")
        site = require(entry, "site", file, item, str, "name the site, e.g. the FDA's website")
        if not url.startswith("https://"):
            raise ContentError(file, item, "is not an https:// address", "use the site's https:// address")
        if kind not in _LINK_KINDS:
            raise ContentError(file, item, f"has kind `{kind}`", f"use one of {', '.join(_LINK_KINDS)}")
        aids[key] = FindingAid(url=url, kind=kind, site=site)
    return aids


@lru_cache(maxsize=1)
def load_references(path: Path | None = None, links: Path | None = None) -> Bibliography:
    """The course bibliography, validated (cached: content does not change in a session)."""
    file = path or REFERENCES_FILE
    links_file = links or LINKS_FILE
    aids = parse_links(read_yaml(links_file), file=links_file.name) if links_file.exists() else {}
    return parse_references(read_yaml(file), file=file.name, aids=aids)


def cite(key: str) -> Citation:
    """A short citation for ``key`` with its DOI link, e.g. ``course.cite("misev2018")``."""
    return Citation(load_references().get(key))
