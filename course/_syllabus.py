"""The syllabus: the one manifest of modules, objectives, minutes and pass marks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from course._errors import ContentError
from course._yaml import CONTENT_DIR, read_yaml, require

SYLLABUS_FILE = CONTENT_DIR / "syllabus.yml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODULES_DIR = PROJECT_ROOT / "modules"


@dataclass(frozen=True)
class Objective:
    id: str
    text: str
    cite: tuple[str, ...] = ()
    revisit: tuple[str, ...] = ()   # lesson section headings to go back to (feedback on a missed question)

    @property
    def module_id(self) -> str:
        return f"{int(self.id.split('.')[0]):02d}"


@dataclass(frozen=True)
class CompletionRule:
    """What a module needs before the learner may mark it complete (``record.completion``)."""

    self_checks: bool = True      # every self-check question tried at least once
    reflection: bool = True       # the module's reflection saved
    active_share: float = 0.0     # active time at least this share of the estimated minutes


@dataclass(frozen=True)
class RecordRules:
    """How the learner's record counts time and completion (the syllabus's ``record:``)."""

    gap_cap_minutes: float = 10.0
    completion: CompletionRule = CompletionRule()


@dataclass(frozen=True)
class Module:
    id: str
    slug: str
    title: str
    minutes: int
    objectives: tuple[Objective, ...]
    pass_mark: float | None = None
    completion: CompletionRule = CompletionRule()

    @property
    def assessed(self) -> bool:
        """True for modules with a graded assessment (01–05)."""
        return self.pass_mark is not None

    def passed(self, score: float, max_score: float) -> bool:
        """The course's one pass rule: at least ``pass_mark`` of the autograded points.

        Every place that says pass or fail (grades report, feedback, certificates)
        asks this method; prose that quotes the pass mark is checked against it.
        """
        if self.pass_mark is None:
            raise ContentError("syllabus.yml", f"module {self.id}", "has no pass_mark but is being graded",
                               "give the module a pass_mark (e.g. 0.8) or remove its assessment")
        # A small epsilon so that 0.8 * 10 = 8.000000000000002 does not fail a learner with 8.
        return max_score > 0 and score + 1e-9 >= self.pass_mark * max_score

    @property
    def pass_percent(self) -> str:
        """The pass mark as learners read it, e.g. "80 %"."""
        return f"{(self.pass_mark or 0) * 100:g} %"


@dataclass(frozen=True)
class CourseInfo:
    title: str
    version: str
    provider: str
    content_review_date: str
    declaration_of_interests: str
    cpd_type: str
    safety_note: str = ""


@dataclass(frozen=True)
class Syllabus:
    course: CourseInfo
    modules: tuple[Module, ...]
    _objectives: dict[str, Objective] = field(default_factory=dict, repr=False)
    record: RecordRules = RecordRules()

    def module(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id or module.slug == module_id:
                return module
        known = ", ".join(m.id for m in self.modules)
        raise ContentError("syllabus.yml", f"module {module_id!r}", "does not exist",
                           f"use one of the module ids {known}")

    def objective(self, objective_id: str) -> Objective:
        try:
            return self._objectives[objective_id]
        except KeyError:
            raise ContentError("syllabus.yml", f"objective {objective_id!r}", "does not exist",
                               "use an objective id listed in course/content/syllabus.yml") from None

    def objectives(self) -> list[Objective]:
        return list(self._objectives.values())

    def notebook_path(self, module_id: str) -> Path:
        return MODULES_DIR / f"{self.module(module_id).slug}.ipynb"

    @property
    def total_minutes(self) -> int:
        return sum(m.minutes for m in self.modules)


def parse_syllabus(data: object, file: str = "syllabus.yml", known_keys: set[str] | None = None,
                   lesson_headings: dict[str, set[str]] | None = None) -> Syllabus:
    info = require(data, "course", file, None, dict, "start with a `course:` section (title, version, ...)")
    course = CourseInfo(**{
        name: str(require(info, name, file, "course", (str, int, float), f"add `{name}` under `course:`"))
        for name in ("title", "version", "provider", "content_review_date",
                     "declaration_of_interests", "cpd_type", "safety_note")
    })
    rules = require(data, "record", file, None, dict,
                    "add a `record:` section with gap_cap_minutes and completion (see the comments there)")
    cap = require(rules, "gap_cap_minutes", file, "record", (int, float),
                  "give the longest gap between two actions that counts, in minutes, e.g. gap_cap_minutes: 10")
    if isinstance(cap, bool) or not 0 < cap <= 120:
        raise ContentError(file, "record", "gap_cap_minutes must be a number of minutes between 0 and 120",
                           "e.g. gap_cap_minutes: 10")
    default_rule = _completion_rule(require(rules, "completion", file, "record", dict,
                                            "add `completion:` with self_checks, reflection and active_share"),
                                    CompletionRule(), file, "record: completion")
    record = RecordRules(gap_cap_minutes=float(cap), completion=default_rule)
    modules: list[Module] = []
    objectives: dict[str, Objective] = {}
    for index, entry in enumerate(require(data, "modules", file, None, list, "add a `modules:` list"), 1):
        module_id = str(require(entry, "id", file, f"module {index}", (str, int), 'give the module an id such as "01"'))
        item = f"module {module_id}"
        if not re.fullmatch(r"\d\d", module_id):
            raise ContentError(file, item, "id must be two digits", 'quote it, e.g. id: "01"')
        if any(m.id == module_id for m in modules):
            raise ContentError(file, item, "appears twice", "give each module its own id")
        minutes = require(entry, "minutes", file, item, int, "give the estimated minutes as a whole number")
        pass_mark = entry.get("pass_mark")
        if pass_mark is not None and not (isinstance(pass_mark, (int, float)) and 0 < pass_mark <= 1):
            raise ContentError(file, item, "pass_mark must be a fraction between 0 and 1", "e.g. pass_mark: 0.8")
        module_objectives: list[Objective] = []
        for objective in entry.get("objectives") or []:
            oid = str(require(objective, "id", file, item, (str, float), 'give the objective an id such as "1.2"'))
            oitem = f"objective {oid}"
            if not re.fullmatch(r"\d+\.\d+", oid) or int(oid.split(".")[0]) != int(module_id):
                raise ContentError(file, oitem, f"id does not belong to module {module_id}",
                                   f'number it "{int(module_id)}.N" and quote it')
            if oid in objectives:
                raise ContentError(file, oitem, "appears twice", "give each objective its own id")
            cite = tuple(objective.get("cite") or ())
            if known_keys is not None:
                for key in cite:
                    if key not in known_keys:
                        raise ContentError(file, oitem, f"cites unknown reference key `{key}`",
                                           "use a key listed in course/content/references.yml")
            revisit = _revisit(objective, file, oitem, str(entry.get("slug", "")), lesson_headings)
            objectives[oid] = Objective(oid, require(objective, "text", file, oitem, str, "state the objective"), cite,
                                        revisit)
            module_objectives.append(objectives[oid])
        modules.append(Module(
            id=module_id,
            slug=require(entry, "slug", file, item, str, 'add the slug, e.g. "01_exosome_biology"'),
            title=require(entry, "title", file, item, str, "add the title"),
            minutes=minutes,
            objectives=tuple(module_objectives),
            pass_mark=float(pass_mark) if pass_mark is not None else None,
            completion=_completion_rule(entry.get("completion") or {}, default_rule, file, f"{item}: completion"),
        ))
    if known_keys is not None:
        for key in re.findall(r"@([a-z0-9]+)", course.safety_note):
            if key not in known_keys:
                raise ContentError(file, "course: safety_note", f"cites unknown reference key `{key}`",
                                   "use a key listed in course/content/references.yml")
    return Syllabus(course=course, modules=tuple(modules), _objectives=objectives, record=record)


def _completion_rule(raw: object, base: CompletionRule, file: str, item: str) -> CompletionRule:
    """``base`` with the parts ``raw`` sets (a module's own ``completion:`` overrides the course's)."""
    if not isinstance(raw, dict):
        raise ContentError(file, item, "must be a mapping", "e.g. completion: {reflection: false}")
    unknown = set(raw) - {"self_checks", "reflection", "active_share"}
    if unknown:
        raise ContentError(file, item, f"has unknown setting(s) {', '.join(sorted(map(str, unknown)))}",
                           "use self_checks, reflection and active_share")
    for name in ("self_checks", "reflection"):
        if name in raw and not isinstance(raw[name], bool):
            raise ContentError(file, item, f"`{name}` must be true or false", f"write {name}: true or {name}: false")
    share = raw.get("active_share", base.active_share)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise ContentError(file, item, "active_share must be a fraction between 0 and 1", "e.g. active_share: 0.5")
    return CompletionRule(self_checks=bool(raw.get("self_checks", base.self_checks)),
                          reflection=bool(raw.get("reflection", base.reflection)), active_share=float(share))


def _revisit(objective: dict[str, object], file: str, item: str, slug: str,
             lesson_headings: dict[str, set[str]] | None) -> tuple[str, ...]:
    """An objective's ``revisit`` sections: headings of its module's lesson, checked when the
    lessons are at hand (``lesson_headings``: lesson slug -> its headings)."""
    raw = objective.get("revisit") or []
    sections = [raw] if isinstance(raw, str) else raw
    if not isinstance(sections, list) or not all(isinstance(x, str) and x.strip() for x in sections):
        raise ContentError(file, item, "revisit must list section headings of the lesson",
                           "write e.g. revisit: ['2.1 The process is the product']")
    headings = (lesson_headings or {}).get(slug)
    for section in sections:
        if headings is not None and section.strip() not in headings:
            raise ContentError(file, item, f"revisit names “{section}”, which is not a heading of "
                               f"modules/{slug}.ipynb", "copy the heading exactly as the lesson shows it, without the #")
    return tuple(x.strip() for x in sections)


def lesson_headings(folder: Path = MODULES_DIR) -> dict[str, set[str]]:
    """Lesson slug -> the Markdown headings of ``modules/<slug>.ipynb`` (empty when there are
    no lessons here). Read from the notebook's text, which is faster than parsing its JSON."""
    import json

    found: dict[str, set[str]] = {}
    for notebook in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        text = notebook.read_text(encoding="utf-8")
        found[notebook.stem] = {json.loads(f'"{line}"').lstrip("#").strip()
                                for line in re.findall(r'"(#{1,6} (?:[^"\\]|\\.)*?)(?:\\n)?"', text)}
    return found


@lru_cache(maxsize=1)
def load_syllabus(path: Path | None = None) -> Syllabus:
    """The course syllabus, validated against the bibliography."""
    from course._references import load_references

    file = path or SYLLABUS_FILE
    return parse_syllabus(read_yaml(file), file=file.name, known_keys=set(load_references().keys()),
                          lesson_headings=lesson_headings() or None)
