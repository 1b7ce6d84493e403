"""The item-quality check authors run before they publish: ``exocourse check-content``.

It reads every self-check bank (``course/content/questions/*.yml``, formative) and every
graded assessment (``grading/assessments/*.yml``, summative) and reports, each finding
naming the file, the item and the fix:

- **position cues**: the key sits in the same position too often across a bank or an
  assessment; multi-select keys always start at the first option, always run without a
  gap, or always come before every wrong option;
- **length cues**: the correct option is the longest too often, or is much longer than
  every distractor;
- **formative/summative overlap**: a graded item's stem or an option repeats (or nearly
  repeats) a self-check;
- **options per item**: a choice item with fewer than three options;
- **keys consistent with options**: a single-answer item with other than one key, a
  multi-select item with every option keyed, a numeric item whose format example is the
  answer;
- **objective coverage**: an objective with no formative or no summative item;
- **citations**: every ``[@key]`` and ``cite:`` key is in ``course/content/references.yml``.

The checks are plain functions over a small common model of an item (``Item``), so the
test suite runs exactly what authors run. Thresholds are named constants below, with the
reasoning that sets them.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from course._errors import ContentError

# ---------------------------------------------------------------- thresholds (and why)

# A position cue: with k options the key lands in any one position by chance about 1/k of
# the time. Among n keyed choice items we flag a position that holds more than half of
# them (and at least MIN_ITEMS_FOR_PATTERN items are needed before a pattern means anything).
MAX_SHARE_ONE_POSITION = 0.5
MIN_ITEMS_FOR_PATTERN = 3
# A length cue: the key is the longest option in more than half the items of a file (chance
# is about a third), or a key is this many times longer than the longest distractor.
MAX_SHARE_KEY_LONGEST = 0.5
KEY_LENGTH_STANDS_OUT = 1.6
# Overlap, three ways. (1) Wording: difflib's ratio on the stems' words. (2) Content: the
# share of a graded item's content words (stem and options, numbers and common words left
# out) that one self-check also uses; this catches a restated question whose wording was
# shuffled ("how many exosome products had FDA approval as of 6 December 2019?"). It needs
# MIN_CONTENT_WORDS words to mean anything. (3) Options: a graded option (of at least
# MIN_OPTION_WORDS words, so "True" and "RNA." do not count) this alike to a self-check's.
# Calibrated on the 1.0.0 content, where they found the repeats the expert review named
# (03 Q1, 03 Q4, 04 Q8 option B) and a dozen more near-repeats.
STEM_SIMILARITY = 0.6
CONTENT_OVERLAP = 0.6
MIN_CONTENT_WORDS = 8
OPTION_SIMILARITY = 0.75
MIN_OPTION_WORDS = 6
_COMMON = frozenset(
    "a an the of and or to in on for is are be by with that this which what as it its at from was were how do "
    "does not no any your you their they he she we our these those has have had can could would should may "
    "might than then there so if all one two three who whom whose about into out over under more most less "
    "only also such each every other some same very much many".split())

_CITATION = re.compile(r"\[(@[a-z0-9]+(?:\s*;\s*@[a-z0-9]+)*)\]")
_KEY = re.compile(r"@([a-z0-9]+)")


@dataclass(frozen=True)
class Finding:
    """One problem: where (file, item), what, and how to fix it."""
    check: str            # position, length, overlap, options, key, coverage, citation, format
    file: str
    item: str | None
    problem: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}, {self.item}" if self.item else self.file
        return f"{where}: {self.problem}. Fix: {self.fix}"


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool


@dataclass(frozen=True)
class Item:
    """A formative question or a summative item, in the terms the checks need."""
    file: str
    label: str                          # e.g. "question 'ev-term'" or "item 3 'ev-nomenclature'"
    module: str
    objective: str
    kind: str                           # single, multiple, truefalse, numeric
    stem: str
    options: tuple[Option, ...] = ()
    answer: float | None = None
    tolerance: float | None = None
    example: str = ""
    cite_keys: tuple[str, ...] = ()     # every key the item cites, inline or listed
    summative: bool = False

    @property
    def is_choice(self) -> bool:
        return self.kind in ("single", "multiple")

    @property
    def full_text(self) -> str:
        return " ".join([self.stem, *(o.text for o in self.options)])

    @property
    def key_positions(self) -> tuple[int, ...]:
        return tuple(i for i, o in enumerate(self.options) if o.correct)


@dataclass
class ContentReport:
    """What the check read and what it found."""
    files: list[str] = field(default_factory=list)
    formative: list[Item] = field(default_factory=list)
    summative: list[Item] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def by_check(self) -> Counter[str]:
        return Counter(f.check for f in self.findings)


def keys_in(text: str) -> list[str]:
    return [k for group in _CITATION.findall(text or "") for k in _KEY.findall(group)]


def _words(text: str) -> list[str]:
    """Lower-case words without citations, Markdown or punctuation: what similarity compares."""
    text = _CITATION.sub(" ", text or "")
    return re.findall(r"[a-z0-9]+(?:[.,][0-9]+)?", text.lower())


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0 to 1, on their words (order matters; wording and order both count)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def content_words(text: str) -> set[str]:
    """The words that carry an item's content: no numbers, no common words, no short words."""
    return {w for w in _words(text) if w not in _COMMON and len(w) > 2 and not w[0].isdigit()}


def content_overlap(graded: Item, formative: Item) -> float:
    """The share of ``graded``'s content words (stem and options) that ``formative`` also uses."""
    words = content_words(graded.full_text)
    return len(words & content_words(formative.full_text)) / len(words) if words else 0.0


def letter(index: int) -> str:
    return chr(ord("A") + index)


# ---------------------------------------------------------------- reading the two formats

def read_banks(directory: Path, findings: list[Finding]) -> list[Item]:
    """Every self-check question in ``directory`` (one YAML bank per module)."""
    from course._questions import parse_bank
    from course._yaml import read_yaml

    items: list[Item] = []
    for path in sorted(directory.glob("*.yml")):
        name = f"{directory.name}/{path.name}"
        try:
            bank = parse_bank(read_yaml(path), file=name)
        except ContentError as error:
            file = name if error.file == str(path) else error.file   # read_yaml names the full path
            findings.append(Finding("format", file, error.item, error.problem, error.fix))
            continue
        for q in bank.questions:
            texts = [q.prompt, q.feedback_correct, q.feedback_incorrect]
            texts += [t for o in q.options for t in (o.text, o.feedback)]
            keys = [*q.cite, *(k for o in q.options for k in o.cite), *(k for t in texts for k in keys_in(t))]
            items.append(Item(
                file=name, label=f"question {q.id!r}", module=bank.module, objective=q.objective,
                kind=q.type, stem=q.prompt, options=tuple(Option(o.text, o.correct) for o in q.options),
                answer=q.answer, tolerance=q.tolerance, example=q.example,
                cite_keys=tuple(dict.fromkeys(keys)), summative=False))
    return items


_KINDS = {"letter": "single", "letters": "multiple", "number": "numeric"}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        from course._questions import parse_number

        try:
            return parse_number(value)
        except ContentError:
            return None
        except Exception:   # AnswerFormatError: not a number an author meant
            return None
    return None


def read_assessments(directory: Path, findings: list[Finding]) -> list[Item]:
    """Every autograded item of every assessment YAML in ``directory``.

    Reads the files directly (not through the generator), so one broken file is one
    finding and the others are still checked.
    """
    from course._syllabus import load_syllabus
    from course._yaml import read_yaml

    slugs = {m.slug: m.id for m in load_syllabus().modules}
    items: list[Item] = []
    for path in sorted(directory.glob("*.yml")):
        name = f"{directory.name}/{path.name}"
        try:
            data = read_yaml(path)
        except ContentError as error:
            findings.append(Finding("format", name, error.item, error.problem, error.fix))
            continue
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            findings.append(Finding("format", name, None, "has no list of `items:`",
                                    "see schema/assessment.schema.json"))
            continue
        module = slugs.get(str(data.get("id") or path.stem), path.stem[:2])
        texts_outside = [str(data.get("notice") or "")]
        written = data.get("written")
        if isinstance(written, dict):
            texts_outside += [str(written.get(k) or "") for k in ("prompt", "marking_guide", "model_answer")]
        for number, raw in enumerate(data["items"], 1):
            if not isinstance(raw, dict):
                findings.append(Finding("format", name, f"item {number}", "is not a mapping",
                                        "write the item as id, objective, kind, prompt, ..."))
                continue
            label = f"item {number} {str(raw.get('id') or '?')!r}"
            options = tuple(Option(str(o.get("text") or ""), o.get("correct") is True)
                            for o in raw.get("options") or [] if isinstance(o, dict))
            stem = str(raw.get("prompt") or "")
            keys = keys_in(stem) + [k for o in options for k in keys_in(o.text)]
            items.append(Item(
                file=name, label=label, module=module, objective=str(raw.get("objective") or ""),
                kind=_KINDS.get(str(raw.get("kind")), str(raw.get("kind"))), stem=stem, options=options,
                answer=_number(raw.get("answer")), tolerance=_number(raw.get("tolerance")),
                example=str(raw.get("example") or ""), cite_keys=tuple(dict.fromkeys(keys)), summative=True))
        # Citations outside the items (notice, written task) are checked too.
        outside = [k for t in texts_outside for k in keys_in(t)]
        if outside:
            items.append(Item(file=name, label="notice and written task", module=module, objective="",
                              kind="text", stem="", cite_keys=tuple(dict.fromkeys(outside)), summative=True))
    return items


# ---------------------------------------------------------------- the checks

def _by_file(items: Iterable[Item]) -> dict[str, list[Item]]:
    files: dict[str, list[Item]] = {}
    for item in items:
        files.setdefault(item.file, []).append(item)
    return files


def check_options(items: Sequence[Item]) -> list[Finding]:
    """At least three options per choice item (true/false items are two by nature)."""
    return [Finding("options", i.file, i.label, f"has {len(i.options)} options",
                    "give a choice item at least three options, each a real misconception")
            for i in items if i.is_choice and len(i.options) < 3]


def check_keys(items: Sequence[Item]) -> list[Finding]:
    """The key agrees with the options (and a numeric example is not the answer)."""
    found: list[Finding] = []
    for i in items:
        keyed = len(i.key_positions)
        if i.kind in ("single", "truefalse") and keyed != 1:
            found.append(Finding("key", i.file, i.label, f"is single-answer with {keyed} correct options",
                                 "mark exactly one option correct, or make it a select-all item"))
        elif i.kind == "multiple" and keyed == 0:
            found.append(Finding("key", i.file, i.label, "is select-all with no correct option",
                                 "mark the right options correct"))
        elif i.kind == "multiple" and keyed == len(i.options):
            found.append(Finding("key", i.file, i.label, "has every option correct, so ticking all always wins",
                                 "add at least one plausible wrong option"))
        elif i.kind == "numeric":
            if i.answer is None or i.tolerance is None or not math.isfinite(i.answer) or not i.tolerance > 0:
                found.append(Finding("key", i.file, i.label, "has no usable answer and positive tolerance",
                                     "give answer: and tolerance: (greater than 0)"))
                continue
            example = _number(i.example)
            if example is not None and abs(example - i.answer) <= i.tolerance:
                found.append(Finding("key", i.file, i.label,
                                     f"shows the example {i.example!r}, which would be marked correct",
                                     "choose a format example outside the accepted range"))
        elif i.kind not in ("single", "multiple", "truefalse", "numeric", "text"):
            found.append(Finding("format", i.file, i.label, f"has unknown kind {i.kind!r}",
                                 "use letter, letters or number (assessments) or single, multiple, truefalse, "
                                 "numeric (banks)"))
    return found


def check_positions(items: Sequence[Item]) -> list[Finding]:
    """Per file: the key spread over positions; multi-select keys not always at A, contiguous or first."""
    found: list[Finding] = []
    for file, members in _by_file(items).items():
        singles = [i for i in members if i.kind == "single" and len(i.key_positions) == 1]
        if len(singles) >= MIN_ITEMS_FOR_PATTERN:
            counts = Counter(i.key_positions[0] for i in singles)
            position, count = counts.most_common(1)[0]
            if count > MAX_SHARE_ONE_POSITION * len(singles):
                found.append(Finding(
                    "position", file, None,
                    f"the correct option is {letter(position)} (position {position + 1}) in {count} of "
                    f"{len(singles)} single-answer items",
                    f"reorder options so the key falls on different positions (now: "
                    f"{', '.join(f'{letter(p)}×{n}' for p, n in sorted(counts.items()))})"))
        multis = [i for i in members if i.kind == "multiple" and 0 < len(i.key_positions) < len(i.options)]
        if len(multis) >= 2:
            patterns = (
                ("start at the first option", lambda i: i.key_positions[0] == 0),
                ("run without a gap", lambda i: i.key_positions == tuple(range(i.key_positions[0],
                                                                              i.key_positions[-1] + 1))),
                ("come before every wrong option", lambda i: i.key_positions == tuple(range(len(i.key_positions)))),
            )
            for description, pattern in patterns:
                if all(pattern(i) for i in multis):
                    found.append(Finding(
                        "position", file, None,
                        f"in all {len(multis)} select-all items the correct options {description}",
                        "interleave right and wrong options, and let some keys start later"))
    return found


def check_lengths(items: Sequence[Item]) -> list[Finding]:
    """The correct option is not systematically, or conspicuously, the longest."""
    found: list[Finding] = []
    for file, members in _by_file(items).items():
        singles = [i for i in members if i.kind == "single" and len(i.key_positions) == 1 and len(i.options) >= 3]
        longest = []
        for i in singles:
            key = i.options[i.key_positions[0]]
            rest = max(len(o.text) for o in i.options if not o.correct)
            if len(key.text) > rest:
                longest.append(i)
            if rest and len(key.text) >= KEY_LENGTH_STANDS_OUT * rest:
                found.append(Finding(
                    "length", file, i.label,
                    f"the correct option is {len(key.text)} characters, the longest distractor {rest}",
                    "shorten the key (move its reasons into the feedback) or give a distractor the same detail"))
        if len(singles) >= MIN_ITEMS_FOR_PATTERN and len(longest) > MAX_SHARE_KEY_LONGEST * len(singles):
            found.append(Finding(
                "length", file, None,
                f"the correct option is the longest in {len(longest)} of {len(singles)} single-answer items "
                f"({', '.join(i.label for i in longest)})",
                "vary the lengths: some distractors as detailed as the key, some keys short"))
    return found


def check_overlap(formative: Sequence[Item], summative: Sequence[Item]) -> list[Finding]:
    """No graded item repeats or nearly repeats a self-check, in its stem or in an option."""
    found: list[Finding] = []
    for graded in summative:
        if graded.kind == "text":
            continue
        fix = (f"write a new item for objective {graded.objective}: a different case or fact, not a "
               "reworded self-check")
        best = max(formative, key=lambda q: similarity(graded.stem, q.stem), default=None)
        if best is not None and similarity(graded.stem, best.stem) >= STEM_SIMILARITY:
            found.append(Finding("overlap", graded.file, graded.label,
                                 f"repeats self-check {best.file} {best.label} (stem "
                                 f"{similarity(graded.stem, best.stem):.0%} alike)", fix))
            continue
        closest = max(formative, key=lambda q: content_overlap(graded, q), default=None)
        if (closest is not None and len(content_words(graded.full_text)) >= MIN_CONTENT_WORDS
                and content_overlap(graded, closest) >= CONTENT_OVERLAP):
            found.append(Finding("overlap", graded.file, graded.label,
                                 f"restates self-check {closest.file} {closest.label} "
                                 f"({content_overlap(graded, closest):.0%} of its content words are the same)", fix))
            continue
        for option in graded.options:
            if len(_words(option.text)) < MIN_OPTION_WORDS:
                continue
            for question in formative:
                match = next((o for o in question.options
                              if similarity(option.text, o.text) >= OPTION_SIMILARITY), None)
                if match is not None:
                    found.append(Finding(
                        "overlap", graded.file, graded.label,
                        f"an option (“{option.text[:60]}…”) copies self-check {question.file} {question.label}",
                        "word the option afresh, or test the point with a different case"))
                    break
            else:
                continue
            break
    return found


def check_coverage(formative: Sequence[Item], summative: Sequence[Item],
                   assessed_modules: set[str] | None = None) -> list[Finding]:
    """Every objective has a formative item, and a summative one where its module has an assessment."""
    from course._syllabus import load_syllabus

    found: list[Finding] = []
    syllabus = load_syllabus()
    graded_modules = assessed_modules if assessed_modules is not None else {i.module for i in summative}
    for module in syllabus.modules:
        own = {o.id for o in module.objectives}
        for objective in module.objectives:
            where = f"objective {objective.id}"
            if not any(i.objective == objective.id for i in formative):
                found.append(Finding("coverage", f"questions/{module.slug}.yml", where, "has no self-check question",
                                     f"add a self-check question with objective: \"{objective.id}\""))
            if module.id in graded_modules and not any(i.objective == objective.id for i in summative):
                found.append(Finding("coverage", f"assessments/{module.slug}.yml", where, "has no graded item",
                                     f"add an autograded item with objective: \"{objective.id}\""))
        for item in (*formative, *summative):
            if item.module == module.id and item.objective and item.objective not in own:
                found.append(Finding("coverage", item.file, item.label,
                                     f"names objective {item.objective!r}, which is not module {module.id}'s",
                                     f"use one of {', '.join(sorted(own))}, and test what that objective says"))
    return found


def check_citations(items: Sequence[Item]) -> list[Finding]:
    """Every key an item cites is in the vetted list (course/content/references.yml)."""
    from course._references import load_references

    bibliography = load_references()
    return [Finding("citation", i.file, i.label, f"cites `{key}`, which is not a vetted reference",
                    "cite a key from course/content/references.yml (never add an unvetted source)")
            for i in items for key in i.cite_keys if key not in bibliography]


CHECKS: list[tuple[str, Callable[[Sequence[Item]], list[Finding]]]] = [
    ("options", check_options), ("key", check_keys), ("position", check_positions),
    ("length", check_lengths), ("citation", check_citations),
]


# ---------------------------------------------------------------- the whole check

def default_banks_dir() -> Path:
    from course._questions import QUESTIONS_DIR

    return QUESTIONS_DIR


def default_assessments_dir() -> Path | None:
    """``grading/assessments`` of the project this library sits in (absent in an installed wheel)."""
    directory = Path(__file__).resolve().parents[2] / "grading" / "assessments"
    return directory if directory.is_dir() else None


def check_content(banks_dir: Path | None = None, assessments_dir: Path | None = None) -> ContentReport:
    """Run every check on the banks and assessments; return what was read and found."""
    report = ContentReport()
    banks_dir = banks_dir or default_banks_dir()
    report.formative = read_banks(banks_dir, report.findings)
    report.files += [p.name for p in sorted(banks_dir.glob("*.yml"))]
    if assessments_dir is not None:
        report.summative = read_assessments(assessments_dir, report.findings)
        report.files += [p.name for p in sorted(assessments_dir.glob("*.yml"))]
    everything = [*report.formative, *report.summative]
    for _name, check in CHECKS:
        report.findings += check(everything)
    report.findings += check_overlap(report.formative, report.summative)
    assessed = {i.module for i in report.summative} if assessments_dir is not None else set()
    report.findings += check_coverage(report.formative, report.summative, assessed)
    return report


__all__ = ["Finding", "Item", "Option", "ContentReport", "check_content", "check_options", "check_keys",
           "check_positions", "check_lengths", "check_overlap", "check_coverage", "check_citations",
           "read_banks", "read_assessments", "similarity", "content_overlap", "content_words",
           "default_assessments_dir", "default_banks_dir"]
