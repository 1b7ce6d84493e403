"""A learner's filled-in checklist: who it is about, what is answered, and its JSON form."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course._checklist.content import QuestionGroup, SupplierChecklist, SupplierQuestion
from course._errors import CourseError

STATE_SCHEMA = 1


@dataclass(frozen=True)
class Response:
    """What the learner recorded for one question: answered in writing or not, and a note."""
    answered: bool = False
    note: str = ""


@dataclass(frozen=True)
class ChecklistState:
    """A filled-in checklist: who it is about and the learner's responses by question id."""
    supplier: str = ""
    product: str = ""
    responses: Mapping[str, Response] = field(default_factory=dict)

    def response(self, question_id: str) -> Response:
        return self.responses.get(question_id, Response())


def outstanding(checklist: SupplierChecklist, state: ChecklistState) -> list[SupplierQuestion]:
    """The questions the supplier has not yet answered in writing, in checklist order."""
    return [q for q in checklist.questions if not state.response(q.id).answered]


def answered_by_group(checklist: SupplierChecklist, state: ChecklistState) -> list[tuple[QuestionGroup, int]]:
    """Each group with the number of its questions answered in writing."""
    return [(g, sum(state.response(q.id).answered for q in g.questions)) for g in checklist.groups]


def state_to_json(state: ChecklistState) -> dict[str, Any]:
    return {
        "schema": STATE_SCHEMA,
        "supplier": state.supplier,
        "product": state.product,
        "responses": {qid: {"answered": r.answered, "note": r.note}
                      for qid, r in state.responses.items() if r.answered or r.note.strip()},
    }


def state_from_json(data: Any, checklist: SupplierChecklist) -> ChecklistState:
    """Read a saved state; raise CourseError if it is not one.

    Questions no longer in the checklist are dropped (the content may have been
    revised since the learner saved), so an older file still opens.
    """
    if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
        raise CourseError("This is not a saved supplier checklist (or it is from another version).")
    raw_responses = data.get("responses")
    if not isinstance(raw_responses, dict):
        raise CourseError("The saved supplier checklist has no readable responses.")
    known = {q.id for q in checklist.questions}
    responses: dict[str, Response] = {}
    for qid, raw in raw_responses.items():
        if qid in known and isinstance(raw, dict):
            responses[qid] = Response(answered=raw.get("answered") is True, note=str(raw.get("note") or ""))
    return ChecklistState(supplier=str(data.get("supplier") or ""), product=str(data.get("product") or ""),
                          responses=responses)


__all__ = ["STATE_SCHEMA", "Response", "ChecklistState", "outstanding", "answered_by_group", "state_to_json",
           "state_from_json"]
