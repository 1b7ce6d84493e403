"""A complete dossier and helpers shared by the dossier checker's tests."""
from __future__ import annotations

COMPLETE = {
    "cell_source": "Umbilical cord mesenchymal stromal cells",
    "donor_screening": True,
    "passage_number": "P3 to P5",
    "culture_medium": "Serum-free medium, no supplements of animal origin",
    "fbs": "no",
    "isolation_method": "Tangential flow filtration then size-exclusion chromatography",
    "particle_count": "5e11",
    "protein_content": "10",
    "positive_markers": "CD9, CD63, CD81, TSG101",
    "negative_markers": "calnexin, APOA1",
    "single_vesicle": "electron microscopy, nanoparticle tracking analysis",
    "sterility": True,
    "endotoxin": True,
    "mycoplasma": True,
    "storage_temperature": "-80 °C, 12 months",
    "regulatory_status": "Investigational product under a clinical-trial authorisation",
}

# What "not documented" looks like for each kind of field, as the widget would send it.
EMPTY = {"text": "", "checkbox": False, "choice": "not_stated", "number": "", "list": ""}


def without(field: str, value: object) -> dict[str, object]:
    entries = dict(COMPLETE)
    entries[field] = value
    return entries
