"""The product dossier checker: what a supplier has documented, and what is missing.

In lesson 02::

    course.dossier_checker()                      # an empty form for a product you know
    course.dossier_checker(worked_example=True)   # filled with the fictional certificate

You tick or type what the supplier's paperwork shows and press "Check dossier". You get
the list of what is missing, each with why it matters and its source; findings that
need a closer look (such as foetal bovine serum in the medium, or positive markers
short of MISEV2018's categories); and, when particle count and protein are both given,
the particle-to-protein ratio placed on Webber and Clayton's purity bands.

One concern per module:

- ``spec``    the content (``course/content/dossier.yml``), validated
- ``entries`` reading what a learner typed, never raising
- ``rules``   ``check_dossier`` and its report
- ``render``  the report as accessible HTML
- ``widget``  the ipywidgets view

The purity model is ``course._figures._purity`` (beside the figure that also draws it);
numbers are written by ``course._numbers.format_scientific``.
"""
from __future__ import annotations

from course._dossier.entries import parse_amount, split_names
from course._dossier.render import CHECK_BUTTON_LABEL, CLEAR_BUTTON_LABEL, ratio_sentence, report_html
from course._dossier.rules import (
    Concern,
    DossierReport,
    Gap,
    MarkerAssessment,
    check_dossier,
    worked_example,
)
from course._dossier.spec import DOSSIER_FILE, DossierSpec, cited_keys, load_spec, parse_spec
from course._dossier.widget import DossierChecker, dossier_checker

__all__ = ["dossier_checker", "check_dossier", "report_html", "ratio_sentence", "worked_example",
           "DossierChecker", "DossierReport", "Gap", "Concern", "MarkerAssessment", "DossierSpec",
           "load_spec", "parse_spec", "cited_keys", "split_names", "parse_amount", "DOSSIER_FILE",
           "CHECK_BUTTON_LABEL", "CLEAR_BUTTON_LABEL"]
