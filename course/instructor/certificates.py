"""Certificates that anyone can check: issue, register and verify.

``exocourse certificates`` writes one PDF per learner who passed every assessment, with
the fields the course design asks of a CPD record, and a certificate code. The code is
an HMAC-SHA256 of the certificate's fields under the instructor's key, so only the
holder of the key can make a code that verifies, and changing any field (a name, a
score, a date) breaks it. ``exocourse verify CODE`` recomputes it.

Where things live:

- the key: outside the repository, by default ``~/.config/exosome-reality-check/
  certificate.key`` (override with ``--key-file`` or ``$EXOCOURSE_CERTIFICATE_KEY``);
  created on first use with mode 0600 and never printed. Back it up: without it no
  certificate can be verified.
- the register: ``<course dir>/certificates/register.csv``, one line per certificate
  ever issued (``exocourse forget`` keeps these lines: verification needs them).
- the PDFs: ``<course dir>/certificates/<learner id>.pdf``.
- names and registration numbers: the instructor's roster ``<course dir>/learners.csv``
  (``learner,name,registration``); the gradebook's first and last names otherwise.

Anything missing or damaged (key, register) stops issuing with a message that says
what is wrong and how to fix it: nothing unverifiable is ever issued.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from course import _atomic as atomic
from course._errors import ConfigurationError
from course._syllabus import PROJECT_ROOT, load_syllabus

if TYPE_CHECKING:
    from course.instructor.coursedir import CourseDir

KEY_ENV = "EXOCOURSE_CERTIFICATE_KEY"
DEFAULT_KEY_FILE = Path("~/.config/exosome-reality-check/certificate.key")
CERTIFICATES_DIR = "certificates"
REGISTER_FILE = "register.csv"
ROSTER_FILE = "learners.csv"  # in the course dir: learner,name,registration
SIGNATURE_VERSION = "1"

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "ERC"
_BODY_LENGTH = 20  # 100 bits of the HMAC
_CODE_SHAPE = re.compile(rf"^{CODE_PREFIX}([{ALPHABET}]{{{_BODY_LENGTH}}})([{ALPHABET}])$")
_KEY_LINE = re.compile(r"^[0-9a-f]{64}$")

REGISTER_COLUMNS = (
    "code", "issued", "learner_id", "name", "registration", "course_title", "course_version",
    "modules", "score", "cpd_hours", "cpd_type", "provider", "content_review_date",
    "outcomes_sha256", "key_id",
)


# ------------------------------------------------------------------ the certificate
@dataclass(frozen=True)
class ModuleResult:
    """One assessed module's result for one learner: the score as a percentage."""

    module: str
    score: float
    passed: bool


@dataclass(frozen=True)
class LearnerResult:
    """What a certificate needs from the gradebook about one learner."""

    learner_id: str
    name: str
    registration: str
    modules: tuple[ModuleResult, ...]
    overall_score: float | None = None
    unmarked: tuple[str, ...] = ()  # modules whose reflection is still to be marked

    def missing_or_failed(self) -> list[str]:
        """The assessed modules this learner has not yet passed (empty when they passed all)."""
        passed = {m.module for m in self.modules if m.passed}
        return [m.id for m in load_syllabus().modules if m.assessed and m.id not in passed]

    @property
    def cpd_minutes(self) -> int:
        """The syllabus minutes of the modules passed (as the grades report counts them)."""
        passed = {m.module for m in self.modules if m.passed}
        return sum(m.minutes for m in load_syllabus().modules if m.id in passed)

    @property
    def score(self) -> float:
        if self.overall_score is not None:
            return self.overall_score
        return sum(m.score for m in self.modules) / len(self.modules) if self.modules else 0.0


@dataclass(frozen=True)
class Certificate:
    """A certificate's fields, exactly as signed and as listed in the register."""

    code: str
    issued: str
    learner_id: str
    name: str
    registration: str
    course_title: str
    course_version: str
    modules: str          # "01=92.5;02=85.0;..." (percentages of the autograded points)
    score: str            # overall percentage, one decimal
    cpd_hours: str        # quarter hours, e.g. "3.25"
    cpd_type: str
    provider: str
    content_review_date: str
    outcomes_sha256: str  # digest of the learning outcomes printed on the certificate
    key_id: str           # which key signed it (a fingerprint, not the key)

    def signed_fields(self) -> dict[str, str]:
        fields = {name: getattr(self, name) for name in REGISTER_COLUMNS if name != "code"}
        return fields | {"signature_version": SIGNATURE_VERSION}

    def module_scores(self) -> list[tuple[str, str]]:
        """(module, percentage) pairs, as printed on the certificate."""
        pairs = [part.partition("=") for part in self.modules.split(";")]
        return [(module, score) for module, equals, score in pairs if equals]

    def row(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in REGISTER_COLUMNS}


def canonical(fields: dict[str, str]) -> bytes:
    """The one byte string a certificate's fields sign as: sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def make_code(fields: dict[str, str], key: bytes) -> str:
    """The certificate code for these fields: ERC-XXXXX-XXXXX-XXXXX-XXXXX-C (C is a check character)."""
    digest = hmac.new(key, canonical(fields), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big") >> (256 - 5 * _BODY_LENGTH)
    body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(_BODY_LENGTH)))
    return format_code(body + _check_character(body))


def format_code(compact: str) -> str:
    groups = [compact[i:i + 5] for i in range(0, _BODY_LENGTH, 5)]
    return "-".join([CODE_PREFIX, *groups, compact[_BODY_LENGTH:]])


def _gf32_multiply(a: int, b: int) -> int:
    """Multiplication in GF(32), the field of 5-bit values (polynomial x^5 + x^2 + 1)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= 0b100101
    return product


def _check_character(body: str) -> str:
    # A weighted sum in GF(32), with the weights the distinct non-zero powers of a
    # generator. Every value of the 32-symbol alphabet is a field element, so a single
    # mistyped character changes the sum by (weight x difference), never zero, and a swap
    # of two neighbours by (a - b)(w_i - w_i+1), never zero either. (A sum modulo 31 over
    # 32 symbols missed 0 <-> Z.)
    total, weight = 0, 1
    for character in body:
        total ^= _gf32_multiply(weight, ALPHABET.index(character))
        weight = _gf32_multiply(weight, 2)
    return ALPHABET[total]


class CodeProblem(Exception):
    """Why a string is not a usable certificate code."""


def normalise_code(text: str) -> str:
    """A code as typed (any case, spaces or hyphens, O for 0, I or L for 1) in its printed form."""
    compact = re.sub(r"[\s\-]", "", text.upper()).translate(str.maketrans("OIL", "011"))
    if not compact.startswith(CODE_PREFIX):
        raise CodeProblem(f"it is not a certificate code of this course: codes start with {CODE_PREFIX}- "
                          "and look like ERC-XXXXX-XXXXX-XXXXX-XXXXX-X")
    match = _CODE_SHAPE.match(compact)
    if not match:
        raise CodeProblem(f"it is not a well-formed certificate code: after {CODE_PREFIX}- a code has "
                          f"{_BODY_LENGTH + 1} letters and digits (no I, L, O or U), like ERC-XXXXX-XXXXX-XXXXX-XXXXX-X")
    body, check = match.groups()
    if _check_character(body) != check:
        raise CodeProblem("it has been altered or mistyped: its last character does not match the rest "
                          "(check each character against the certificate)")
    return format_code(body + check)


def cpd_hours(minutes: float) -> float:
    """CPD hours in quarter hours, rounded down (a claim never exceeds the time)."""
    return math.floor(minutes / 15) / 4


def outcomes() -> list[str]:
    """The learning outcomes a certificate states: every objective of the assessed modules."""
    return [f"{o.id} {o.text}" for m in load_syllabus().modules if m.assessed for o in m.objectives]


def outcomes_digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ the key
def key_path(key_file: Path | str | None = None) -> Path:
    """Where the key is: ``key_file``, else ``$EXOCOURSE_CERTIFICATE_KEY``, else the default."""
    chosen = key_file or os.environ.get(KEY_ENV) or DEFAULT_KEY_FILE
    return Path(chosen).expanduser().absolute()


def key_id(key: bytes) -> str:
    """A fingerprint that names a key without revealing it."""
    return hmac.new(key, b"exosome-reality-check key id", hashlib.sha256).hexdigest()[:12]


def read_key(path: Path) -> bytes:
    """The instructor key in ``path``; a clear ConfigurationError when it is missing or damaged."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigurationError(
            f"The certificate key file {path} does not exist. If you issued certificates on another machine "
            f"or with --key-file, point to that key with --key-file or ${KEY_ENV}; restore it from your backup "
            "if it was lost. Without the key that signed them, certificates cannot be verified.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"The certificate key file {path} cannot be read ({getattr(exc, 'strerror', None) or exc}). Check "
            "that it is a file you can read, or restore it from your backup.") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if len(lines) != 1 or not _KEY_LINE.match(lines[0]):
        raise ConfigurationError(
            f"The certificate key file {path} is damaged: it should hold one line of 64 hexadecimal "
            "characters. Restore it from your backup. (Certificates issued with the old key verify only with "
            "it; do not replace it with a new key unless you mean to start a new register.)")
    return bytes.fromhex(lines[0])


def create_key(path: Path) -> bytes:
    """Create a new random key at ``path`` with mode 0600 (never overwrites an existing file)."""
    _refuse_inside_repository(path)
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(path)
    except OSError as exc:
        raise ConfigurationError(f"The certificate key file {path} cannot be created ({exc.strerror}). Choose "
                                 f"another place with --key-file or ${KEY_ENV}.") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write("# Exosome Reality Check certificate key. Keep it secret and back it up: every "
                     "certificate\n# issued with it can be verified only with this file.\n")
        handle.write(key.hex() + "\n")
    return key


def _refuse_inside_repository(path: Path) -> None:
    resolved = path.resolve()
    if resolved.is_relative_to(PROJECT_ROOT.resolve()):
        raise ConfigurationError(
            f"The certificate key file {path} would be inside the course repository, where it could be "
            f"committed or published. Keep it outside, for example at the default {DEFAULT_KEY_FILE}.")


# ------------------------------------------------------------------ the register
def register_path(course_dir: Path) -> Path:
    return Path(course_dir) / CERTIFICATES_DIR / REGISTER_FILE


def read_register(course_dir: Path) -> list[Certificate]:
    """Every certificate ever issued, from the register (an empty list when there is none yet).

    A damaged register raises ConfigurationError naming the line and the fix.
    """
    path = register_path(course_dir)
    if not path.exists():
        pdfs = sorted(path.parent.glob("*.pdf")) if path.parent.is_dir() else []
        if pdfs:
            raise ConfigurationError(
                f"The certificate register {path} is missing, but {len(pdfs)} certificate PDF(s) are beside it. "
                "Restore register.csv from your backup: without it those certificates cannot be verified and "
                "new ones could duplicate them.")
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"The certificate register {path} cannot be read "
                                 f"({getattr(exc, 'strerror', None) or exc}). Restore it from your backup.") from None
    fix = "Restore it from your backup; do not edit the register by hand."
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(header) != REGISTER_COLUMNS:
        raise ConfigurationError(f"The certificate register {path} is damaged: its first line should be the "
                                 f"column names {','.join(REGISTER_COLUMNS)}. {fix}")
    certificates: list[Certificate] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(REGISTER_COLUMNS):
            raise ConfigurationError(f"The certificate register {path} is damaged at line {number}: it has "
                                     f"{len(row)} fields instead of {len(REGISTER_COLUMNS)}. {fix}")
        certificate = Certificate(**dict(zip(REGISTER_COLUMNS, row)))
        try:
            normalise_code(certificate.code)
        except CodeProblem:
            raise ConfigurationError(f"The certificate register {path} is damaged at line {number}: "
                                     f"{certificate.code!r} is not a certificate code. {fix}") from None
        if certificate.code in seen:
            raise ConfigurationError(f"The certificate register {path} is damaged at line {number}: the code "
                                     f"{certificate.code} appears twice. {fix}")
        seen.add(certificate.code)
        certificates.append(certificate)
    return certificates


def _write_register(course_dir: Path, certificates: list[Certificate]) -> None:
    path = register_path(course_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for certificate in certificates:
        writer.writerow(certificate.row())
    atomic.write_text(path, buffer.getvalue())


def certificate_pdf_path(course_dir: Path, learner_id: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", learner_id)
    return Path(course_dir) / CERTIFICATES_DIR / f"{safe}.pdf"


# ------------------------------------------------------------------ issuing
@dataclass
class IssueReport:
    """What one run of ``issue_certificates`` did."""

    issued: list[Certificate] = field(default_factory=list)
    already_issued: list[Certificate] = field(default_factory=list)
    not_eligible: list[tuple[str, str]] = field(default_factory=list)  # (learner id, why)
    register: Path | None = None


def issue_certificates(course_dir: Path | str, results: list[LearnerResult], key_file: Path | str | None = None,
                       issued_on: date | None = None) -> IssueReport:
    """Issue a certificate to every learner in ``results`` who passed every assessment.

    A learner who already has a certificate for this course version gets no second
    one (their PDF is rewritten if it went missing). Nothing is issued when the key or
    the register is missing or damaged.
    """
    course_dir = Path(course_dir)
    existing = read_register(course_dir)  # first: a damaged register stops everything
    path = key_path(key_file)
    if path.exists():
        key = read_key(path)
    elif existing:
        raise ConfigurationError(
            f"The certificate key file {path} does not exist, but the register lists {len(existing)} "
            "certificate(s) signed with a key. Point to that key with --key-file or "
            f"${KEY_ENV}, or restore it from your backup. Nothing was issued: a new key would make "
            "the existing certificates unverifiable.")
    else:
        key = create_key(path)
    this_key = key_id(key)
    foreign = {c.key_id for c in existing} - {this_key}
    if foreign:
        raise ConfigurationError(
            f"The key in {path} is not the key that signed the certificates in {register_path(course_dir)}. "
            "Point to the right key with --key-file or $" + KEY_ENV + ". Nothing was issued.")

    info = load_syllabus().course
    lines = outcomes()
    day = (issued_on or date.today()).isoformat()
    report = IssueReport(register=register_path(course_dir))
    held = {(c.learner_id, c.course_version): c for c in existing}
    new: list[Certificate] = []
    for result in sorted(results, key=lambda r: r.learner_id):
        previous = held.get((result.learner_id, info.version))
        if previous is not None:
            report.already_issued.append(previous)
            if not certificate_pdf_path(course_dir, previous.learner_id).exists():
                write_certificate_pdf(previous, certificate_pdf_path(course_dir, previous.learner_id))
            continue
        missing = result.missing_or_failed()
        if missing:
            report.not_eligible.append((result.learner_id, "not yet passed: module " + ", ".join(missing)))
            continue
        if result.unmarked:
            report.not_eligible.append((result.learner_id, "reflection still to be marked: module "
                                        + ", ".join(result.unmarked)))
            continue
        if not result.name.strip():
            report.not_eligible.append((result.learner_id, f"no name: add the learner to {ROSTER_FILE} "
                                                           "(learner,name,registration) and run again"))
            continue
        unsigned = Certificate(
            code="", issued=day, learner_id=result.learner_id, name=result.name.strip(),
            registration=result.registration.strip(), course_title=info.title, course_version=info.version,
            modules=";".join(f"{m.module}={m.score:.1f}" for m in sorted(result.modules, key=lambda m: m.module)),
            score=f"{result.score:.1f}", cpd_hours=f"{cpd_hours(result.cpd_minutes):g}",
            cpd_type=info.cpd_type, provider=info.provider,
            content_review_date=info.content_review_date, outcomes_sha256=outcomes_digest(lines), key_id=this_key)
        certificate = Certificate(**(unsigned.row() | {"code": make_code(unsigned.signed_fields(), key)}))
        new.append(certificate)
        held[(certificate.learner_id, certificate.course_version)] = certificate
    if new:
        # The register first: a certificate PDF never exists without its register line.
        _write_register(course_dir, existing + new)
        for certificate in new:
            write_certificate_pdf(certificate, certificate_pdf_path(course_dir, certificate.learner_id))
    report.issued = new
    return report


def write_certificate_pdf(certificate: Certificate, path: Path) -> Path:
    """The certificate as a one- or two-page PDF."""
    from course._pdf import Document

    syllabus = load_syllabus()
    titles = {m.id: m.title for m in syllabus.modules}
    doc = Document(f"Certificate: {certificate.course_title}")
    doc.heading("CERTIFICATE OF CONTINUING PROFESSIONAL DEVELOPMENT", size=15)
    doc.paragraph("This certifies that", size=11)
    doc.heading(certificate.name, size=18)
    if certificate.registration:
        doc.field("Professional registration number", certificate.registration)
    doc.paragraph("has completed and passed every assessment of", size=11)
    doc.heading(certificate.course_title, size=13)
    doc.field("Course version", certificate.course_version)
    doc.field("CPD time", f"{certificate.cpd_hours} hours ({certificate.cpd_type})")
    doc.field("Overall score", f"{certificate.score} % of the autograded points")
    doc.field("Date", certificate.issued)
    doc.field("Provider", certificate.provider)
    doc.field("Content reviewed", certificate.content_review_date)
    doc.field("Certificate code", certificate.code)
    doc.space(2)
    doc.paragraph("Modules passed (score)", bold=True)
    for module, score in certificate.module_scores():
        doc.paragraph(f"Module {module}: {titles.get(module, '')} ({score} %)", size=10, indent=4)
    doc.space(2)
    doc.paragraph("Learning outcomes", bold=True)
    for line in outcomes():
        doc.paragraph(line, size=8.5, indent=4)
    doc.space(4)
    doc.rule()
    doc.field("Certificate code", certificate.code, size=12)
    doc.paragraph(f"To check this certificate, ask {certificate.provider} to run: exocourse verify "
                  f"{certificate.code}. A genuine code returns the details printed here.", size=9)
    return doc.save(path)


# ------------------------------------------------------------------ from the gradebook
def read_roster(path: Path) -> dict[str, tuple[str, str]]:
    """Learner id -> (name, registration) from the roster CSV (empty when there is none).

    The roster is the instructor's class list: ``learner,name,registration``, one line
    per learner, with the learner id that intake gave their submissions.
    """
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            if not {"learner", "name"} <= columns:
                raise ConfigurationError(f"{path} needs the columns learner,name (and optionally registration) on "
                                         "its first line. Fix the header and run again.")
            roster: dict[str, tuple[str, str]] = {}
            for number, row in enumerate(reader, start=2):
                learner = (row.get("learner") or "").strip()
                if not learner:
                    continue
                if learner in roster:
                    raise ConfigurationError(f"{path}, line {number}: learner {learner!r} is listed twice. "
                                             "Keep one line per learner and run again.")
                roster[learner] = ((row.get("name") or "").strip(), (row.get("registration") or "").strip())
            return roster
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigurationError(f"{path} cannot be read as a CSV file ({exc}). Save it as UTF-8 CSV and run "
                                 "again.") from None


def results_from_gradebook(course: CourseDir, roster: Path | None = None) -> list[LearnerResult]:
    """Every graded learner's results, read with the grades report's ``collect_grades``,
    with names and registration numbers from the roster (or the gradebook's names)."""
    from course.instructor.report import collect_grades

    listed = read_roster(roster or course.root / ROSTER_FILE)
    gradebook_names: dict[str, str] = {}
    with course.gradebook() as gb:
        for student in gb.students:
            full = " ".join(part for part in (student.first_name, student.last_name) if part)
            if full:
                gradebook_names[student.id] = full
    results = []
    for learner in collect_grades(course):
        grades = list(learner.assessments.values())
        earned, available = sum(g.score for g in grades), sum(g.max_score for g in grades)
        name, registration = listed.get(learner.learner, (gradebook_names.get(learner.learner, ""), ""))
        results.append(LearnerResult(
            learner_id=learner.learner, name=name, registration=registration,
            modules=tuple(ModuleResult(g.module, g.percent, g.passed) for g in grades),
            overall_score=100.0 * earned / available if available else 0.0,
            unmarked=tuple(g.module for g in grades if g.needs_marking)))
    return results


# ------------------------------------------------------------------ verifying
@dataclass(frozen=True)
class Verification:
    """The answer to "is this code genuine?"."""

    genuine: bool
    reason: str
    certificate: Certificate | None = None

    def describe(self) -> str:
        if not (self.genuine and self.certificate):
            return self.reason
        c = self.certificate
        syllabus = load_syllabus()
        titles = {m.id: m.title for m in syllabus.modules}
        modules = "\n".join(f"    Module {module}: {titles.get(module, '')} ({score} %)"
                            for module, score in c.module_scores())
        lines = [
            f"GENUINE: certificate {c.code}",
            f"  Learner:             {c.name}",
            *([f"  Registration number: {c.registration}"] if c.registration else []),
            f"  Course:              {c.course_title} (version {c.course_version})",
            f"  Modules passed:\n{modules}",
            f"  Overall score:       {c.score} %",
            f"  CPD time:            {c.cpd_hours} hours ({c.cpd_type})",
            f"  Date issued:         {c.issued}",
            f"  Provider:            {c.provider}",
            f"  Content reviewed:    {c.content_review_date}",
        ]
        return "\n".join(lines)


def verify(code: str, course_dir: Path | str, key_file: Path | str | None = None) -> Verification:
    """Check a certificate code against the register and the key.

    Raises ConfigurationError when the register or key is missing or damaged (the
    answer would be meaningless, not "not genuine").
    """
    try:
        printed = normalise_code(code)
    except CodeProblem as problem:
        return Verification(False, f"NOT VERIFIED: {code.strip()!r}: {problem}.")
    course_dir = Path(course_dir)
    if not register_path(course_dir).exists():
        raise ConfigurationError(
            f"There is no certificate register at {register_path(course_dir)}. Run verify in the course "
            "directory where the certificates were issued (or pass --course-dir), or restore register.csv "
            "from your backup.")
    certificates = {c.code: c for c in read_register(course_dir)}
    certificate = certificates.get(printed)
    if certificate is None:
        return Verification(False, f"NOT VERIFIED: {printed}: no certificate with this code is in this course's "
                                   "register. Check that it was typed exactly as printed; otherwise it was not "
                                   "issued by this course.")
    key = read_key(key_path(key_file))
    if certificate.key_id != key_id(key):
        raise ConfigurationError(
            f"The key in {key_path(key_file)} is not the key that signed certificate {printed}. Point to the "
            f"right key with --key-file or ${KEY_ENV}.")
    expected = make_code(certificate.signed_fields(), key)
    if not hmac.compare_digest(expected, printed):
        return Verification(False, f"NOT VERIFIED: {printed}: the register's entry for this code has been altered "
                                   "since it was issued (its details no longer match the code). Treat this "
                                   "certificate as not genuine and restore the register from your backup.")
    return Verification(True, "genuine", certificate)


__all__ = ["issue_certificates", "verify", "results_from_gradebook", "read_roster", "LearnerResult", "ModuleResult",
           "Certificate", "Verification", "IssueReport", "read_register", "key_path", "make_code", "normalise_code", "cpd_hours"]
