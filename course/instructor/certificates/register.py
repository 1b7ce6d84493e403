"""The register: the instructor's list of every certificate issued (``certificates/register.csv``).

Verification does not need it (a code carries its own signed details); issuing does: it
says who already holds a certificate, so a second run issues no duplicate, and it holds
each code so a lost PDF can be printed again. Every line's readable columns are checked
against its code, so a hand edit is reported with its line number instead of trusted.
``exocourse forget`` keeps a learner's lines: the certificate stays verifiable.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course._errors import ConfigurationError
from course.instructor._csv import read_csv, write_csv
from course.instructor.certificates import code as codes
from course.instructor.certificates.credential import SIGNATURE_BYTES, Credential, CredentialProblem, parse

CERTIFICATES_DIR = "certificates"
REGISTER_FILE = "register.csv"
COLUMNS = ("code", "certificate_id", "issued", "learner_id", "name", "registration", "course_version", "modules",
           "score", "cpd_hours", "key_id")
# The register of course version 1.0.0, whose codes were HMACs only the instructor's secret key could check.
_HMAC_COLUMNS = ("code", "issued", "learner_id", "name", "registration", "course_title", "course_version")
_FIX = "Restore it from your backup; do not edit the register by hand."


@dataclass(frozen=True)
class Entry:
    """One register line: who it was issued to, and the certificate its code carries."""

    learner_id: str
    code: str
    credential: Credential

    def row(self) -> dict[str, str]:
        c = self.credential
        return {"code": self.code, "certificate_id": c.certificate_id, "issued": c.valid_from.isoformat(),
                "learner_id": self.learner_id, "name": c.name, "registration": c.registration,
                "course_version": c.course_version, "modules": ";".join(f"{m.module}={m.percent}" for m in c.modules),
                "score": c.score, "cpd_hours": c.cpd_hours, "key_id": c.key_id}


def register_path(course_dir: Path) -> Path:
    return Path(course_dir) / CERTIFICATES_DIR / REGISTER_FILE


def read_register(course_dir: Path) -> list[Entry]:
    """Every certificate ever issued (empty when there is no register yet).

    A damaged register raises ConfigurationError naming the line and the fix; so does a
    missing register beside issued PDFs (new certificates could duplicate them).
    """
    path = register_path(course_dir)
    if not path.exists():
        pdfs = sorted(path.parent.glob("*.pdf")) if path.parent.is_dir() else []
        if pdfs:
            raise ConfigurationError(
                f"The certificate register {path} is missing, but {len(pdfs)} certificate PDF(s) are beside it. "
                "Restore register.csv from your backup: without it new certificates could duplicate those.")
        return []
    table = read_csv(path, fix=_FIX)
    if table.header[:len(_HMAC_COLUMNS)] == _HMAC_COLUMNS:
        raise ConfigurationError(
            f"The certificate register {path} was written by course version 1.0.0, whose codes only its secret "
            f"key could check. Rename it (e.g. to register-v1.csv, and keep it with that key), then run "
            "`exocourse certificates` again to issue certificates anyone can check with the public key.")
    if table.header != COLUMNS:
        raise ConfigurationError(f"The certificate register {path} is damaged: its first line should be the column "
                                 f"names {','.join(COLUMNS)}. {_FIX}")
    entries: list[Entry] = []
    seen: set[str] = set()
    for row in table.rows:
        if row.blank:
            continue
        where = f"The certificate register {path} is damaged at line {row.line}"
        if len(row.cells) != len(COLUMNS):
            raise ConfigurationError(f"{where}: it has {len(row.cells)} fields instead of {len(COLUMNS)}. {_FIX}")
        try:
            code = codes.normalise(row.get("code"))
            credential = parse(codes.decode(code)[:-SIGNATURE_BYTES])
        except (codes.CodeProblem, CredentialProblem, IndexError):
            raise ConfigurationError(f"{where}: {row.get('code')[:30]!r} is not a certificate code. {_FIX}") from None
        entry = Entry(row.get("learner_id"), code, credential)
        changed = [name for name, value in entry.row().items() if row.get(name) != value]
        if changed:
            raise ConfigurationError(f"{where}: its {', '.join(changed)} no longer match its code (edited by hand?). "
                                     f"{_FIX}")
        if code in seen:
            raise ConfigurationError(f"{where}: the code of certificate {credential.certificate_id} appears twice. {_FIX}")
        seen.add(code)
        entries.append(entry)
    return entries


def write_register(course_dir: Path, entries: list[Entry]) -> Path:
    return write_csv(register_path(course_dir), COLUMNS, [entry.row() for entry in entries])


__all__ = ["CERTIFICATES_DIR", "REGISTER_FILE", "COLUMNS", "Entry", "register_path", "read_register", "write_register"]
