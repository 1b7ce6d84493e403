"""The checker's result as accessible HTML: headings and lists, every source linked.

Every sentence that makes a claim comes from ``dossier.yml`` (fields, concerns, the
``report:`` sentences); this module only arranges them and adds the learner's own
numbers and marker names.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from course._dossier.spec import load_spec
from course._numbers import format_scientific

if TYPE_CHECKING:
    from course._dossier.rules import DossierReport, MarkerAssessment

CHECK_BUTTON_LABEL = "Check dossier"
CLEAR_BUTTON_LABEL = "Clear all"


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


def marker_sentence(markers: MarkerAssessment) -> str:
    """What the dossier's markers amount to, category by category (plain text, no claims)."""
    spec = load_spec()
    listed = (f"Positive markers listed: {len(markers.positive)}"
              + (f" ({', '.join(markers.positive)})" if markers.positive else ""))
    parts = [listed]
    for code, names in markers.by_category.items():
        label = spec.categories[code].label
        parts.append(f"{label}: {', '.join(names)}" if names else f"no {label} marker recognised")
    parts.append(f"negative markers listed: {len(markers.negative)}"
                 + (f" ({', '.join(markers.negative)})" if markers.negative else ""))
    return "; ".join(parts) + "."


def report_html(report: DossierReport) -> str:
    """The check's result as an accessible HTML block: headings and lists, sources linked.

    It always contains the heading "What is missing"; when the ratio was computed it
    contains "particles per µg".
    """
    spec = load_spec()
    texts = spec.report_texts
    parts = ['<div class="erc-dossier-report" role="region" aria-label="Dossier check result">']
    if report.problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in report.problems)
        parts.append(f'<h4>Please check these entries</h4><ul class="erc-dossier-problems">{items}</ul>'
                     "<p>Nothing else was changed: correct the entries above and press "
                     f"“{CHECK_BUTTON_LABEL}” again.</p>")
    if report.gaps:
        items = "".join(f"<li><strong>{html.escape(g.label)}</strong>: {_prose(g.why)}</li>" for g in report.gaps)
        parts.append(f"<h4>What is missing ({len(report.gaps)} of {len(spec.fields)})</h4>"
                     f'<ul class="erc-dossier-gaps">{items}</ul>')
    else:
        parts.append(f"<h4>What is missing</h4><p>{_prose(texts['complete'])}</p>")
    if report.concerns:
        items = "".join(f"<li><strong>{html.escape(c.title)}</strong>: {_prose(c.text)}</li>"
                        for c in report.concerns)
        parts.append(f'<h4>What needs a closer look</h4><ul class="erc-dossier-concerns">{items}</ul>')
    met = "met" if report.meets_misev_marker_minimum else "not met"
    parts.append(f"<p>{_prose(texts['marker_minimum'])}: <strong>{met}</strong>. "
                 f"{html.escape(marker_sentence(report.markers))}</p>")
    band_keys = [report.placement.band.reference] if report.placement and report.placement.band else []
    if report.placement and not report.placement.band:
        band_keys = [b.reference for b in (report.placement.below, report.placement.above) if b is not None][:1]
    parts.append(f"<h4>Purity ratio</h4><p>{html.escape(ratio_sentence(report))}{_sources(band_keys)}</p>")
    if report.ratio is not None:
        parts.append(f"<p>{_prose(texts['ratio_caution'])}</p>")
    parts.append("</div>")
    return "".join(parts)


__all__ = ["CHECK_BUTTON_LABEL", "CLEAR_BUTTON_LABEL", "ratio_sentence", "marker_sentence", "report_html"]
