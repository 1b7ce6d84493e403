"""The dossier checker's content: fields, concerns, marker categories and the worked example.

All of it is data in ``course/content/dossier.yml``; this module validates it so an
author's mistake names the file, the item and the fix, and so an edit cannot silently
switch one of the checker's rules off.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from course._errors import ContentError
from course._yaml import CONTENT_DIR, read_yaml, require

DOSSIER_FILE = CONTENT_DIR / "dossier.yml"
FIELD_KINDS = ("text", "checkbox", "choice", "number", "list")

# The value a learner may type or pass for each kind of field.
EntryValue = str | bool | int | float | Sequence[str] | None

# The rules refer to these fields, concerns and categories by key.
REQUIRED_FIELDS = {"cell_source": "text", "fbs": "choice", "culture_medium": "text",
                   "particle_count": "number", "protein_content": "number",
                   "positive_markers": "list", "negative_markers": "list",
                   "single_vesicle": "list", "regulatory_status": "text"}
REQUIRED_CONCERNS = ("fbs", "fbs_depleted", "positive_markers_short", "single_vesicle_one_method",
                     "human_cosmetic")
REQUIRED_CATEGORIES = ("transmembrane", "cytosolic")
# Sentences of the result the view shows (cited prose, so it lives in the content file too).
REQUIRED_REPORT_TEXTS = ("complete", "marker_minimum", "ratio_caution")
FBS_CHOICES = {"not_stated", "yes", "depleted", "no"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class DossierField:
    """One thing a supplier should document: its label, why it matters, its sources."""
    key: str
    group: str
    label: str
    kind: str
    why: str
    cite: tuple[str, ...]
    placeholder: str = ""
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ConcernText:
    title: str
    text: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class MarkerCategory:
    """A kind of positive EV marker MISEV2018 asks for, with the names the checker recognises."""
    key: str
    label: str
    names: tuple[str, ...]
    cite: tuple[str, ...]

    def recognises(self, marker: str) -> bool:
        """True when ``marker`` ("CD63", "cd 63 (western blot)", "Syntenin-1") names one of ours."""
        typed = _squash(marker)
        for name in self.names:
            known = _squash(name)
            if typed == known or (typed.startswith(known) and not typed[len(known)].isalnum()):
                return True
        return False


def _squash(text: str) -> str:
    """Lower case without spaces or hyphens: "CD 63" and "cd-63" both become "cd63"."""
    return "".join(ch for ch in text.lower() if ch not in " -\u2010\u2011")


@dataclass(frozen=True)
class DossierSpec:
    fields: tuple[DossierField, ...]
    concerns: Mapping[str, ConcernText]
    categories: Mapping[str, MarkerCategory]
    report_texts: Mapping[str, str]
    example_name: str
    example_values: Mapping[str, EntryValue]

    def field(self, key: str) -> DossierField:
        for item in self.fields:
            if item.key == key:
                return item
        raise ContentError(DOSSIER_FILE.name, key, "is not a dossier field",
                           f"use one of {', '.join(f.key for f in self.fields)}")


def _cited(raw: Any, file: str, item: str, bibliography: Any, text: str = "") -> tuple[str, ...]:
    from course._references import keys_in_text

    cite = require(raw, "cite", file, item, list, "add `cite: [key]` from references.yml")
    if not cite or not all(isinstance(k, str) for k in cite):
        raise ContentError(file, item, "has no citation", "add `cite: [key]` from references.yml")
    bibliography.check_keys(list(cite) + keys_in_text(text), file, item)
    return tuple(cite)


def _parse_field(raw: Any, index: int, file: str, bibliography: Any) -> DossierField:
    key = require(raw, "key", file, f"field {index}", str, "give the field a key such as cell_source")
    item = f"field `{key}`"
    kind = require(raw, "kind", file, item, str, f"set kind to one of {', '.join(FIELD_KINDS)}")
    if kind not in FIELD_KINDS:
        raise ContentError(file, item, f"has unknown kind {kind!r}", f"use one of {', '.join(FIELD_KINDS)}")
    why = " ".join(require(raw, "why", file, item, str, "say why the field matters").split())
    cite = _cited(raw, file, item, bibliography, why)
    choices: tuple[Choice, ...] = ()
    if kind == "choice":
        raw_choices = require(raw, "choices", file, item, list, "list the choices with value and label")
        choices = tuple(Choice(str(require(c, "value", file, item, (str, bool), "give each choice a value")),
                               require(c, "label", file, item, str, "give each choice a label"))
                        for c in raw_choices)
        if not any(c.value == "not_stated" for c in choices):
            raise ContentError(file, item, "has no `not_stated` choice",
                               "add a choice with value: not_stated (it means the field is missing)")
    return DossierField(
        key=key, group=require(raw, "group", file, item, str, "name the group heading"),
        label=require(raw, "label", file, item, str, "give the control's label"),
        kind=kind, why=why, cite=cite, placeholder=str(raw.get("placeholder") or ""), choices=choices,
    )


def parse_spec(data: Any, file: str = "dossier.yml") -> DossierSpec:
    """Validate the dossier content (already parsed from YAML)."""
    from course._references import keys_in_text, load_references

    bibliography = load_references()
    fields: list[DossierField] = []
    for index, raw in enumerate(require(data, "fields", file, None, list, "list the fields under `fields:`"), 1):
        parsed = _parse_field(raw, index, file, bibliography)
        if any(f.key == parsed.key for f in fields):
            raise ContentError(file, f"field `{parsed.key}`", "appears twice", "keep one entry per field")
        fields.append(parsed)
    by_key = {f.key: f for f in fields}
    for key, kind in REQUIRED_FIELDS.items():
        if key not in by_key or by_key[key].kind != kind:
            raise ContentError(file, f"field `{key}`", f"is missing or not of kind {kind!r}",
                               "the checker's rules need it; restore it")
    if {c.value for c in by_key["fbs"].choices} != FBS_CHOICES:
        raise ContentError(file, "field `fbs`", "has the wrong choices",
                           f"use exactly the values {', '.join(sorted(FBS_CHOICES))}")

    raw_concerns = require(data, "concerns", file, None, dict, "add the `concerns:` section")
    concerns: dict[str, ConcernText] = {}
    for code in REQUIRED_CONCERNS:
        raw = require(raw_concerns, code, file, "concerns", dict, f"add the concern `{code}`")
        item = f"concern `{code}`"
        text = " ".join(require(raw, "text", file, item, str, "write the concern's text").split())
        concerns[code] = ConcernText(require(raw, "title", file, item, str, "give the concern a title"), text,
                                     _cited(raw, file, item, bibliography, text))

    raw_categories = require(data, "marker_categories", file, None, dict,
                             "add `marker_categories:` with transmembrane and cytosolic markers")
    categories: dict[str, MarkerCategory] = {}
    for code in REQUIRED_CATEGORIES:
        raw = require(raw_categories, code, file, "marker_categories", dict, f"add the category `{code}`")
        item = f"marker category `{code}`"
        names = require(raw, "names", file, item, list, "list the marker names the checker should recognise")
        if not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise ContentError(file, item, "has no marker names", "list names such as CD63 under `names:`")
        categories[code] = MarkerCategory(code, require(raw, "label", file, item, str, "give the category a label"),
                                          tuple(n.strip() for n in names), _cited(raw, file, item, bibliography))

    raw_report = require(data, "report", file, None, dict, "add the `report:` sentences of the result")
    report_texts: dict[str, str] = {}
    for code in REQUIRED_REPORT_TEXTS:
        text = " ".join(str(require(raw_report, code, file, "report", str, f"write the `{code}` sentence")).split())
        bibliography.check_keys(keys_in_text(text), file, f"report `{code}`")
        report_texts[code] = text

    example = require(data, "worked_example", file, None, dict, "add the fictional `worked_example:`")
    name = require(example, "name", file, "worked_example", str, "name the example (say it is fictional)")
    if "fictional" not in name.lower():
        raise ContentError(file, "worked_example", "is not labelled as fictional",
                           "start its name with 'Fictional' so no one mistakes it for a real product")
    values = require(example, "values", file, "worked_example", dict, "give the example's field values")
    unknown = set(values) - set(by_key)
    if unknown:
        raise ContentError(file, "worked_example", f"names unknown fields {', '.join(sorted(unknown))}",
                           "use the keys listed under `fields:`")
    return DossierSpec(fields=tuple(fields), concerns=concerns, categories=categories, report_texts=report_texts,
                       example_name=name, example_values=values)


@lru_cache(maxsize=1)
def load_spec(path: Path | None = None) -> DossierSpec:
    """The dossier fields, concerns, marker categories and worked example, validated (cached)."""
    file = path or DOSSIER_FILE
    return parse_spec(read_yaml(file), file=file.name)


def cited_keys() -> list[str]:
    """Every reference the checker can cite (for the lesson's reference list)."""
    from course._figures._purity import load_purity_bands
    from course._references import keys_in_text

    spec = load_spec()
    keys: dict[str, None] = {}
    for item in spec.fields:
        keys.update(dict.fromkeys(item.cite))
    for concern in spec.concerns.values():
        keys.update(dict.fromkeys(concern.cite))
    for category in spec.categories.values():
        keys.update(dict.fromkeys(category.cite))
    for text in spec.report_texts.values():
        keys.update(dict.fromkeys(keys_in_text(text)))
    keys.update(dict.fromkeys(band.reference for band in load_purity_bands()))
    return list(keys)


__all__ = ["DOSSIER_FILE", "FIELD_KINDS", "EntryValue", "Choice", "DossierField", "ConcernText",
           "MarkerCategory", "DossierSpec", "parse_spec", "load_spec", "cited_keys"]
