"""The course bibliography: vetted references and how lessons cite them.

In a lesson's Markdown, cite with ``[@key]``; in a code cell, ``course.cite("key")``
shows a short citation with its DOI link.
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

# `[@key]` or `[@a; @b]` in Markdown; keys are lower-case letters and digits.
_CITATION_GROUP = re.compile(r"\[(@[a-z0-9]+(?:\s*;\s*@[a-z0-9]+)*)\]")
_KEY = re.compile(r"@([a-z0-9]+)")


@dataclass(frozen=True)
class Reference:
    key: str
    short: str
    citation: str
    status: str
    supports: str
    doi: str | None = None

    @property
    def link(self) -> str | None:
        """The DOI as a link, or None where no DOI was verified."""
        return f"https://doi.org/{self.doi}" if self.doi else None

    def full_html(self) -> str:
        text = html.escape(self.citation)
        if self.link:
            text += f' <a href="{self.link}" target="_blank" rel="noopener">doi:{html.escape(self.doi or "")}</a>'
        return text

    def full_markdown(self) -> str:
        return self.citation + (f" [doi:{self.doi}]({self.link})" if self.link else "")


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
    """The reference keys cited as ``[@key]`` in ``text``, in order of first use."""
    seen: dict[str, None] = {}
    for group in _CITATION_GROUP.findall(text):
        for key in _KEY.findall(group):
            seen.setdefault(key, None)
    return list(seen)


def parse_references(data: object, file: str = "references.yml") -> Bibliography:
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
        references.append(Reference(
            key=key,
            short=require(entry, "short", file, item, str, "add a short form such as 'Théry et al., 2018'"),
            citation=require(entry, "citation", file, item, str, "add the full citation"),
            status=str(require(entry, "status", file, item, str, "add the verification status (V, V-part or U)")),
            supports=require(entry, "supports", file, item, str, "say what the source supports"),
            doi=entry.get("doi"),
        ))
    return Bibliography(references)


@lru_cache(maxsize=1)
def load_references(path: Path | None = None) -> Bibliography:
    """The course bibliography, validated (cached: content does not change in a session)."""
    file = path or REFERENCES_FILE
    return parse_references(read_yaml(file), file=file.name)


def cite(key: str) -> Citation:
    """A short citation for ``key`` with its DOI link, e.g. ``course.cite("misev2018")``."""
    return Citation(load_references().get(key))
