"""The certificate as a PDF: what it certifies, its code, and a QR code to check it.

The QR code carries a link to the course's ``verify.html`` with the code after ``#``
(a fragment never leaves the reader's browser), or the code alone when no address for
the page was given. Each learner's PDF has a file name of their own: the learner id with
every character outside ``a-z 0-9 . _ -`` written as ``%XX`` (its UTF-8 bytes), so no two
ids share a file, not even on a disk that ignores case.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from course.instructor.certificates import code as codes
from course.instructor.certificates.credential import Achievement, Credential
from course.instructor.certificates.register import CERTIFICATES_DIR

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
_MAX_STEM = 180


def pdf_file_name(learner_id: str) -> str:
    """A file name that is this learner's alone (``a+b`` -> ``a%2Bb.pdf``, ``李`` -> ``%E6%9D%8E.pdf``)."""
    stem = "".join(c if c in _SAFE else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in learner_id)
    if stem.startswith("."):
        stem = "%2E" + stem[1:]  # never a hidden file, never "." or ".."
    if len(stem) > _MAX_STEM:
        # "~" is never written otherwise, so a shortened name cannot meet a full one.
        stem = stem[:_MAX_STEM - 17] + "~" + hashlib.sha256(learner_id.encode("utf-8")).hexdigest()[:16]
    return f"{stem or '%00'}.pdf"


def certificate_pdf_path(course_dir: Path, learner_id: str) -> Path:
    return Path(course_dir) / CERTIFICATES_DIR / pdf_file_name(learner_id)


def verification_link(code: str, verify_url: str | None) -> str:
    return f"{verify_url}#{code}" if verify_url else code


def write_certificate_pdf(credential: Credential, code: str, achievement: Achievement | None, path: Path,
                          verify_url: str | None = None) -> Path:
    """Write the certificate; one or two A4 pages."""
    import segno

    from course._pdf import Document

    title = achievement.title if achievement else f"version {credential.course_version}"
    doc = Document(f"Certificate: {title}")
    doc.heading("CERTIFICATE OF CONTINUING PROFESSIONAL DEVELOPMENT", size=15)
    doc.paragraph("This certifies that", size=11)
    doc.heading(credential.name, size=18)
    if credential.registration:
        doc.field("Professional registration number", credential.registration)
    doc.paragraph("has completed and passed every assessment of", size=11)
    doc.heading(title, size=13)
    doc.field("Course version", credential.course_version)
    cpd_type = f" ({achievement.cpd_type})" if achievement else ""
    doc.field("CPD time", f"{credential.cpd_hours} hours{cpd_type}")
    doc.field("Overall score", f"{credential.score} % of the autograded points")
    doc.field("Date", credential.valid_from.isoformat())
    if achievement:
        doc.field("Provider", achievement.provider)
        doc.field("Content reviewed", achievement.content_review_date)
    doc.field("Certificate number", credential.certificate_id)
    doc.space(2)
    doc.paragraph("Modules passed (score)", bold=True)
    for module in credential.modules:
        name = achievement.module_title(module.module) if achievement else ""
        doc.paragraph(f"Module {module.module}: {name} ({module.percent} %)" if name else
                      f"Module {module.module} ({module.percent} %)", size=10, indent=4)
    if achievement:
        doc.space(2)
        doc.paragraph("Learning outcomes", bold=True)
        for line in achievement.outcomes:
            doc.paragraph(line, size=8.5, indent=4)
    doc.space(4)
    doc.keep_room(62)
    doc.rule()
    doc.paragraph("Check this certificate", bold=True, size=11)
    qr = segno.make(verification_link(code, verify_url), error="m", micro=False)
    size = 42.0                                  # mm: a phone reads it at arm's length
    matrix = [[bool(v) for v in row] for row in qr.matrix]
    cell = size / len(matrix)
    top, left = doc.pdf.get_y() + 1, doc.pdf.w - doc.pdf.r_margin - size
    doc.squares(matrix, left, top, cell)
    width = doc.pdf.w - doc.pdf.l_margin - doc.pdf.r_margin - size - 6
    where = ("Scan the QR code: the course's verification page checks it in your browser, with no account and "
             "nothing sent anywhere." if verify_url else
             "Scan the QR code to read the code, or copy the code below.")
    doc.pdf.set_font(doc.family, "", 9)
    doc.pdf.multi_cell(width, 4.3, align="L", text=doc.text(
        f"{where} Or paste the code into the course's verify.html, or run: exocourse verify CODE --public-key "
        "public-key.pem. A genuine code shows the details printed here; any changed character fails."),
        new_x="LMARGIN", new_y="NEXT")
    doc.space(2)
    doc.pdf.set_font(doc.family, "B", 9)
    doc.pdf.cell(width, 5, doc.text("Certificate code"), new_x="LMARGIN", new_y="NEXT")
    doc.pdf.set_font(doc.family, "", 8.6)
    for line in codes.printed_lines(code):
        doc.pdf.cell(width, 4.2, line, new_x="LMARGIN", new_y="NEXT")
    doc.pdf.set_y(max(doc.pdf.get_y(), top + size + 2))
    return doc.save(path)


__all__ = ["write_certificate_pdf", "certificate_pdf_path", "pdf_file_name", "verification_link"]
