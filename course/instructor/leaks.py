"""Leak detection: is any secret of the course in this text, file, archive or folder?

One module answers that question for every place that hands something to learners:
feedback pages (``course.instructor.feedback``), the released assessments
(``audit_release``, used by the release step) and the learner edition
(``exocourse publish``). Nothing here prints a secret: a ``Leak`` says *what* leaked
(its kind and label, e.g. "model answer of 02_quality_and_contamination, sentence 3"),
*where* and *how* (as text, base64-encoded, reversed, ...), with at most a short
preview (never any of a key or a private key).

API (everything takes ``Secrets``, a collection built once and searched many times)::

    secrets = assessment_secrets(course.source_notebook(a), a, key_file=...)   # keys, solutions, tests, guide
    secrets += key_material_secrets(pem_bytes, "certificate signing key")      # private key material
    secrets += roster_secrets(course.root / "learners.csv")                    # roster lines
    secrets += text_secrets(LEARNER_DATA, "reflection of learner-07", text)   # other learners' data
    secrets = secrets.without(public_text)      # drop fragments a page may legitimately show

    find_leaks(text_or_bytes, secrets, where="page.html")  -> list[Leak]       # one blob
    scan_bytes(data, secrets, where, limits)               -> Audit            # + archives inside
    scan_file(path, secrets) / scan_tree(folder, secrets)  -> Audit
    iter_archive(data, name, limits)                        -> members of a zip/tar/gz, in memory
    audit_release(course, assessment)                       -> Audit of release/<assessment>/
    regions(cell_source)                                    -> [(None | SOLUTION | HIDDEN_TEST, line)]

An ``Audit`` holds ``leaks`` and ``unchecked`` (content that could not be examined: too
large, encrypted, a corrupt archive, a symlink); ``audit.ok`` is True only when both
are empty, so an audit fails closed.

**How text is matched.** Both the secret and the blob are normalised: Unicode NFKC,
case folded, every kind of quote made ``'``, dashes made ``-``, zero-width characters
and *all* whitespace removed (so spacing, line wrapping and ``answer_2='A'`` versus
``answer_2 = "A"`` do not matter). The blob is searched as it is and in these views:
HTML tags removed and entities unescaped (twice, so ``&amp;lt;`` and text split by
``<span>`` tags are found), backslash escapes decoded (``\\u0041``, ``\\"`` as in JSON),
URL-decoded, reversed, ROT13, and every run of base64 (standard or URL-safe, wrapped
or not) or hex that decodes to text, recursively to ``MAX_DEPTH``. Bytes are read in
every plausible encoding (a BOM, UTF-8, UTF-16 when NUL bytes say so, the encoding
``charset_normalizer`` guesses, cp1252 and Latin-1), so a secret in a Latin-1 or
UTF-16 file is found. Zip and tar archives (any compression), gzip/bz2/xz files and
the compressed streams of PDFs are opened in memory, never extracted to disk, within
``Limits``.

Long secrets (model answers, marking guides) are cut into sentence or line fragments
of at least ``MIN_FRAGMENT`` characters, so one copied sentence is found. A fragment
that is also in the public text passed to ``Secrets.without`` is dropped (a model
answer may share a phrase with the released prompt; a learner's page holds their own
reflection, which may match another learner's).

**What "the key leaked" means.** A keyed answer such as ``"B"``, ``"A, C"`` or
``"4e10"`` cannot be searched as text: every page is full of single letters, and a
learner who answered correctly shows that same value as *their* answer. So an
``AnswerKey`` for question N counts as leaked when the blob holds any of:

1. *a keyed line*: the item's variable ``answer_N`` bound or compared to the key,
   e.g. ``answer_3 = 'A, B'``, ``letters(answer_3) == {'A', 'B'}``, ``"answer_3": "B, A"``,
   ``close(answer_5, 40000000000.0, ...)`` (letters in any order and separator; a
   number within the key's tolerance);
2. *a keyed statement*: "correct/right/expected/model answer(s) (is/are/:)", "answer key",
   "key:", "solution:" or "correct:" followed by the key's letters (exactly) or number,
   or by the text of an option keyed correct; tied to question N when the nearest
   "question N", "item N", "qN" or ``answer_N`` before it names N (with no such anchor,
   the key of any question is matched);
3. *a marked option*: the text of an option keyed correct (at least ``MIN_OPTION``
   characters) next to a correctness mark (``✓``, ``(correct)``, ``correct``, ``: true``,
   ``[x]``, ``(key)``), or an option letter of the key mapped to true (``"B": true``,
   ``B = correct``) under an anchor naming N: the option-to-correctness mapping.

So a feedback page must show a learner's answer as a value ("Your answer: A, C"), never
as an ``answer_N = ...`` line, and must not use those phrases. A key file (the
instructor's declarative key) is also fingerprinted: a byte-identical copy anywhere is
a leak whatever its name.
"""
from __future__ import annotations

import base64
import binascii
import bz2
import codecs
import functools
import gzip
import hashlib
import html
import io
import json
import lzma
import re
import stat
import tarfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote_plus

# nbgrader's region markers are defined once, beside the assessment format.
from course.instructor.assessments import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END

if TYPE_CHECKING:
    from course.instructor.coursedir import CourseDir

# Kinds of secret (the first word of every message).
KEY = "key"
KEY_FILE = "key file"
SOLUTION = "solution"
HIDDEN_TEST = "hidden test"
MARKING_GUIDE = "marking guide"
MODEL_ANSWER = "model answer"
PRIVATE_KEY = "private key"
ROSTER = "roster"
LEARNER_DATA = "learner data"
_NO_PREVIEW = {KEY, KEY_FILE, PRIVATE_KEY}   # nothing of these is ever shown, not even a prefix

MIN_TEXT = 8          # normalised characters: a shorter text secret cannot be told from chance
MIN_WORD = 4          # a whole-word secret (a learner id, a name) needs at least this many
MIN_FRAGMENT = 24     # sentences of long secrets shorter than this are joined to the next one
SHINGLE_WORDS = 8     # a run of this many words copied from a long secret is found
SHINGLE_STEP = 3      # ... starting every this many words (so any 10 copied words include a run)
MIN_OPTION = 8        # an option text shorter than this is not distinctive enough to search
MAX_DEPTH = 2         # base64 inside base64 inside the blob, and no deeper
_MIN_ENCODED = 16     # base64/hex runs shorter than this are not decoded

_DELIMITERS = ((SOLUTION, SOLUTION_BEGIN), (SOLUTION, SOLUTION_END),
               (HIDDEN_TEST, HIDDEN_BEGIN), (HIDDEN_TEST, HIDDEN_END))


# ================================================================ secrets

@dataclass(frozen=True)
class Secret:
    """A text that must not appear: searched as normalised text in every view."""

    kind: str
    label: str                  # where it comes from, for messages ("roster line 4")
    text: str                   # the normalised text searched for
    whole_word: bool = False    # only between non-alphanumerics (ids and names)

    def preview(self) -> str:
        if self.kind in _NO_PREVIEW:
            return ""
        shown = self.text[: min(12, len(self.text) // 3)]
        return f"“{shown}…” ({len(self.text)} characters)" if shown else f"({len(self.text)} characters)"


@dataclass(frozen=True)
class AnswerKey:
    """The keyed answer of one question (see the module docstring for what a leak of it is)."""

    label: str                          # e.g. "02_quality_and_contamination question 3"
    number: int                         # the question's number N
    variable: str                       # "answer_N"
    letters: frozenset[str] = frozenset()   # upper-case option letters, for letter items
    value: float | None = None          # for number items
    tolerance: float = 0.0
    correct_options: tuple[str, ...] = ()   # the texts of the options keyed correct


@dataclass(frozen=True)
class Fingerprint:
    """A whole file that must not be copied anywhere (the instructor's key file)."""

    kind: str
    label: str
    sha256: str


@dataclass
class Secrets:
    """Everything to look for; add collections with ``+``."""

    texts: list[Secret] = field(default_factory=list)
    keys: list[AnswerKey] = field(default_factory=list)
    fingerprints: list[Fingerprint] = field(default_factory=list)

    def __add__(self, other: Secrets) -> Secrets:
        return Secrets(self.texts + other.texts, self.keys + other.keys, self.fingerprints + other.fingerprints)

    def __bool__(self) -> bool:
        return bool(self.texts or self.keys or self.fingerprints)

    def __len__(self) -> int:
        return len(self.texts) + len(self.keys) + len(self.fingerprints)

    def without(self, *public: str) -> Secrets:
        """These secrets less every text fragment that also occurs in ``public`` (text a page
        may show: the released prompt, the learner's own answers)."""
        shown = [(normalise(p), normalise(p, keep_spaces=True)) for p in public if p]
        kept = [s for s in self.texts
                if not any(_contains(spaced if s.whole_word else compact, s) for compact, spaced in shown)]
        return Secrets(kept, list(self.keys), list(self.fingerprints))

    def of_kind(self, *kinds: str) -> Secrets:
        wanted = set(kinds)
        return Secrets([s for s in self.texts if s.kind in wanted],
                       list(self.keys) if KEY in wanted else [],
                       [f for f in self.fingerprints if f.kind in wanted])


def text_secrets(kind: str, label: str, text: str, *, whole_word: bool = False,
                 fragments: bool = True) -> Secrets:
    """A secret text. With ``fragments`` it is searched as its sentences and lines and as
    every run of ``SHINGLE_WORDS`` consecutive words, so a copied sentence or part of one
    is found; all fragments share ``label``."""
    if whole_word:
        norm = normalise(text, keep_spaces=True)
        return Secrets([Secret(kind, label, norm, True)] if len(norm.replace(" ", "")) >= MIN_WORD else [])
    pieces = _fragments(text) if fragments else [normalise(text)]
    unique = list(dict.fromkeys(p for p in pieces if len(p) >= MIN_TEXT))
    return Secrets([Secret(kind, label, piece) for piece in unique])


def line_secrets(kind: str, label: str, lines: Iterable[str]) -> Secrets:
    """One secret per significant line (code: solution and hidden-test lines)."""
    found: list[Secret] = []
    seen: set[str] = set()
    for line in lines:
        norm = normalise(line)
        if len(norm) < MIN_TEXT or norm in seen or _generic_code(line):
            continue
        seen.add(norm)
        found.append(Secret(kind, label, norm))
    return Secrets(found)


def _generic_code(line: str) -> bool:
    """Lines that tell nothing: imports, delimiters, punctuation."""
    text = line.strip()
    return (not text or text.startswith(("import ", "from ")) and " import " in text + " "
            or text.startswith("### ") or not re.search(r"[A-Za-z0-9]", text))


def _fragments(text: str) -> list[str]:
    """Sentences and lines of ``text`` (short ones joined to the next, to MIN_FRAGMENT
    characters) and its overlapping runs of SHINGLE_WORDS words, all normalised."""
    parts = re.split(r"(?<=[.!?;:])\s+|\n+|(?<=\S)\s+(?=\d+\.\s)", text)
    out: list[str] = []
    pending = ""
    for part in parts:
        norm = normalise(part)
        if not norm:
            continue
        pending += norm
        if len(pending) >= MIN_FRAGMENT:
            out.append(pending)
            pending = ""
    if pending:
        if out and len(pending) < MIN_FRAGMENT:
            out[-1] += pending
        else:
            out.append(pending)
    words = text.split()
    if len(words) > SHINGLE_WORDS:
        for start in range(0, len(words) - SHINGLE_WORDS + 1, SHINGLE_STEP):
            out.append(normalise("".join(words[start:start + SHINGLE_WORDS])))
    return out


def key_material_secrets(data: bytes | str, label: str = "certificate signing key") -> Secrets:
    """Private key material: a PEM block (its base64 body, in 32-character pieces so that a
    partial print is found), the raw key bytes as hex and base64, or a hex key line."""
    raw = data.encode("latin-1", "replace") if isinstance(data, str) else data
    text = raw.decode("utf-8", "replace")
    pieces: list[str] = []
    for body in re.findall(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(.*?)-----END", text, re.S):
        compact = re.sub(r"\s+", "", body)
        pieces += [compact[i:i + 32] for i in range(0, len(compact) - 31, 16)]
        try:
            der = base64.b64decode(compact)
        except (binascii.Error, ValueError):
            der = b""
        if der:
            pieces.append(der.hex())
    for raw_key in _raw_private_bytes(raw):
        pieces += [raw_key.hex(), base64.b64encode(raw_key).decode()]
    for hex_line in re.findall(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])", text):
        pieces.append(hex_line)
        pieces.append(base64.b64encode(bytes.fromhex(hex_line[: len(hex_line) // 2 * 2])).decode())
    found = {normalise(p) for p in pieces if len(p) >= MIN_TEXT}
    return Secrets([Secret(PRIVATE_KEY, label, p) for p in sorted(found)])


def _raw_private_bytes(data: bytes) -> list[bytes]:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # optional: the PEM body is searched anyway
        return []
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return []
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return [key.private_bytes_raw()]
    return []


def roster_secrets(path: Path, except_learner: str | None = None) -> Secrets:
    """Every line of the instructor's roster CSV (``learner,name,registration``), and each
    name, registration number and id in it (as whole words), except one learner's own."""
    import csv

    try:
        content = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return Secrets()
    secrets = Secrets()
    for number, row in enumerate(csv.reader(io.StringIO(content, newline="")), 1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells or (number == 1 and cells[0].lower() in {"learner", "id", "student"}):
            continue
        if except_learner is not None and cells[0] == except_learner:
            continue
        label = f"roster line {number}"
        secrets += text_secrets(ROSTER, label, ",".join(row), fragments=False)
        for cell in cells:
            secrets += text_secrets(ROSTER, label, cell, whole_word=True)
    return secrets


# ---------------------------------------------------------------- an assessment's secrets

def assessment_secrets(source_notebook: Path, assessment_id: str | None = None,
                       key_file: Path | None = None, delimiters: bool = True) -> Secrets:
    """Everything of one assessment a learner must not see: each question's key, every
    solution and hidden-test line, the reflection's marking guide and model answer, the
    nbgrader delimiters (``delimiters``), and the instructor's key file if there is one
    (fingerprinted, and its keys read when it is the course's declarative key)."""
    from course.instructor.assessments import cell_text, load_assessment, nbgrader_meta, read_notebook_json

    source_notebook = Path(source_notebook)
    assessment_id = assessment_id or source_notebook.parent.name
    notebook = read_notebook_json(source_notebook)
    assessment = load_assessment(source_notebook, assessment_id)
    public: list[str] = []
    secrets = Secrets()
    reflection_id = assessment.reflection.grade_id if assessment.reflection else None
    question = {cell_id: f"question {item.number}" for item in assessment.items
                for cell_id in (item.answer_cell, item.test_cell)}
    for cell in notebook["cells"]:
        source = cell_text(cell)
        regions = _regions(source)
        public += [line for kind, line in regions if kind is None]
        grade_id = str(nbgrader_meta(cell).get("grade_id") or "")
        solution = [line for kind, line in regions if kind == SOLUTION]
        hidden = [line for kind, line in regions if kind == HIDDEN_TEST]
        if grade_id == reflection_id or (cell.get("cell_type") == "markdown" and solution):
            secrets += _reflection_secrets(assessment_id, "\n".join(solution))
        else:
            secrets += line_secrets(SOLUTION, f"solution of {assessment_id} {question.get(grade_id, 'a cell')}",
                                    solution)
        secrets += line_secrets(HIDDEN_TEST, f"hidden test of {assessment_id} {question.get(grade_id, 'a cell')}",
                                hidden)
    reflection = assessment.reflection
    if reflection is not None:  # the declarative key's written task, when the model has one
        secrets += text_secrets(MARKING_GUIDE, f"marking guide of {assessment_id}",
                                str(getattr(reflection, "marking_guide", "") or ""))
        secrets += text_secrets(MODEL_ANSWER, f"model answer of {assessment_id}",
                                str(getattr(reflection, "model_answer", "") or ""))
    if delimiters:
        for kind, delimiter in _DELIMITERS:
            secrets.texts.append(Secret(kind, f"nbgrader marker “{delimiter}”", normalise(delimiter)))
    secrets.keys += _answer_keys(assessment, notebook, assessment_id)
    if key_file is not None and Path(key_file).is_file():
        secrets.fingerprints.append(Fingerprint(KEY_FILE, f"the key file of {assessment_id}",
                                                hashlib.sha256(Path(key_file).read_bytes()).hexdigest()))
    return secrets.without("\n".join(public))


def _regions(source: str) -> list[tuple[str | None, str]]:
    """Each line of a cell with the nbgrader region it is in (None: outside any)."""
    out: list[tuple[str | None, str]] = []
    inside: str | None = None
    for line in source.splitlines():
        if SOLUTION_BEGIN in line:
            inside = SOLUTION
        elif HIDDEN_BEGIN in line:
            inside = HIDDEN_TEST
        elif SOLUTION_END in line or HIDDEN_END in line:
            inside = None
        else:
            out.append((inside, line))
    return out


regions = _regions   # public name (publish reads which lines of a cell are solution or hidden test)


def _reflection_secrets(assessment_id: str, text: str) -> Secrets:
    """A written task's solution region: a marking guide, then (after "model answer") the model answer."""
    split = re.search(r"model answer", text, re.I)
    guide, model = (text[: split.start()], text[split.start():]) if split else (text, "")
    return (text_secrets(MARKING_GUIDE, f"marking guide of {assessment_id}", guide)
            + text_secrets(MODEL_ANSWER, f"model answer of {assessment_id}", model))


_OPTION_LINE = re.compile(r"^\s*[-*]\s*\**\s*\(?([A-Z])[.)]\**\s*(.+?)\s*$", re.M)
_CLOSE_TEST = re.compile(r"close\(\s*(\w+)\s*,\s*([-+0-9.eE]+)\s*,\s*tolerance\s*=\s*([-+0-9.eE]+)")


def _answer_keys(assessment: Any, notebook: dict[str, Any], assessment_id: str) -> list[AnswerKey]:
    """Each question's key: from the declarative key (options flagged ``correct``, a number's
    ``answer`` and ``tolerance``) when the assessment model has one, else from the source
    notebook's solution lines (and tolerances from its hidden tests)."""
    keys: list[AnswerKey] = []
    typed: dict[str, Any] | None = None
    for item in assessment.items:
        label = f"{assessment_id} question {item.number}"
        options = getattr(item, "options", ()) or ()
        if options:
            keys.append(AnswerKey(label, item.number, item.variable,
                                  letters=frozenset(o.letter for o in options if o.correct),
                                  correct_options=tuple(o.text for o in options if o.correct)))
            continue
        if getattr(item, "answer", None) is not None:
            keys.append(AnswerKey(label, item.number, item.variable, value=float(item.answer),
                                  tolerance=float(getattr(item, "tolerance", 0.0) or 0.0)))
            continue
        if typed is None:
            typed = _solution_values(notebook)
        key = _key_from_value(label, item, typed.get(item.variable), typed.get(f"tolerance:{item.variable}", 0.0))
        if key is not None:
            keys.append(key)
    return keys


def _solution_values(notebook: dict[str, Any]) -> dict[str, Any]:
    """``answer_N`` -> the literal its solution region assigns (read with ``ast``, never run),
    and ``tolerance:answer_N`` -> the tolerance its hidden test allows."""
    import ast

    from course.instructor.assessments import cell_text

    values: dict[str, Any] = {}
    for cell in notebook.get("cells", []):
        text = cell_text(cell)
        for variable, _target, tolerance in _CLOSE_TEST.findall(text):
            try:
                values[f"tolerance:{variable}"] = float(tolerance)
            except ValueError:
                pass
        solution = "\n".join(line for kind, line in _regions(text) if kind == SOLUTION)
        try:
            tree = ast.parse(solution)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except (ValueError, SyntaxError, TypeError, RecursionError):
                    continue
    return values


def _key_from_value(label: str, item: Any, value: Any, tolerance: float) -> AnswerKey | None:
    from course._answers import letters, number

    if value is None:
        return None
    if item.kind in ("letter", "letters"):
        picked = letters(value)
        if not picked:
            return None
        options = dict(_OPTION_LINE.findall(item.prompt))
        correct = tuple(options[letter] for letter in sorted(picked) if letter in options)
        return AnswerKey(label, item.number, item.variable, letters=frozenset(picked), correct_options=correct)
    parsed = number(value)
    if parsed is None:
        return None
    return AnswerKey(label, item.number, item.variable, value=parsed, tolerance=tolerance)


# ================================================================ normalising

_QUOTE_CHARS = re.compile("[\"`´‘’‚‛“”„‟′″‹›«»＂＇]")   # a regex: str.translate is slow on long text
_DASH_CHARS = re.compile("[‐‑‒–—―−﹣－]")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff*]")  # and Markdown's emphasis
_WHITESPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^<>]{0,2000}>")


def normalise(text: str, keep_spaces: bool = False) -> str:
    """Text as it is compared: NFKC, case folded, quotes and dashes unified, no whitespace
    (one space per run with ``keep_spaces``, for whole-word secrets), no zero-width
    characters and no ``*`` (Markdown emphasis)."""
    if keep_spaces:
        text = unicodedata.normalize("NFKC", text).casefold()
        text = _DASH_CHARS.sub("-", _QUOTE_CHARS.sub("'", _INVISIBLE.sub("", text)))
        return _WHITESPACE.sub(" ", text).strip()
    if text.isascii():  # the common case, ten times faster
        return _ASCII_DROP.sub("", text.lower().replace('"', "'").replace("`", "'"))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _DASH_CHARS.sub("-", _QUOTE_CHARS.sub("'", text))
    return _WHITESPACE.sub("", _INVISIBLE.sub("", text))


_ASCII_DROP = re.compile(r"[\s*]+")


def _unhtml(text: str) -> str:
    """Tags removed and entities unescaped, twice (for double escaping and escaped tags)."""
    for _ in range(2):
        text = html.unescape(_TAG.sub("", text))
    return _TAG.sub("", text)


_BACKSLASH = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[nrt\"'\\/])")


def _unbackslash(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "ux":
            return chr(int(code[1:], 16))
        return " " if code in "nrt" else code

    return _BACKSLASH.sub(one, text)


def decode_bytes(data: bytes) -> list[str]:
    """The texts ``data`` may be, in every plausible encoding (at least one)."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return [data[len(bom):].decode(encoding, "replace")]
    texts: list[str] = []
    sample = data[:65536]
    if sample and sample.count(0) > len(sample) // 5:
        texts += [data.decode("utf-16-le", "replace"), data.decode("utf-16-be", "replace")]
        if sample.count(0) > len(sample) // 2:
            texts += [data.decode("utf-32-le", "replace"), data.decode("utf-32-be", "replace")]
    try:
        texts.append(data.decode("utf-8"))
        if not texts[:-1]:
            return texts
    except UnicodeDecodeError:
        guessed = _guess_encoding(data)
        for encoding in ([guessed] if guessed else []) + ["cp1252", "latin-1"]:
            try:
                texts.append(data.decode(encoding, "replace"))
            except LookupError:  # a guessed codec Python does not have
                continue
    unique: list[str] = []
    for text in texts:
        if text not in unique:
            unique.append(text)
    return unique


def _guess_encoding(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    best = from_bytes(data[:262144]).best()
    return best.encoding if best is not None else None


# ================================================================ finding

@dataclass(frozen=True)
class Leak:
    """One secret found: what (kind, label, preview), where, and how it was written."""

    kind: str
    label: str
    where: str
    how: str = "as text"
    preview: str = ""

    def __str__(self) -> str:
        shown = f" {self.preview}" if self.preview else ""
        return f"{self.where}: {self.kind} ({self.label}){shown}, {self.how}"


@dataclass(frozen=True)
class Unchecked:
    """Content that could not be examined (fails an audit: what cannot be read cannot be cleared)."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: not checked, {self.reason}"


@dataclass
class Audit:
    leaks: list[Leak] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    checked: int = 0            # files and archive members examined

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.unchecked

    def extend(self, other: Audit) -> None:
        self.leaks += other.leaks
        self.unchecked += other.unchecked
        self.checked += other.checked

    def messages(self) -> list[str]:
        return [str(x) for x in [*self.leaks, *self.unchecked]]


def find_leaks(blob: str | bytes, secrets: Secrets, where: str = "the text") -> list[Leak]:
    """Every secret in one blob (text, or bytes in any encoding), in every view. A notebook
    (JSON with cells) is searched cell by cell so that ``where`` names the cell."""
    if not secrets:
        return []
    texts = decode_bytes(blob) if isinstance(blob, bytes) else [blob]
    found: dict[tuple[str, str, str], Leak] = {}
    if isinstance(blob, bytes) and secrets.fingerprints:
        digest = hashlib.sha256(blob).hexdigest()
        for fingerprint in secrets.fingerprints:
            if fingerprint.sha256 == digest:
                found[(fingerprint.kind, fingerprint.label, where)] = Leak(
                    fingerprint.kind, fingerprint.label, where, "a copy of the whole file")
    words = any(secret.whole_word for secret in secrets.texts)
    for text in texts:
        for part_where, part in _parts(text, where):
            searched: set[str] = set()
            for how, view in _views(part, 0):
                compact = normalise(view)
                if compact in searched:
                    continue
                searched.add(compact)
                spaced = normalise(view, keep_spaces=True) if words else ""
                for leak in _search(compact, spaced, secrets, part_where, how):
                    found.setdefault((leak.kind, leak.label, leak.where), leak)
    return list(found.values())


def _parts(text: str, where: str) -> Iterator[tuple[str, str]]:
    """A notebook's cells one by one (source, metadata, outputs), else the whole text."""
    stripped = text.lstrip()
    if stripped.startswith("{") and '"cells"' in text[:2_000_000]:
        try:
            notebook = json.loads(text)
        except ValueError:
            notebook = None
        if isinstance(notebook, dict) and isinstance(notebook.get("cells"), list):
            yield f"{where}, notebook metadata", json.dumps(notebook.get("metadata"), ensure_ascii=False)
            for index, cell in enumerate(notebook["cells"], 1):
                if not isinstance(cell, dict):
                    yield f"{where}, cell {index}", json.dumps(cell, ensure_ascii=False)
                    continue
                source = cell.get("source", "")
                yield f"{where}, cell {index}", "".join(source) if isinstance(source, list) else str(source)
                yield f"{where}, cell {index} metadata", json.dumps(cell.get("metadata"), ensure_ascii=False)
                if cell.get("outputs"):
                    yield f"{where}, cell {index} output", _output_text(cell["outputs"])
                if cell.get("attachments"):
                    yield f"{where}, cell {index} attachment", json.dumps(cell["attachments"])
                rest = {k: v for k, v in cell.items() if k not in ("source", "metadata", "outputs", "attachments")}
                yield f"{where}, cell {index}", json.dumps(rest, ensure_ascii=False)
            rest = {k: v for k, v in notebook.items() if k not in ("cells", "metadata")}
            if rest:
                yield where, json.dumps(rest, ensure_ascii=False)
            return
    yield where, text


def _output_text(outputs: Any) -> str:
    pieces: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            pieces.append(value)
        elif isinstance(value, list):
            if all(isinstance(v, str) for v in value):
                pieces.append("".join(value))
            else:
                for v in value:
                    walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif value is not None:
            pieces.append(str(value))

    walk(outputs)
    return "\n".join(pieces)


# A run of base64 (or hex), also wrapped over lines as PEM and MIME wrap it.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-][A-Za-z0-9+/=_-]{" + str(_MIN_ENCODED - 1) + r",}"
                         r"(?:(?:\\n|\r?\n)[A-Za-z0-9+/=_-]{4,})*")
_MAX_RUNS = 20000


def _views(raw: str, depth: int) -> Iterator[tuple[str, str]]:
    """(how, text) for every way a secret may be written in ``raw`` (not yet normalised)."""
    yield "as text", raw
    unhtml = _unhtml(raw)
    candidates = [("HTML-escaped or split by tags", unhtml)]
    if "\\" in raw:
        candidates.append(("backslash-escaped", _unhtml(_unbackslash(raw))))
    if "%" in raw or "+" in raw:
        candidates.append(("URL-encoded", _unhtml(unquote_plus(raw))))
    seen = {raw}
    for how, text in candidates:
        if text not in seen:
            seen.add(text)
            yield how, text
    yield "reversed", unhtml[::-1]
    if depth == 0:
        yield "ROT13-encoded", codecs.encode(unhtml, "rot13")
    if depth >= MAX_DEPTH:
        return
    # Every decoded run is searched at once: joined by NUL, which no normalised secret holds.
    for how, decoded in _decoded_runs(raw):
        for inner_how, text in _views(decoded, depth + 1):
            yield (how if inner_how == "as text" else f"{how}, {inner_how}"), text


def _decoded_runs(raw: str) -> Iterator[tuple[str, str]]:
    """The text hidden in base64 runs of ``raw``, and in hex runs (each kind joined into one text)."""
    in_base64: list[str] = []
    in_hex: list[str] = []
    for runs, match in enumerate(_BASE64_RUN.finditer(raw)):
        if runs > _MAX_RUNS:
            break
        compact = re.sub(r"\\n|\s", "", match.group(0))
        if len(compact) < _MIN_ENCODED:
            continue
        if len(compact) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", compact):
            text = _printable(bytes.fromhex(compact))
            if text:
                in_hex.append(text)
            continue
        if compact.islower() or compact.isupper():
            continue  # base64 of text mixes cases; a long lower-case word or name is not base64
        for offset in range(4):
            text = _printable(_b64decode(compact[offset:]))
            if text:
                in_base64.append(text)
                break
    if in_base64:
        yield "base64-encoded", "\x00".join(in_base64)
    if in_hex:
        yield "hex-encoded", "\x00".join(in_hex)


def _b64decode(text: str) -> bytes:
    text = text.rstrip("=")
    text = text[: len(text) - len(text) % 4] if len(text) % 4 == 1 else text
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in padded or "_" in padded:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded)
    except (binascii.Error, ValueError):
        return b""


def _printable(data: bytes) -> str:
    """The text ``data`` holds, or "" when it is mostly not text."""
    if len(data) < 6:
        return ""
    for encoding in ("utf-8", "utf-16-le", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        good = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
        if good >= 0.85 * len(text):
            return text
    return ""


def _contains(view: str, secret: Secret) -> bool:
    """Whether ``secret`` is in ``view`` (for a whole-word secret, ``view`` keeps its spaces)."""
    if not secret.whole_word:
        return secret.text in view
    start = view.find(secret.text)
    while start >= 0:
        end = start + len(secret.text)
        if (start == 0 or not view[start - 1].isalnum()) and (end == len(view) or not view[end].isalnum()):
            return True
        start = view.find(secret.text, start + 1)
    return False


def _search(compact: str, spaced: str, secrets: Secrets, where: str, how: str) -> Iterator[Leak]:
    for secret in secrets.texts:
        if _contains(spaced if secret.whole_word else compact, secret):
            yield Leak(secret.kind, secret.label, where, how, secret.preview())
    if secrets.keys:
        yield from _key_leaks(compact, secrets.keys, where, how)


# ---------------------------------------------------------------- keys

_OPERATOR = r"[)\]'\"]{0,3}(?:===|==|=|:|,|->|=>|is|in)"
# Phrases that state a key. Strong ones ("the correct answer is") count under any anchor
# (or none); weak ones ("key:", "solution =", common in code) only under an anchor naming N.
_PHRASE = re.compile(
    r"(?:(?P<strong>(?:correct|right|expected|keyed|model)(?:answer|option|choice|letter|response|value)s?"
    r"|answerkey)|(?<![a-z])(?:key|solution|correct))"
    r"(?:(?:to|for|of|in)(?:question|item|q)?\d{1,3})?(?:is|are|was|were|wouldbe)?[:=\-]*(?P<lit>.{1,80})")
_ANCHOR = re.compile(r"(?:question|item|answer_|(?<![a-z])q|#)\W{0,3}0*(\d{1,3})(?!\d)")
_STRONG_ANCHOR = re.compile(r"(?:question|item|answer_)\W{0,3}0*(\d{1,3})(?!\d)")
_MARK_AFTER = re.compile(r"^\W{0,6}(?:✓|✔|☑|\(correct\)|\(key\)|\[x\]|correct|rightanswer|[:=]'?true)")
_MARK_BEFORE = re.compile(r"(?:✓|✔|☑|\[x\]|correct(?:answer|option)?s?[:=\-]?)\W{0,6}$")
_TRUE_MARK = re.compile(r"[:=]'?(?:true|correct|right|yes)(?![a-z])")
_LETTER_BEFORE = re.compile(r"(?:^|[^a-z0-9])'?([a-z])'?$")
_AFTER_VARIABLE = re.compile(r"(?![0-9_])" + _OPERATOR)
_LETTERS_LITERAL = re.compile(r"^[\[{('\s]*([a-z](?:'?[,;/&+]'?[a-z])*)(?![a-z0-9_])")
_NUMBER_LITERAL = re.compile(r"^[\[{('\s]*([-+]?\d[\d.,]*(?:e[-+]?\d+|[x×*·]10(?:\^|\*\*)[-+]?\d+)?)")


def _literal_is_key(literal: str, key: AnswerKey) -> bool:
    if key.letters:
        match = _LETTERS_LITERAL.match(literal)
        return match is not None and frozenset(re.findall(r"[a-z]", match.group(1))) == \
            frozenset(k.lower() for k in key.letters)
    if key.value is None:
        return False
    match = _NUMBER_LITERAL.match(literal)
    if not match:
        return False
    from course._answers import number

    parsed = number(match.group(1))
    if parsed is None:
        return False
    slack = max(key.tolerance, abs(key.value) * 1e-9)
    return abs(parsed - key.value) <= slack


def _option_norm(option: str) -> str:
    return normalise(re.sub(r"[*_]", "", option)).rstrip(".;,")


_TRIGGERS = ("correct", "right", "expected", "keyed", "model", "answerkey", "key", "solution")


def _phrases(view: str) -> Iterator[re.Match[str]]:
    """``_PHRASE`` matches, found from its trigger words with str.find (a regex alternation
    tried at every position of a 5 MB page is ten times slower)."""
    starts: set[int] = set()
    for trigger in _TRIGGERS:
        position = view.find(trigger)
        while position >= 0:
            starts.add(position)
            position = view.find(trigger, position + 1)
    for start in sorted(starts):
        match = _PHRASE.match(view, start)
        if match:
            yield match


def _nearest_anchor(view: str, position: int, pattern: re.Pattern[str] = _ANCHOR) -> int | None:
    window = view[max(0, position - 400): position]
    anchors = list(pattern.finditer(window))
    return int(anchors[-1].group(1)) if anchors else None


def _key_leaks(view: str, keys: list[AnswerKey], where: str, how: str) -> Iterator[Leak]:
    reported: set[str] = set()

    def leak(key: AnswerKey, what: str) -> Leak | None:
        if key.label in reported:
            return None
        reported.add(key.label)
        return Leak(KEY, f"{key.label}, {what}", where, how)

    # 1. a keyed line: answer_N bound or compared to the key
    for key in keys:
        variable = key.variable.casefold()
        start = view.find(variable)
        while start >= 0:
            match = _AFTER_VARIABLE.match(view, start + len(variable))
            if match and (start == 0 or not (view[start - 1].isdigit() or view[start - 1] == "_")) \
                    and _literal_is_key(view[match.end(): match.end() + 80], key):
                found = leak(key, "keyed line")
                if found:
                    yield found
                break
            start = view.find(variable, start + 1)
    # 2. a keyed statement: "correct answer: B", "key: A, C", "the right answer is <option text>"
    options = {key.label: [o for o in map(_option_norm, key.correct_options) if len(o) >= MIN_OPTION]
               for key in keys}
    for match in _phrases(view):
        literal = match.group("lit")
        options_hit = [key for key in keys if _literal_is_key(literal, key) or any(
            literal.lstrip("':").startswith(o[:24]) for o in options[key.label])]
        if not options_hit:
            continue
        strong = match.group("strong") is not None
        anchor = _nearest_anchor(view, match.start("lit"), _ANCHOR if strong else _STRONG_ANCHOR)
        for key in options_hit:
            if (anchor == key.number) or (strong and anchor is None):
                found = leak(key, "keyed statement")
                if found:
                    yield found
    # 3. a marked option: a correct option's text next to a mark, or its letter mapped to true
    for key in keys:
        if key.label in reported:
            continue
        for option in options[key.label]:
            start = view.find(option)
            while start >= 0:
                after = view[start + len(option): start + len(option) + 24]
                before = view[max(0, start - 24): start]
                if _MARK_AFTER.search(after) or _MARK_BEFORE.search(re.sub(r"\(?[a-z][.)]$", "", before)):
                    found = leak(key, "option marked correct")
                    if found:
                        yield found
                    break
                start = view.find(option, start + 1)
    for mark in _TRUE_MARK.finditer(view):
        letter = _LETTER_BEFORE.search(view[max(0, mark.start() - 4): mark.start()])
        if not letter:
            continue
        anchor = _nearest_anchor(view, mark.start())
        for key in keys:
            if anchor == key.number and letter.group(1).upper() in key.letters:
                found = leak(key, "option marked correct")
                if found:
                    yield found


# ================================================================ files and archives

@dataclass(frozen=True)
class Limits:
    """How much an audit unpacks. Anything over a limit is reported unchecked, never skipped."""

    max_file_bytes: int = 256 * 1024 * 1024     # a file read from disk
    max_member_bytes: int = 64 * 1024 * 1024    # one archive member, unpacked
    max_total_bytes: int = 512 * 1024 * 1024    # everything unpacked from one archive
    max_members: int = 20000                    # members of one archive (nested included)
    max_depth: int = 3                          # archives inside archives


@dataclass(frozen=True)
class Member:
    """One file inside an archive, read into memory."""

    name: str          # e.g. "edition.zip!modules/01.ipynb"
    data: bytes


_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz", ".gz",
                     ".bz2", ".xz", ".whl", ".jar", ".docx", ".xlsx", ".pptx", ".odt", ".epub")


def is_archive(data: bytes) -> bool:
    return (data[:4] in (b"PK\x03\x04", b"PK\x05\x06") or data[:2] == b"\x1f\x8b" or data[:3] == b"BZh"
            or data[:6] == b"\xfd7zXZ\x00" or data[257:262] == b"ustar")


def _safe_name(name: str) -> str:
    """A member name fit for a message: control characters shown as escapes."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)[:300]


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.members = 0

    def take(self, size: int) -> bool:
        self.total += size
        return self.total <= self.limits.max_total_bytes


def iter_archive(data: bytes, name: str, limits: Limits | None = None,
                 _budget: _Budget | None = None, _depth: int = 1) -> Iterator[Member | Unchecked]:
    """The files inside a zip, tar (any compression), gzip, bz2 or xz ``data``, read into
    memory within ``limits``; archives inside are opened too (to ``max_depth``). Symlinks,
    devices and encrypted members are reported, never followed; nothing is written to disk."""
    limits = limits or Limits()
    budget = _budget or _Budget(limits)
    if _depth > limits.max_depth:
        yield Unchecked(name, f"archives nested more than {limits.max_depth} deep")
        return
    try:
        if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            members: Iterator[Member | Unchecked] = _zip_members(data, name, limits, budget)
        elif data[257:262] == b"ustar" or _looks_like_compressed_tar(data):
            members = _tar_members(data, name, limits, budget)
        else:
            members = _single_stream(data, name, limits, budget)
        for member in members:
            if isinstance(member, Member) and is_archive(member.data):
                yield from iter_archive(member.data, member.name, limits, budget, _depth + 1)
            else:
                yield member
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError,
            ValueError, NotImplementedError, RuntimeError) as exc:
        yield Unchecked(name, f"the archive could not be read ({type(exc).__name__})")


def _looks_like_compressed_tar(data: bytes) -> bool:
    if not (data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00"):
        return False
    try:
        head = _bounded_decompress(data, 512)
    except (OSError, EOFError, zlib.error, lzma.LZMAError):
        return False
    return head[257:262] == b"ustar"


def _bounded_decompress(data: bytes, limit: int) -> bytes:
    opener: Any = gzip.GzipFile if data[:2] == b"\x1f\x8b" else bz2.BZ2File if data[:3] == b"BZh" else lzma.LZMAFile
    with opener(fileobj=io.BytesIO(data)) if opener is gzip.GzipFile else opener(io.BytesIO(data)) as stream:
        return bytes(stream.read(limit + 1))


def _read_capped(stream: Any, limit: int) -> bytes | None:
    """At most ``limit`` bytes from ``stream``; None when there is more (a bomb or a huge file)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


@dataclass(frozen=True)
class _Entry:
    """One member of an archive before it is read."""

    where: str
    size: int                                   # as the archive's header declares it
    problem: str = ""                           # why it is not read (a link, encrypted, ...)
    open: Callable[[], Any] | None = None       # a context manager giving a binary stream


def _zip_entries(archive: zipfile.ZipFile, name: str) -> Iterator[_Entry]:
    for info in archive.infolist():
        if info.is_dir():
            continue
        where = f"{name}!{_safe_name(info.filename)}"
        problem = ("a symbolic link inside an archive" if stat.S_ISLNK(info.external_attr >> 16)
                   else "encrypted" if info.flag_bits & 0x1 else "")
        yield _Entry(where, info.file_size, problem, functools.partial(archive.open, info))


def _tar_entries(archive: tarfile.TarFile, name: str) -> Iterator[_Entry]:
    for info in archive:
        if info.isdir():
            continue
        where = f"{name}!{_safe_name(info.name)}"
        problem = ("a link inside an archive" if info.issym() or info.islnk()
                   else "" if info.isfile() else "not a regular file")
        yield _Entry(where, info.size, problem, functools.partial(_tar_stream, archive, info))


def _tar_stream(archive: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    return archive.extractfile(info) or io.BytesIO()


def _read_entries(entries: Iterator[_Entry], name: str, limits: Limits, budget: _Budget) -> Iterator[Member | Unchecked]:
    """The members' contents, within the limits (a member that unpacks to more than its
    header said, as a zip bomb does, is stopped at the limit while it is read)."""
    cap = limits.max_member_bytes
    for entry in entries:
        budget.members += 1
        if budget.members > limits.max_members:
            yield Unchecked(name, f"more than {limits.max_members} members")
            return
        if entry.problem or entry.open is None:
            yield Unchecked(entry.where, entry.problem or "cannot be opened")
            continue
        if entry.size > cap:
            yield Unchecked(entry.where, f"larger than {cap // 1_048_576} MB unpacked")
            continue
        with entry.open() as stream:
            content = _read_capped(stream, cap)
        if content is None:
            yield Unchecked(entry.where, f"unpacks to more than {cap // 1_048_576} MB (its header said less)")
            continue
        if not budget.take(len(content)):
            yield Unchecked(name, f"unpacks to more than {limits.max_total_bytes // 1_048_576} MB in all")
            return
        yield Member(entry.where, content)


def _zip_members(data: bytes, name: str, limits: Limits, budget: _Budget) -> Iterator[Member | Unchecked]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        yield from _read_entries(_zip_entries(archive, name), name, limits, budget)


def _tar_members(data: bytes, name: str, limits: Limits, budget: _Budget) -> Iterator[Member | Unchecked]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        yield from _read_entries(_tar_entries(archive, name), name, limits, budget)


def _single_stream(data: bytes, name: str, limits: Limits, budget: _Budget) -> Iterator[Member | Unchecked]:
    content = _bounded_decompress(data, limits.max_member_bytes)
    if len(content) > limits.max_member_bytes:
        yield Unchecked(name, f"unpacks to more than {limits.max_member_bytes // 1_048_576} MB")
        return
    if not budget.take(len(content)):
        yield Unchecked(name, f"unpacks to more than {limits.max_total_bytes // 1_048_576} MB in all")
        return
    inner = re.sub(r"\.(gz|bz2|xz)$", "", name.rsplit("/", 1)[-1]) or "content"
    yield Member(f"{name}!{inner}", content)


_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _pdf_streams(data: bytes, name: str, limits: Limits) -> Iterator[Member | Unchecked]:
    """The inflated (Flate) content streams of a PDF, where its text is."""
    for index, match in enumerate(_PDF_STREAM.finditer(data), 1):
        try:
            inflater = zlib.decompressobj()
            content = inflater.decompress(match.group(1), limits.max_member_bytes)
        except zlib.error:
            continue                      # not Flate (an image, say): its raw bytes were searched anyway
        if inflater.unconsumed_tail:
            yield Unchecked(f"{name}, stream {index}", "unpacks to more than the size limit")
            continue
        yield Member(f"{name}, stream {index}", content)


def scan_bytes(data: bytes, secrets: Secrets, where: str, limits: Limits | None = None) -> Audit:
    """Search ``data`` (any encoding), and every file inside it if it is an archive or a PDF."""
    limits = limits or Limits()
    audit = Audit(checked=1)
    audit.leaks += find_leaks(data, secrets, where)
    inner: Iterable[Member | Unchecked] = ()
    if is_archive(data):
        inner = iter_archive(data, where, limits)
    elif data[:5] == b"%PDF-":
        inner = _pdf_streams(data, where, limits)
    for member in inner:
        if isinstance(member, Unchecked):
            audit.unchecked.append(member)
        else:
            audit.checked += 1
            audit.leaks += find_leaks(member.data, secrets, member.name)
            if member.data[:5] == b"%PDF-":
                for stream in _pdf_streams(member.data, member.name, limits):
                    if isinstance(stream, Unchecked):
                        audit.unchecked.append(stream)
                    else:
                        audit.leaks += find_leaks(stream.data, secrets, stream.name)
    return audit


def scan_file(path: Path, secrets: Secrets, where: str | None = None, limits: Limits | None = None) -> Audit:
    """Search one file (never following a symlink)."""
    limits = limits or Limits()
    path = Path(path)
    where = where or str(path)
    if path.is_symlink():
        return Audit(unchecked=[Unchecked(where, "a symbolic link")])
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return Audit(unchecked=[Unchecked(where, f"larger than {limits.max_file_bytes // 1_048_576} MB")])
        data = path.read_bytes()
    except OSError as exc:
        return Audit(unchecked=[Unchecked(where, f"cannot be read ({exc.strerror or exc})")])
    return scan_bytes(data, secrets, where, limits)


def scan_tree(root: Path, secrets: Secrets, limits: Limits | None = None,
              relative_to: Path | None = None) -> Audit:
    """Search every file under ``root`` (hidden ones too); ``where`` is relative to
    ``relative_to`` (default: ``root``'s parent)."""
    root = Path(root)
    base = relative_to or root.parent
    audit = Audit()
    paths = [root] if root.is_file() or root.is_symlink() else sorted(root.rglob("*"))
    for path in paths:
        try:
            shown = str(path.relative_to(base))
        except ValueError:
            shown = str(path)
        if path.is_symlink():
            audit.unchecked.append(Unchecked(shown, "a symbolic link"))
        elif path.is_file():
            audit.extend(scan_file(path, secrets, shown, limits))
    return audit


# ================================================================ the released assessment

_KEYLIKE_FIELDS = {"key", "keys", "answer", "answers", "correct", "correct_answer", "model_answer",
                   "marking_guide", "expected", "solution_text", "rubric_answer"}


def _keylike_metadata(notebook: dict[str, Any], where: str) -> list[Leak]:
    """Metadata fields named like a key that hold a value: nbgrader copies cell metadata
    into the release, so a key kept there would reach every learner."""
    leaks: list[Leak] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                here = f"{path}.{name}"
                if str(name).casefold() in _KEYLIKE_FIELDS and isinstance(inner, (str, list, dict)) and inner:
                    leaks.append(Leak(KEY, f"a metadata field named “{_safe_name(str(name))}”", f"{where} ({here})",
                                      "in the notebook's metadata"))
                walk(inner, here)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{path}[{index}]")

    walk(notebook.get("metadata"), "metadata")
    for index, cell in enumerate(notebook.get("cells") or [], 1):
        if isinstance(cell, dict):
            walk(cell.get("metadata"), f"cell {index} metadata")
    return leaks


def key_file_for(course: CourseDir, assessment: str) -> Path | None:
    """The instructor's declarative key of ``assessment`` (``<course>/assessments/<id>.yml``), if any."""
    for suffix in (".yml", ".yaml", ".json"):
        candidate = course.root / "assessments" / f"{assessment}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def audit_release(course: CourseDir, assessment: str, limits: Limits | None = None) -> Audit:
    """Check ``release/<assessment>/`` (the notebook, its cell metadata and every other
    file nbgrader copied there, archives opened) for any key, solution, hidden test or
    marking guide of the assessment."""
    from course._errors import ConfigurationError

    assessment = course.resolve(assessment)
    folder = course.release_dir / assessment
    if not folder.is_dir():
        raise ConfigurationError(f"{assessment} has not been released: run `exocourse release {assessment}`.")
    secrets = assessment_secrets(course.source_notebook(assessment), assessment,
                                 key_file=key_file_for(course, assessment))
    audit = scan_tree(folder, secrets, limits, relative_to=course.root)
    for notebook_path in sorted(folder.rglob("*.ipynb")):
        try:
            notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(notebook, dict):
            audit.leaks += _keylike_metadata(notebook, str(notebook_path.relative_to(course.root)))
    return audit


__all__ = ["Secret", "AnswerKey", "Fingerprint", "Secrets", "Leak", "Unchecked", "Audit", "Limits", "Member",
           "text_secrets", "line_secrets", "key_material_secrets", "roster_secrets", "assessment_secrets",
           "normalise", "decode_bytes", "find_leaks", "scan_bytes", "scan_file", "scan_tree", "iter_archive",
           "is_archive", "audit_release", "key_file_for", "regions"]
