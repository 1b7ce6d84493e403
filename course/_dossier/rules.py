"""The checker's rules: what is missing, what needs a closer look, and the purity ratio.

Plain functions over the validated content (``spec``) and the cleanly read entries
(``entries``); the tests exercise them directly and the widget only displays them.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from course._dossier.entries import is_missing, read_entries
from course._dossier.spec import DossierSpec, EntryValue, load_spec
from course._figures._purity import BandPlacement, purity_band, purity_ratio


@dataclass(frozen=True)
class Gap:
    """Something the dossier does not document: what, why it matters, and the sources."""
    field: str
    label: str
    why: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class Concern:
    """Something documented that needs a closer look."""
    code: str
    title: str
    text: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class MarkerAssessment:
    """The positive and negative markers listed, against MISEV2018's minimum.

    MISEV2018 asks for at least three positive protein markers, at least one of them
    transmembrane or GPI-anchored and at least one cytosolic, and at least one negative
    (purity) marker. ``by_category`` says which listed markers the checker recognises in
    each category; a marker it does not recognise still counts towards the three.
    """
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    by_category: Mapping[str, tuple[str, ...]]

    @property
    def categories_missing(self) -> tuple[str, ...]:
        return tuple(code for code, names in self.by_category.items() if not names)

    @property
    def positive_short(self) -> bool:
        """Positive markers are listed, but fewer than three or without one of the categories."""
        return bool(self.positive) and (len(self.positive) < 3 or bool(self.categories_missing))

    @property
    def meets_minimum(self) -> bool:
        return len(self.positive) >= 3 and not self.categories_missing and len(self.negative) >= 1


def assess_markers(spec: DossierSpec, positive: tuple[str, ...], negative: tuple[str, ...]) -> MarkerAssessment:
    by_category = {code: tuple(m for m in positive if category.recognises(m))
                   for code, category in spec.categories.items()}
    return MarkerAssessment(positive=positive, negative=negative, by_category=by_category)


@dataclass(frozen=True)
class DossierReport:
    """The result of checking a dossier (see ``check_dossier``)."""
    gaps: tuple[Gap, ...]
    concerns: tuple[Concern, ...]
    problems: tuple[str, ...]            # entries that could not be read; nothing was guessed
    particles_per_ml: float | None
    protein_ug_per_ml: float | None
    ratio: float | None
    placement: BandPlacement | None
    markers: MarkerAssessment

    @property
    def positive_markers(self) -> tuple[str, ...]:
        return self.markers.positive

    @property
    def negative_markers(self) -> tuple[str, ...]:
        return self.markers.negative

    @property
    def complete(self) -> bool:
        return not self.gaps and not self.problems

    @property
    def meets_misev_marker_minimum(self) -> bool:
        """MISEV2018: three positive markers (one transmembrane, one cytosolic) and one negative."""
        return self.markers.meets_minimum

    def missing_fields(self) -> list[str]:
        return [gap.field for gap in self.gaps]

    def concern_codes(self) -> list[str]:
        return [concern.code for concern in self.concerns]

    def to_html(self) -> str:
        from course._dossier.render import report_html

        return report_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()


_FBS_WORDS = re.compile(r"\b(fbs|fcs|f[o]?etal (bovine|calf) serum)\b", re.IGNORECASE)


def check_dossier(entries: Mapping[str, EntryValue]) -> DossierReport:
    """Check what a supplier has documented; return what is missing and what needs a look.

    ``entries`` maps field keys (see ``course/content/dossier.yml``) to what the dossier
    says: text, True for a documented test, a choice value, a number, or a list of names.
    Blank, False, "not_stated" and absent keys all mean "not documented". Anything that
    cannot be read (a number typed as words, a number where names belong, an unknown
    field) is reported in ``problems``: never guessed, never a traceback.
    """
    spec = load_spec()
    read = read_entries(spec, entries)
    values = read.values
    gaps = tuple(Gap(f.key, f.label, f.why, f.cite) for f in spec.fields
                 if f.key not in read.unreadable and is_missing(f, values.get(f.key)))

    def names(key: str) -> tuple[str, ...]:
        value = values.get(key, ())
        return value if isinstance(value, tuple) else ()

    markers = assess_markers(spec, names("positive_markers"), names("negative_markers"))
    concerns: list[Concern] = []

    def flag(code: str) -> None:
        text = spec.concerns[code]
        concerns.append(Concern(code, text.title, text.text, text.cite))

    fbs, medium = values.get("fbs", "not_stated"), values.get("culture_medium", "")
    if fbs == "depleted":
        flag("fbs_depleted")
    elif fbs == "yes" or (fbs == "not_stated" and isinstance(medium, str) and _FBS_WORDS.search(medium)):
        flag("fbs")
    if markers.positive_short:
        flag("positive_markers_short")
    if len(names("single_vesicle")) == 1:
        flag("single_vesicle_one_method")
    source, status = values.get("cell_source", ""), values.get("regulatory_status", "")
    if (isinstance(source, str) and re.search(r"\bhuman\b", source, re.IGNORECASE)
            and isinstance(status, str) and re.search(r"cosmetic", status, re.IGNORECASE)):
        flag("human_cosmetic")

    particles, protein = values.get("particle_count"), values.get("protein_content")
    ratio = (purity_ratio(particles, protein)
             if isinstance(particles, float) and isinstance(protein, float) else None)
    if ratio is not None and not (math.isfinite(ratio) and ratio > 0):
        read.problems.append("The particle count and protein content are too far apart to give a ratio I can "
                             "place on the purity bands: check the units of both (mg or µg, per mL).")
        ratio = None
    return DossierReport(
        gaps=gaps, concerns=tuple(concerns), problems=tuple(read.problems),
        particles_per_ml=particles if isinstance(particles, float) else None,
        protein_ug_per_ml=protein if isinstance(protein, float) else None, ratio=ratio,
        placement=purity_band(ratio) if ratio is not None else None, markers=markers,
    )


def worked_example() -> dict[str, EntryValue]:
    """The fictional certificate of analysis used in lesson 02, as checker entries."""
    return dict(load_spec().example_values)


__all__ = ["Gap", "Concern", "MarkerAssessment", "DossierReport", "assess_markers", "check_dossier",
           "worked_example"]
