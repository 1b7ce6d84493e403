"""``exocourse certificates``: issue a signed certificate to every learner who qualifies.

The steps, in order (any problem with the key, the public keys or the register stops the
run before anything is written; a problem with one learner stops only that learner):

1. read the register (who holds a certificate already) and the signing key;
2. check the key against the published public keys (a different key is refused);
3. decide who qualifies (``eligibility.assess``);
4. sign a credential for each new one, write the register, then their PDFs;
5. publish the public files (``publish.publish``): public key(s), revocation list,
   achievements and ``verify.html``.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from course._errors import ConfigurationError
from course.instructor.certificates.credential import current_achievement
from course.instructor.certificates.eligibility import assess
from course.instructor.certificates.keys import KEY_ENV, PublicKey, create_private_key, key_path, read_private_key
from course.instructor.certificates.pdf import certificate_pdf_path, write_certificate_pdf
from course.instructor.certificates.publish import PublicFiles, publish, published_state, verify_url_for
from course.instructor.certificates.register import Entry, read_register, register_path, write_register
from course.instructor.certificates.roster import Roster
from course.instructor.certificates.verification import sign

if TYPE_CHECKING:
    from course.instructor.report import LearnerGrades


@dataclass
class IssueReport:
    """What one run of ``issue_certificates`` did."""

    issued: list[Entry] = field(default_factory=list)
    already_issued: list[Entry] = field(default_factory=list)
    not_eligible: list[tuple[str, str]] = field(default_factory=list)  # (learner id, why)
    register: Path | None = None
    public: PublicFiles | None = None

    def pdf(self, course_dir: Path, entry: Entry) -> Path:
        return certificate_pdf_path(course_dir, entry.learner_id)


def issue_certificates(course_dir: Path | str, learners: list[LearnerGrades], roster: Roster | None = None,
                       key_file: Path | str | None = None, issued_on: date | None = None,
                       gradebook_names: dict[str, str] | None = None, verify_url: str | None = None) -> IssueReport:
    """Issue a certificate to every learner in ``learners`` who qualifies (see ``eligibility``).

    A learner who holds a certificate for this course version gets no second one (their
    PDF is written again if it went missing), unless it was revoked as superseded or its
    key withdrawn. Nothing is issued when the key, the public keys or the register is
    missing or damaged.
    """
    course_dir = Path(course_dir)
    existing = read_register(course_dir)            # first: a damaged register stops everything
    path = key_path(key_file)
    state = published_state(course_dir)
    if path.exists():
        key = read_private_key(path, course_dir)
    elif existing or state.ring.keys:
        raise ConfigurationError(
            f"The certificate signing key {path} does not exist, but the course has issued "
            f"{len(existing)} certificate(s) and published its public key. Point to that key with --key-file or "
            f"${KEY_ENV}, or restore it from your backup. Nothing was issued. (If the key is lost for good, "
            "`exocourse certificate-key rotate --lost` starts a new one; earlier certificates still verify.)")
    else:
        key = create_private_key(path, course_dir)
    public = PublicKey.of(key)
    if state.ring.keys and state.ring.find(public.key_id) is None:
        raise ConfigurationError(
            f"The key in {path} is not the key that signed this course's certificates (its public keys are in "
            f"{state.public_key_file}). Point to the right key with --key-file or ${KEY_ENV}. Nothing was issued.")
    if state.ring.current is not None and state.ring.current != public:
        raise ConfigurationError(
            f"The key in {path} (id {public.key_id}) was retired when the course rotated to the key "
            f"{state.ring.current.key_id}. Point to the current key with --key-file or ${KEY_ENV}. Nothing was issued.")
    ring = state.ring.with_current(public)
    for entry in existing:
        signer = ring.find(entry.credential.key_id)
        if signer is None or not _signature_holds(entry, signer):
            raise ConfigurationError(f"The certificate register {register_path(course_dir)} is damaged: the code of "
                                     f"certificate {entry.credential.certificate_id} ({entry.learner_id}) does not "
                                     "verify with the course's public keys. Restore it from your backup.")

    achievement = current_achievement()
    url = verify_url_for(course_dir, verify_url)
    revocations = state.revocations
    report = IssueReport(register=register_path(course_dir))

    def still_held(entry: Entry) -> bool:
        revoked = revocations.certificate(entry.credential.certificate_id)
        return revocations.key(entry.credential.key_id) is None and not (revoked and revoked.superseded)

    held = {(e.learner_id, e.credential.course_version): e for e in existing if still_held(e)}
    waiting = []
    for grades in sorted(learners, key=lambda g: g.learner):
        previous = held.get((grades.learner, achievement.version))
        if previous is None:
            waiting.append(grades)
            continue
        report.already_issued.append(previous)
        pdf = certificate_pdf_path(course_dir, previous.learner_id)
        if not pdf.exists():
            write_certificate_pdf(previous.credential, previous.code, state.achievements.get(
                previous.credential.achievement_digest, achievement), pdf, url)
    candidates, report.not_eligible = assess(waiting, roster or Roster(), achievement, gradebook_names)
    day = issued_on or date.today()
    new = []
    for candidate in candidates:
        credential = candidate.credential(achievement, public.key_id, secrets.token_hex(3), day)
        new.append(Entry(candidate.learner_id, sign(credential, key), credential))
    if new:
        # The register first: a certificate PDF never exists without its register line.
        write_register(course_dir, existing + new)
        for entry in new:
            write_certificate_pdf(entry.credential, entry.code, achievement,
                                  certificate_pdf_path(course_dir, entry.learner_id), url)
    report.issued = new
    report.public = publish(course_dir, key, ring, revocations, achievement, state)
    return report


def _signature_holds(entry: Entry, signer: PublicKey) -> bool:
    from course.instructor.certificates import code as codes
    from course.instructor.certificates.credential import SIGNATURE_BYTES, signed_message

    data = codes.decode(entry.code)
    return signer.verifies(data[-SIGNATURE_BYTES:], signed_message(data[:-SIGNATURE_BYTES]))


__all__ = ["IssueReport", "issue_certificates"]
