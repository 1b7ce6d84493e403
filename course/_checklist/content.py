"""The checklist's content: the questions to put to a supplier, and the document's disclaimer.

Everything is data in ``course/content/supplier_questions.yml``, grouped as source and
donor screening, manufacturing process, characterisation, release tests, regulatory
status and cold chain. Each question says what to ask, what a good answer contains,
why it matters and which references support that; the disclaimer printed on every
downloaded checklist is cited prose, so it lives there too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from course._errors import ContentError
from course._yaml import CONTENT_DIR, read_yaml, require

SUPPLIER_QUESTIONS_FILE = CONTENT_DIR / "supplier_questions.yml"

# The six areas objective 5.1 names; the content file must cover every one.
REQUIRED_GROUPS: tuple[str, ...] = ("source", "process", "characterisation", "release",
                                    "regulatory", "cold-chain")


@dataclass(frozen=True)
class SupplierQuestion:
    """One question to put to a supplier, with what a good answer holds and why it matters."""
    id: str
    group: str
    label: str
    ask: str
    look_for: str
    why: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class QuestionGroup:
    id: str
    title: str
    questions: tuple[SupplierQuestion, ...]


@dataclass(frozen=True)
class SupplierChecklist:
    groups: tuple[QuestionGroup, ...]
    disclaimer: str = ""          # cited prose: ``[@key]`` citations, rendered by each document

    @property
    def questions(self) -> tuple[SupplierQuestion, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    def question(self, question_id: str) -> SupplierQuestion:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise ContentError(SUPPLIER_QUESTIONS_FILE.name, f"question {question_id!r}", "does not exist",
                           f"use one of: {', '.join(q.id for q in self.questions)}")

    def cite_keys(self) -> list[str]:
        """Every reference key the checklist cites (questions, then the disclaimer), first use first."""
        from course._references import keys_in_text

        keys = [k for q in self.questions for k in q.cite] + keys_in_text(self.disclaimer)
        return list(dict.fromkeys(keys))


def _parse_question(raw: Any, file: str, item: str, number: int, group_id: str,
                    bibliography: Any) -> SupplierQuestion:
    qid = str(require(raw, "id", file, f"{item}, question {number}", str,
                      "give the question an id such as cell-source"))
    qitem = f"question {qid!r}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", qid):
        raise ContentError(file, qitem, "id may use only lower-case letters, digits and hyphens", "rename it")
    texts = {name: " ".join(str(require(raw, name, file, qitem, str, fix)).split())
             for name, fix in (("label", "give a short label such as 'Cell source'"),
                               ("ask", "write the question to put to the supplier"),
                               ("look_for", "say what a satisfactory written answer contains"),
                               ("why", "say why the answer matters"))}
    cite = raw.get("cite") or []
    if isinstance(cite, str):
        cite = [cite]
    if not cite:
        raise ContentError(file, qitem, "has no citation for why it matters",
                           "add `cite: [key]` from references.yml")
    bibliography.check_keys(list(cite), file, qitem)
    return SupplierQuestion(id=qid, group=group_id, cite=tuple(cite), **texts)


def parse_supplier_questions(data: Any, file: str = "supplier_questions.yml") -> SupplierChecklist:
    """Validate the checklist's YAML (already parsed); a mistake raises ContentError."""
    from course._references import keys_in_text, load_references

    bibliography = load_references()
    groups: list[QuestionGroup] = []
    seen_ids: set[str] = set()
    raw_groups = require(data, "groups", file, None, list, "start the file with `groups:` and a list")
    for index, raw_group in enumerate(raw_groups, 1):
        group_id = str(require(raw_group, "id", file, f"group {index}", str,
                               f"give the group one of the ids {', '.join(REQUIRED_GROUPS)}"))
        item = f"group {group_id!r}"
        if group_id not in REQUIRED_GROUPS:
            raise ContentError(file, item, "is not one of the checklist's areas",
                               f"use one of {', '.join(REQUIRED_GROUPS)}")
        if any(g.id == group_id for g in groups):
            raise ContentError(file, item, "appears twice", "keep one entry per group")
        title = require(raw_group, "title", file, item, str, "give the group a title")
        raw_questions = require(raw_group, "questions", file, item, list, "list the group's questions")
        if not raw_questions:
            raise ContentError(file, item, "has no questions", "add at least one question")
        questions: list[SupplierQuestion] = []
        for number, raw in enumerate(raw_questions, 1):
            question = _parse_question(raw, file, item, number, group_id, bibliography)
            if question.id in seen_ids:
                raise ContentError(file, f"question {question.id!r}", "is a duplicate question id",
                                   "give each question its own id")
            seen_ids.add(question.id)
            questions.append(question)
        groups.append(QuestionGroup(id=group_id, title=str(title).strip(), questions=tuple(questions)))
    missing = [g for g in REQUIRED_GROUPS if not any(group.id == g for group in groups)]
    if missing:
        raise ContentError(file, None, f"has no group for {', '.join(missing)}",
                           "add a group for every area of objective 5.1")
    disclaimer = " ".join(str(data.get("disclaimer") or "").split()) if isinstance(data, dict) else ""
    bibliography.check_keys(keys_in_text(disclaimer), file, "disclaimer")
    return SupplierChecklist(groups=tuple(groups), disclaimer=disclaimer)


@lru_cache(maxsize=1)
def load_supplier_questions(path: Path | None = None) -> SupplierChecklist:
    """The validated supplier-questions checklist (cached: content does not change in a session)."""
    file = path or SUPPLIER_QUESTIONS_FILE
    checklist = parse_supplier_questions(read_yaml(file), file=file.name)
    if not checklist.disclaimer:
        raise ContentError(file.name, "disclaimer", "is missing",
                           "add `disclaimer:` (the note printed on every downloaded checklist)")
    return checklist


def cited_keys() -> list[str]:
    """The reference keys the checklist cites (``course.finish`` adds them to the lesson's list)."""
    return load_supplier_questions().cite_keys()


__all__ = ["SUPPLIER_QUESTIONS_FILE", "REQUIRED_GROUPS", "SupplierQuestion", "QuestionGroup", "SupplierChecklist",
           "parse_supplier_questions", "load_supplier_questions", "cited_keys"]
