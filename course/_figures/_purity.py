"""Webber and Clayton's purity bands of the particle-to-protein ratio, as a model.

Two views use it: the purity-bands figure beside this module (``purity_bands.py``)
and the product dossier checker of lesson 02 (``course._dossier``). Both read the
bands from ``course/content/data/purity_bands.csv`` through :func:`load_purity_bands`,
so the figure and the checker cannot disagree. The leading underscore keeps this
module out of ``course.figure(...)``'s names: it is a model, not a figure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from course._errors import AnswerFormatError, ContentError
from course._yaml import CONTENT_DIR, read_csv

BANDS_FILE = CONTENT_DIR / "data" / "purity_bands.csv"
COLUMNS = ("band", "lower_particles_per_ug", "lower_inclusive", "upper_particles_per_ug", "upper_inclusive",
           "webber_wording", "reference")


@dataclass(frozen=True)
class PurityBand:
    """One of Webber and Clayton's purity bands of particles per µg of protein."""
    name: str
    lower: float | None          # None: no lower limit
    lower_inclusive: bool
    upper: float | None          # None: no upper limit
    upper_inclusive: bool
    wording: str                 # how the source states the band, e.g. "above 3×10¹⁰ particles per µg"
    reference: str

    def contains(self, ratio: float) -> bool:
        if self.lower is not None and (ratio < self.lower or (ratio == self.lower and not self.lower_inclusive)):
            return False
        if self.upper is not None and (ratio > self.upper or (ratio == self.upper and not self.upper_inclusive)):
            return False
        return True

    def is_below(self, ratio: float) -> bool:
        """True when the whole band lies under ``ratio``."""
        return self.upper is not None and (ratio > self.upper or (ratio == self.upper and not self.upper_inclusive))


@dataclass(frozen=True)
class BandPlacement:
    """Where a ratio falls: in a band, or between two bands that the source does not classify."""
    ratio: float
    band: PurityBand | None
    below: PurityBand | None     # set when between bands: the band under the ratio
    above: PurityBand | None     # ... and the band over it

    @property
    def classified(self) -> bool:
        return self.band is not None

    @property
    def label(self) -> str:
        """e.g. "low purity", or "between bands (impure and low purity)"."""
        if self.band is not None:
            return self.band.name
        names = [b.name for b in (self.below, self.above) if b is not None]
        return f"between bands ({' and '.join(names)})"


def _optional_float(text: str, file: str, item: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ContentError(file, item, f"{text!r} is not a number", "write it like 2e9") from None


@lru_cache(maxsize=1)
def load_purity_bands(path: Path | None = None) -> tuple[PurityBand, ...]:
    """Webber and Clayton's purity bands from the data file, lowest first."""
    from course._references import load_references

    file = path or BANDS_FILE
    bibliography = load_references()
    bands: list[PurityBand] = []
    for number, row in enumerate(read_csv(file, COLUMNS), 2):
        item = f"line {number}"
        if not ((row.get("band") or "").strip() and (row.get("reference") or "").strip()):
            raise ContentError(file.name, item, "has no band name or reference", "fill the band and reference columns")
        bibliography.check_keys([row["reference"].strip()], file.name, item)
        bands.append(PurityBand(
            name=row["band"].strip(),
            lower=_optional_float(row.get("lower_particles_per_ug") or "", file.name, item),
            lower_inclusive=(row.get("lower_inclusive") or "").strip() == "yes",
            upper=_optional_float(row.get("upper_particles_per_ug") or "", file.name, item),
            upper_inclusive=(row.get("upper_inclusive") or "").strip() == "yes",
            wording=(row.get("webber_wording") or "").strip(), reference=row["reference"].strip(),
        ))
    if not bands:
        raise ContentError(file.name, None, "has no bands", "list Webber and Clayton's bands, one a line")
    bands.sort(key=lambda b: b.lower if b.lower is not None else 0.0)
    return tuple(bands)


def _positive_number(value: object) -> bool:
    return (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
            and value > 0)


def purity_ratio(particles_per_ml: float, protein_ug_per_ml: float) -> float:
    """Particles per µg of protein: particles per mL divided by µg of protein per mL.

    Both must be positive, finite numbers; otherwise an AnswerFormatError says which.
    """
    for value, label in ((particles_per_ml, "The particle count"), (protein_ug_per_ml, "The protein content")):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise AnswerFormatError(f"{label} must be a number, for example 2.4e11.")
        if value <= 0:
            raise AnswerFormatError(f"{label} must be more than zero to compute a ratio.")
    return particles_per_ml / protein_ug_per_ml


def purity_band(ratio: float) -> BandPlacement:
    """Place a particle-to-protein ratio on the purity bands (Webber & Clayton, 2013).

    Ratios in the gaps between the published bands are reported as "between bands":
    the source does not classify them, so neither do we.
    """
    if not _positive_number(ratio):
        raise AnswerFormatError("A purity ratio must be a positive number of particles per µg.")
    bands = load_purity_bands()
    below: PurityBand | None = None
    for band in bands:
        if band.contains(ratio):
            return BandPlacement(ratio, band, None, None)
        if band.is_below(ratio):
            below = band
    above = next((b for b in bands if b.lower is not None and ratio <= b.lower and b is not below), None)
    return BandPlacement(ratio, None, below, above)


__all__ = ["BANDS_FILE", "PurityBand", "BandPlacement", "load_purity_bands", "purity_ratio", "purity_band"]
