"""Certificates anyone can check with the course's public key: issue, verify, revoke, rotate.

``exocourse certificates`` writes one PDF per learner who passed every assessment, with
the fields the course design asks of a CPD record, a certificate code and a QR code. The
code carries the certificate's details and an Ed25519 signature made with the
instructor's private key, so anyone holding the course's *public* key can check it:
``exocourse verify CODE --public-key public-key.pem`` in an empty folder, or the
self-contained ``verify.html`` in a browser, offline. Changing any detail breaks it.

One module per concern:

- ``code``: the printed code (base32, a check character per line, typo-tolerant reading);
- ``credential``: what is signed (VC / Open Badges 3.0 shape), its one canonical form;
- ``keys``: the private signing key (0600, outside the repository and course folder) and
  the published public keys (current first, retired ones kept);
- ``revocation``: the signed revocation list (certificates and withdrawn keys);
- ``verification``: sign a credential; verify a code with public files only;
- ``roster``, ``gradebook``, ``eligibility``: who qualifies (the report's one pass rule);
- ``register``: the instructor's list of certificates issued (``register.csv``);
- ``pdf``: the certificate PDF with its QR code, one file name per learner;
- ``page``, ``publish``: ``verify.html`` and the other public files;
- ``issue``, ``lifecycle``: the commands' pipelines.

See ``docs/certificates.md`` for the instructor's guide and the design.
"""
from __future__ import annotations

from course.instructor.certificates.code import CodeProblem, normalise, printed_lines
from course.instructor.certificates.credential import Achievement, Credential, ModuleScore, current_achievement
from course.instructor.certificates.eligibility import Candidate, assess, cpd_hours
from course.instructor.certificates.gradebook import learners_from_gradebook
from course.instructor.certificates.issue import IssueReport, issue_certificates
from course.instructor.certificates.keys import DEFAULT_KEY_FILE, KEY_ENV, PUBLIC_KEY_FILE, KeyRing, key_path
from course.instructor.certificates.lifecycle import Change, revoke, rotate_key, withdraw_key
from course.instructor.certificates.pdf import certificate_pdf_path, pdf_file_name
from course.instructor.certificates.publish import VERIFY_PAGE, PublicFiles
from course.instructor.certificates.register import CERTIFICATES_DIR, Entry, read_register, register_path
from course.instructor.certificates.roster import ROSTER_FILE, Roster, read_roster
from course.instructor.certificates.verification import (
    Published,
    Verification,
    course_public_key,
    load_published,
    sign,
    verify_code,
)

__all__ = [
    "issue_certificates", "IssueReport", "verify_code", "Verification", "load_published", "Published",
    "course_public_key", "sign", "revoke", "rotate_key", "withdraw_key", "Change", "learners_from_gradebook",
    "read_roster", "Roster", "ROSTER_FILE", "assess", "Candidate", "cpd_hours", "read_register", "register_path",
    "Entry", "CERTIFICATES_DIR", "certificate_pdf_path", "pdf_file_name", "Credential", "ModuleScore", "Achievement",
    "current_achievement", "CodeProblem", "normalise", "printed_lines", "key_path", "KEY_ENV", "DEFAULT_KEY_FILE",
    "PUBLIC_KEY_FILE", "KeyRing", "VERIFY_PAGE", "PublicFiles",
]
