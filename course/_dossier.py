"""The product dossier checker: what a supplier has documented, and what is missing.

In lesson 02::

    course.dossier_checker()                      # an empty form for a product you know
    course.dossier_checker(worked_example=True)   # filled with the fictional certificate

You tick or type what the supplier's paperwork shows and press "Check dossier". You get
the list of what is missing, each with why it matters and its source; findings that
need a closer look (such as foetal bovine serum in the medium); and, when particle
count and protein are both given, the particle-to-protein ratio placed on Webber and
Clayton's purity bands.

The rules are plain functions (``check_dossier``, ``purity_ratio``, ``purity_band``)
that the tests exercise directly; ``dossier_checker`` is a thin ipywidgets view.
The fields, their reasons and citations are data in ``course/content/dossier.yml``;
the purity bands are ``course/content/data/purity_bands.csv``.
"""
from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from course._errors import AnswerFormatError, ContentError, CourseError
from course._yaml import CONTENT_DIR, read_csv, read_yaml, require

DOSSIER_FILE = CONTENT_DIR / "dossier.yml"
BANDS_FILE = CONTENT_DIR / "data" / "purity_bands.csv"
FIELD_KINDS = ("text", "checkbox", "choice", "number", "list")
CHECK_BUTTON_LABEL = "Check dossier"
CLEAR_BUTTON_LABEL = "Clear all"

# The value a learner may type or pass for each kind of field.
EntryValue = str | bool | int | float | Sequence[str] | None


# ---------------------------------------------------------------- the content, as data

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
class DossierSpec:
    fields: tuple[DossierField, ...]
    concerns: Mapping[str, ConcernText]
    example_name: str
    example_values: Mapping[str, EntryValue]

    def field(self, key: str) -> DossierField:
        for item in self.fields:
            if item.key == key:
                return item
        raise ContentError(DOSSIER_FILE.name, key, "is not a dossier field",
                           f"use one of {', '.join(f.key for f in self.fields)}")


# The rules below refer to these fields and concerns by key; the loader checks they exist
# so an edit to dossier.yml cannot silently switch a rule off.
_REQUIRED_FIELDS = {"cell_source": "text", "fbs": "choice", "culture_medium": "text",
                    "particle_count": "number", "protein_content": "number",
                    "positive_markers": "list", "negative_markers": "list",
                    "single_vesicle": "list", "regulatory_status": "text"}
_REQUIRED_CONCERNS = ("fbs", "fbs_depleted", "positive_markers_few", "single_vesicle_one_method",
                      "human_cosmetic")
_FBS_CHOICES = {"not_stated", "yes", "depleted", "no"}


def parse_spec(data: Any, file: str = "dossier.yml") -> DossierSpec:
    """Validate the dossier content (already parsed from YAML)."""
    from course._references import keys_in_text, load_references

    bibliography = load_references()
    fields: list[DossierField] = []
    for index, raw in enumerate(require(data, "fields", file, None, list, "list the fields under `fields:`"), 1):
        key = require(raw, "key", file, f"field {index}", str, "give the field a key such as cell_source")
        item = f"field `{key}`"
        if any(f.key == key for f in fields):
            raise ContentError(file, item, "appears twice", "keep one entry per field")
        kind = require(raw, "kind", file, item, str, f"set kind to one of {', '.join(FIELD_KINDS)}")
        if kind not in FIELD_KINDS:
            raise ContentError(file, item, f"has unknown kind {kind!r}", f"use one of {', '.join(FIELD_KINDS)}")
        why = " ".join(require(raw, "why", file, item, str, "say why the field matters").split())
        cite = tuple(require(raw, "cite", file, item, list, "add `cite: [key]` from references.yml"))
        if not cite:
            raise ContentError(file, item, "has no citation", "add `cite: [key]` from references.yml")
        bibliography.check_keys(list(cite) + keys_in_text(why), file, item)
        choices: tuple[Choice, ...] = ()
        if kind == "choice":
            raw_choices = require(raw, "choices", file, item, list, "list the choices with value and label")
            choices = tuple(Choice(str(require(c, "value", file, item, (str, bool), "give each choice a value")),
                                   require(c, "label", file, item, str, "give each choice a label"))
                            for c in raw_choices)
            if not any(c.value == "not_stated" for c in choices):
                raise ContentError(file, item, "has no `not_stated` choice",
                                   "add a choice with value: not_stated (it means the field is missing)")
        fields.append(DossierField(
            key=key, group=require(raw, "group", file, item, str, "name the group heading"),
            label=require(raw, "label", file, item, str, "give the control's label"),
            kind=kind, why=why, cite=cite, placeholder=str(raw.get("placeholder") or ""), choices=choices,
        ))
    by_key = {f.key: f for f in fields}
    for key, kind in _REQUIRED_FIELDS.items():
        if key not in by_key or by_key[key].kind != kind:
            raise ContentError(file, f"field `{key}`", f"is missing or not of kind {kind!r}",
                               "the checker's rules need it; restore it")
    if {c.value for c in by_key["fbs"].choices} != _FBS_CHOICES:
        raise ContentError(file, "field `fbs`", "has the wrong choices",
                           f"use exactly the values {', '.join(sorted(_FBS_CHOICES))}")

    raw_concerns = require(data, "concerns", file, None, dict, "add the `concerns:` section")
    concerns: dict[str, ConcernText] = {}
    for code in _REQUIRED_CONCERNS:
        raw = require(raw_concerns, code, file, "concerns", dict, f"add the concern `{code}`")
        item = f"concern `{code}`"
        text = " ".join(require(raw, "text", file, item, str, "write the concern's text").split())
        cite = tuple(require(raw, "cite", file, item, list, "add `cite: [key]`"))
        bibliography.check_keys(list(cite) + keys_in_text(text), file, item)
        concerns[code] = ConcernText(require(raw, "title", file, item, str, "give the concern a title"), text, cite)

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
    return DossierSpec(fields=tuple(fields), concerns=concerns, example_name=name, example_values=values)


@lru_cache(maxsize=1)
def load_spec(path: Path | None = None) -> DossierSpec:
    """The dossier fields, concerns and worked example, validated (cached)."""
    file = path or DOSSIER_FILE
    return parse_spec(read_yaml(file), file=file.name)


def cited_keys() -> list[str]:
    """Every reference the checker can cite (for the lesson's reference list)."""
    spec = load_spec()
    keys: dict[str, None] = {}
    for item in spec.fields:
        keys.update(dict.fromkeys(item.cite))
    for concern in spec.concerns.values():
        keys.update(dict.fromkeys(concern.cite))
    keys.update(dict.fromkeys(band.reference for band in load_purity_bands()))
    return list(keys)


# ---------------------------------------------------------------- purity bands

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
    file = path or BANDS_FILE
    rows = read_csv(file)
    bands: list[PurityBand] = []
    for number, row in enumerate(rows, 2):
        item = f"line {number}"
        if not (row.get("band") and row.get("reference")):
            raise ContentError(file.name, item, "has no band name or reference", "fill the band and reference columns")
        bands.append(PurityBand(
            name=row["band"],
            lower=_optional_float(row.get("lower_particles_per_ug") or "", file.name, item),
            lower_inclusive=(row.get("lower_inclusive") or "").strip() == "yes",
            upper=_optional_float(row.get("upper_particles_per_ug") or "", file.name, item),
            upper_inclusive=(row.get("upper_inclusive") or "").strip() == "yes",
            wording=row.get("webber_wording") or "", reference=row["reference"],
        ))
    bands.sort(key=lambda b: b.lower if b.lower is not None else 0.0)
    return tuple(bands)


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
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not math.isfinite(ratio) or ratio <= 0:
        raise AnswerFormatError("A purity ratio must be a positive number of particles per µg.")
    bands = load_purity_bands()
    below: PurityBand | None = None
    for band in bands:
        if band.contains(ratio):
            return BandPlacement(ratio, band, None, None)
        if band.upper is not None and (ratio > band.upper or (ratio == band.upper and not band.upper_inclusive)):
            below = band
    above = next((b for b in bands if b.lower is not None and ratio <= b.lower and b is not below), None)
    return BandPlacement(ratio, None, below, above)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def format_scientific(value: float, digits: int = 2) -> str:
    """A number as a learner reads it on a certificate: 6000000000 -> "6.0×10⁹"."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10 ** exponent
    if round(mantissa, digits - 1) >= 10:   # 9.99 rounds up to 10.0: carry into the exponent
        mantissa, exponent = mantissa / 10, exponent + 1
    if -2 <= exponent <= 3:
        return f"{value:,.{max(digits - 1 - exponent, 0)}f}" if exponent < digits else f"{value:,.0f}"
    return f"{mantissa:.{digits - 1}f}×10{str(exponent).translate(_SUPERSCRIPT)}"


# ---------------------------------------------------------------- the rules

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
class DossierReport:
    """The result of checking a dossier (see ``check_dossier``)."""
    gaps: tuple[Gap, ...]
    concerns: tuple[Concern, ...]
    problems: tuple[str, ...]            # entries that could not be read; nothing was guessed
    particles_per_ml: float | None
    protein_ug_per_ml: float | None
    ratio: float | None
    placement: BandPlacement | None
    positive_markers: tuple[str, ...]
    negative_markers: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.gaps and not self.problems

    @property
    def meets_misev_marker_minimum(self) -> bool:
        """MISEV2018's minimum: at least three positive markers and at least one negative."""
        return len(self.positive_markers) >= 3 and len(self.negative_markers) >= 1

    def missing_fields(self) -> list[str]:
        return [gap.field for gap in self.gaps]

    def concern_codes(self) -> list[str]:
        return [concern.code for concern in self.concerns]

    def to_html(self) -> str:
        return report_html(self)

    def _repr_html_(self) -> str:
        return report_html(self)


def split_names(value: EntryValue) -> tuple[str, ...]:
    """Marker or method names from "CD9, CD63; TSG101" or a list, without blanks or repeats."""
    if value is None or isinstance(value, bool):
        return ()
    parts = re.split(r"[,;\n]", value) if isinstance(value, str) else [str(v) for v in value]
    names: dict[str, str] = {}
    for part in parts:
        name = " ".join(part.split())
        if name:
            names.setdefault(name.lower(), name)
    return tuple(names.values())


def parse_amount(value: EntryValue, label: str) -> float | None:
    """A positive amount typed by a learner, or None when left blank.

    Accepts 2.4e11, 2.4 x 10^11, 2.4×10¹¹ and 240,000,000,000; anything else raises
    AnswerFormatError naming the field and the format.
    """
    from course._questions import parse_number

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise AnswerFormatError(f"{label}: type a number, for example 2.4e11.")
    if isinstance(value, str):
        try:
            number = parse_number(value)
        except AnswerFormatError:
            raise AnswerFormatError(
                f"{label}: “{value.strip()}” is not a number I can read. Type digits only, "
                "for example 2.4e11 or 2.4 x 10^11 (the unit is already in the label).") from None
    else:
        number = float(value)
    if not math.isfinite(number):
        raise AnswerFormatError(f"{label}: type an ordinary number, for example 2.4e11.")
    if number <= 0:
        raise AnswerFormatError(f"{label}: the amount must be more than zero.")
    return number


def _is_missing(item: DossierField, value: EntryValue) -> bool:
    if value is None:
        return True
    if item.kind == "checkbox":
        return value is not True
    if item.kind == "choice":
        return str(value) in ("", "not_stated")
    if item.kind == "list":
        return not split_names(value)
    if isinstance(value, str):
        return not value.strip()
    return False


_FBS_WORDS = re.compile(r"\b(fbs|fcs|f[o]?etal (bovine|calf) serum)\b", re.IGNORECASE)


def check_dossier(entries: Mapping[str, EntryValue]) -> DossierReport:
    """Check what a supplier has documented; return what is missing and what needs a look.

    ``entries`` maps field keys (see ``course/content/dossier.yml``) to what the dossier
    says: text, True for a documented test, a choice value, a number, or a list of names.
    Blank, False, "not_stated" and absent keys all mean "not documented". A number that
    cannot be read is reported in ``problems`` (never guessed, never a traceback).
    """
    spec = load_spec()
    known = {f.key for f in spec.fields}
    problems: list[str] = [f"“{key}” is not a field of the checker and was ignored."
                           for key in entries if key not in known]
    gaps: list[Gap] = []
    amounts: dict[str, float | None] = {}
    for item in spec.fields:
        value = entries.get(item.key)
        if item.kind == "number":
            try:
                amounts[item.key] = parse_amount(value, item.label)
            except AnswerFormatError as exc:
                problems.append(str(exc))
                amounts[item.key] = None
                continue            # given but unreadable: a problem to fix, not a gap
            if amounts[item.key] is None:
                gaps.append(Gap(item.key, item.label, item.why, item.cite))
        elif _is_missing(item, value):
            gaps.append(Gap(item.key, item.label, item.why, item.cite))

    positive = split_names(entries.get("positive_markers"))
    negative = split_names(entries.get("negative_markers"))
    methods = split_names(entries.get("single_vesicle"))
    concerns: list[Concern] = []

    def flag(code: str) -> None:
        text = spec.concerns[code]
        concerns.append(Concern(code, text.title, text.text, text.cite))

    fbs = str(entries.get("fbs") or "not_stated")
    medium = entries.get("culture_medium")
    if fbs == "depleted":
        flag("fbs_depleted")
    elif fbs == "yes" or (fbs == "not_stated" and isinstance(medium, str) and _FBS_WORDS.search(medium)):
        flag("fbs")
    if 0 < len(positive) < 3:
        flag("positive_markers_few")
    if len(methods) == 1:
        flag("single_vesicle_one_method")
    source, status = entries.get("cell_source"), entries.get("regulatory_status")
    if (isinstance(source, str) and re.search(r"\bhuman\b", source, re.IGNORECASE)
            and isinstance(status, str) and re.search(r"cosmetic", status, re.IGNORECASE)):
        flag("human_cosmetic")

    particles, protein = amounts.get("particle_count"), amounts.get("protein_content")
    ratio = purity_ratio(particles, protein) if particles is not None and protein is not None else None
    return DossierReport(
        gaps=tuple(gaps), concerns=tuple(concerns), problems=tuple(problems),
        particles_per_ml=particles, protein_ug_per_ml=protein, ratio=ratio,
        placement=purity_band(ratio) if ratio is not None else None,
        positive_markers=positive, negative_markers=negative,
    )


def worked_example() -> dict[str, EntryValue]:
    """The fictional certificate of analysis used in lesson 02, as checker entries."""
    return dict(load_spec().example_values)


# ---------------------------------------------------------------- the result as HTML

def _sources(keys: Sequence[str]) -> str:
    from course._display import cite_html

    return " (" + "; ".join(cite_html(k) for k in keys) + ")" if keys else ""


def _prose(text: str) -> str:
    from course._display import inline_markdown

    return inline_markdown(text)


def ratio_sentence(report: DossierReport) -> str:
    """The purity result in words (plain text), or what to enter to get one."""
    if report.ratio is None or report.placement is None:
        return ("Enter both the particle count and the protein content to compute the "
                "particle-to-protein ratio.")
    placement = report.placement
    where = (f"in the “{placement.band.name}” band ({placement.band.wording})" if placement.band
             else f"{placement.label}: Webber and Clayton do not classify ratios in this gap, so neither do we")
    return (f"{format_scientific(report.particles_per_ml or 0)} particles per mL ÷ "
            f"{format_scientific(report.protein_ug_per_ml or 0)} µg protein per mL = "
            f"{format_scientific(report.ratio)} particles per µg of protein, {where}.")


def report_html(report: DossierReport) -> str:
    """The check's result as an accessible HTML block: headings and lists, sources linked.

    It always contains the heading "What is missing"; when the ratio was computed it
    contains "particles per µg".
    """
    parts = ['<div class="erc-dossier-report" role="region" aria-label="Dossier check result">']
    if report.problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in report.problems)
        parts.append(f'<h4>Please check these entries</h4><ul class="erc-dossier-problems">{items}</ul>'
                     "<p>Nothing else was changed: correct the entries above and press "
                     f"“{CHECK_BUTTON_LABEL}” again.</p>")
    if report.gaps:
        items = "".join(f"<li><strong>{html.escape(g.label)}</strong>: {_prose(g.why)}</li>" for g in report.gaps)
        parts.append(f"<h4>What is missing ({len(report.gaps)} of {len(load_spec().fields)})</h4>"
                     f'<ul class="erc-dossier-gaps">{items}</ul>')
    else:
        parts.append("<h4>What is missing</h4><p>Nothing on this checklist is missing. A complete "
                     "dossier is a starting point, not approval: check the results themselves and "
                     "the product's legal status where you practise.</p>")
    if report.concerns:
        items = "".join(f"<li><strong>{html.escape(c.title)}</strong>: {_prose(c.text)}</li>"
                        for c in report.concerns)
        parts.append(f'<h4>What needs a closer look</h4><ul class="erc-dossier-concerns">{items}</ul>')
    misev = "met" if report.meets_misev_marker_minimum else "not met"
    parts.append(f"<p><strong>MISEV2018 minimum marker set</strong> (three positive, one negative): {misev}"
                 f"{_sources(['misev2018'])}. Positive markers listed: {len(report.positive_markers)}; "
                 f"negative markers listed: {len(report.negative_markers)}.</p>")
    parts.append(f"<h4>Purity ratio</h4><p>{html.escape(ratio_sentence(report))}"
                 f"{_sources(['webber2013']) if report.ratio is not None else ''}</p>")
    if report.ratio is not None:
        parts.append("<p>A ratio is only as good as the two measurements behind it: particle counters "
                     "also count lipoproteins and other particles of EV size"
                     f"{_sources(['sodar2016'])}, so a high ratio is not proof of pure vesicles.</p>")
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------- the widget (thin view)

_WIDGET_STYLE = """
<style>
.erc-dossier .widget-label { white-space: normal !important; height: auto !important; line-height: 1.3; }
.erc-dossier .widget-inline-hbox { height: auto !important; min-height: var(--jp-widgets-inline-height, 28px); }
.erc-dossier-report h4 { margin: 0.8em 0 0.3em 0; }
.erc-dossier-report li { margin-bottom: 0.35em; line-height: 1.4; }
</style>
"""


class DossierChecker:
    """The checker's controls, its buttons and its result area (an ipywidgets VBox).

    Each control's description is its field label from dossier.yml, so screen readers
    announce it and the browser test can find it by that label.
    """

    def __init__(self, worked_example: bool = False) -> None:
        import ipywidgets as w

        self.spec = load_spec()
        label_style = {"description_width": "25em"}
        wide = w.Layout(width="55em", max_width="100%")
        self.controls: dict[str, Any] = {}
        rows: list[Any] = []
        group = None
        for item in self.spec.fields:
            if item.group != group:
                group = item.group
                rows.append(w.HTML(f"<h4>{html.escape(group)}</h4>"))
            if item.kind == "checkbox":
                control = w.Checkbox(value=False, description=item.label, indent=False,
                                     layout=w.Layout(width="52em", max_width="100%"))
            elif item.kind == "choice":
                control = w.Dropdown(options=[(c.label, c.value) for c in item.choices], value="not_stated",
                                     description=item.label, style=label_style, layout=wide)
            else:
                control = w.Text(value="", description=item.label, placeholder=item.placeholder,
                                 style=label_style, layout=wide, continuous_update=False)
            self.controls[item.key] = control
            rows.append(control)
        self.check_button = w.Button(description=CHECK_BUTTON_LABEL, button_style="primary",
                                     tooltip="List what this dossier is missing, with sources",
                                     icon="check")
        self.clear_button = w.Button(description=CLEAR_BUTTON_LABEL,
                                     tooltip="Empty every field to start a new dossier")
        self.result = w.HTML(value="")
        self.figure_area = w.Output()
        self.check_button.on_click(lambda _: self.check())
        self.clear_button.on_click(lambda _: self.clear())
        if worked_example:
            self.fill(self.spec.example_values)
        intro = w.HTML(f"<p><strong>{html.escape(self.spec.example_name)}</strong> is filled in below. "
                       "Change any entry and press “Check dossier”.</p>" if worked_example else
                       "<p>Record what the supplier's documents show, then press “Check dossier”.</p>")
        self.widget = w.VBox([intro, *rows, w.HBox([self.check_button, self.clear_button]),
                              self.result, self.figure_area])
        self.widget.add_class("erc-dossier")

    def entries(self) -> dict[str, EntryValue]:
        return {key: control.value for key, control in self.controls.items()}

    def fill(self, values: Mapping[str, EntryValue]) -> None:
        for key, value in values.items():
            control = self.controls[key]
            if isinstance(control.value, bool):
                control.value = value is True
            elif key == "fbs":
                control.value = str(value or "not_stated")
            else:
                control.value = "" if value is None else str(value)

    def clear(self) -> None:
        for key, control in self.controls.items():
            control.value = False if isinstance(control.value, bool) else ("not_stated" if key == "fbs" else "")
        self.result.value = ""
        self.figure_area.clear_output()

    def check(self) -> DossierReport | None:
        """Run the rules on the controls' values and show the result (and the figure)."""
        self.figure_area.clear_output()
        try:
            report = check_dossier(self.entries())
        except CourseError as exc:
            self.result.value = f'<p role="alert">{html.escape(str(exc))}</p>'
            return None
        self.result.value = report_html(report)
        if report.ratio is not None:
            from course._figures import figure

            with self.figure_area:
                figure("purity_bands", ratio=report.ratio, label="This product")
        return report


def dossier_checker(worked_example: bool = False) -> None:
    """Check a supplier's dossier: tick or type what it documents, press "Check dossier".

    ``course.dossier_checker()`` gives an empty form; ``worked_example=True`` fills it
    with the lesson's fictional certificate of analysis.
    """
    from course._display import grading_now, show, show_html

    if grading_now():       # nbgrader is executing the notebook: no widgets
        return None
    show_html(_WIDGET_STYLE)
    show(DossierChecker(worked_example=worked_example).widget)
    return None


__all__ = ["dossier_checker", "check_dossier", "purity_ratio", "purity_band", "report_html",
           "worked_example", "DossierChecker", "DossierReport", "Gap", "Concern", "load_spec",
           "load_purity_bands", "format_scientific", "cited_keys"]
