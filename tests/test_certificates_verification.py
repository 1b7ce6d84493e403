"""course/instructor/certificates/verification.py: a code checks with the public key alone."""
import shutil
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from course._errors import ConfigurationError
from course.instructor.certificates import code as codes
from course.instructor.certificates import issue_certificates, load_published, read_register, verify_code
from course.instructor.certificates.credential import SIGNATURE_BYTES, parse, signed_message
from course.instructor.certificates.keys import PublicKey
from course.instructor.certificates.lifecycle import revoke, rotate_key, withdraw_key
from course.instructor.certificates.verification import sign
from tests.certificate_cohort import DAY, grades, roster, without_key_env


@pytest.fixture
def issued(tmp_path, monkeypatch):
    """A course folder that issued certificates to two learners; returns (course folder, codes)."""
    monkeypatch.setenv("EXOCOURSE_CERTIFICATE_KEY", str(tmp_path / "keys" / "signing.pem"))
    course = tmp_path / "course"
    report = issue_certificates(course, [grades("zoe", 92.5), grades("li", 88.0)],
                                roster(zoe=("Zoë Ó Súilleabháin", "GMC 7654321"), li="Li Wei"), issued_on=DAY)
    return course, {e.learner_id: e.code for e in report.issued}


def published(course):
    return load_published(course / "certificates" / "public-key.pem")


def test_a_genuine_code_verifies_in_an_empty_folder_with_only_the_public_key(issued, tmp_path):
    course, issued_codes = issued
    empty = tmp_path / "someone-elses-computer"
    empty.mkdir()
    shutil.copy(course / "certificates" / "public-key.pem", empty / "public-key.pem")
    printed = codes.printed_lines(issued_codes["zoe"])
    run = subprocess.run([sys.executable, "-m", "course.cli", "verify", *printed, "--public-key", "public-key.pem"],
                         cwd=empty, capture_output=True, text=True, env=without_key_env())
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("GENUINE: certificate ")
    assert "Learner:             Zoë Ó Súilleabháin" in run.stdout and "GMC 7654321" in run.stdout
    assert "CPD time:            3.25 hours (individual learning)" in run.stdout
    assert "Date issued:         2026-12-01" in run.stdout
    assert "NOT CHECKED: no revoked.json" in run.stdout  # honest about what it could not check
    assert sorted(p.name for p in empty.iterdir()) == ["public-key.pem"]  # it wrote nothing


def test_any_changed_byte_of_the_signed_payload_or_signature_fails(issued):
    course, issued_codes = issued
    data = codes.decode(issued_codes["zoe"])
    keys = published(course)
    assert verify_code(issued_codes["zoe"], keys).genuine
    for position in range(len(data)):
        altered = bytearray(data)
        altered[position] ^= 0x01
        result = verify_code(codes.encode(bytes(altered)), keys)
        assert not result.genuine, position
        assert "NOT VERIFIED" in result.reason


def test_a_code_forged_with_another_key_fails_even_when_it_claims_the_courses_key_id(issued):
    course, issued_codes = issued
    genuine = parse(codes.decode(issued_codes["zoe"])[:-SIGNATURE_BYTES])
    forger = Ed25519PrivateKey.generate()
    own_id = sign(genuine.__class__(**{**genuine.__dict__, "key_id": PublicKey.of(forger).key_id}), forger)
    assert "not among this course's public keys" in verify_code(own_id, published(course)).reason
    payload = codes.decode(issued_codes["zoe"])[:-SIGNATURE_BYTES]        # the course's key id, a forged signature
    forged = codes.encode(payload + forger.sign(signed_message(payload)))
    result = verify_code(forged, published(course))
    assert not result.genuine and "signature does not match" in result.reason


def test_a_typo_is_caught_before_any_signature_is_checked_and_says_which_line(issued):
    course, issued_codes = issued
    lines = codes.printed_lines(issued_codes["zoe"])
    lines[2] = lines[2][:3] + ("Z" if lines[2][3] != "Z" else "Y") + lines[2][4:]
    result = verify_code("\n".join(lines), published(course))
    assert not result.genuine and "line 3 of the code has been mistyped" in result.reason


def test_a_revoked_certificate_fails_with_its_reason_and_the_other_still_verifies(issued):
    course, issued_codes = issued
    change = revoke(course, issued_codes["zoe"], "issued in error: module 03 was regraded", on=DAY)
    assert "revoked: issued in error" in change.summary
    result = verify_code(issued_codes["zoe"], published(course))
    assert not result.genuine and result.revoked
    assert result.reason.startswith("REVOKED: certificate ")
    assert "Reason: issued in error: module 03 was regraded" in result.reason
    assert verify_code(issued_codes["li"], published(course)).genuine


def test_after_a_key_rotation_old_certificates_still_verify_and_new_ones_use_the_new_key(issued):
    course, issued_codes = issued
    old_id = parse(codes.decode(issued_codes["zoe"])[:-SIGNATURE_BYTES]).key_id
    change = rotate_key(course, on=DAY)
    assert f"{old_id} retired" in change.summary
    keys = published(course)
    assert keys.ring.keys[1].key_id == old_id and keys.ring.current.key_id != old_id
    assert verify_code(issued_codes["zoe"], keys).genuine
    later = issue_certificates(course, [grades("sam")], roster(sam="Sam Lee"), issued_on=DAY).issued[0]
    assert later.credential.key_id == keys.ring.current.key_id
    assert verify_code(later.code, published(course)).genuine


def test_a_withdrawn_key_fails_its_certificates_and_the_next_run_issues_them_again(issued):
    course, issued_codes = issued
    old_id = parse(codes.decode(issued_codes["zoe"])[:-SIGNATURE_BYTES]).key_id
    with pytest.raises(ConfigurationError, match="rotate to a new key first"):
        withdraw_key(course, old_id, "laptop stolen")
    rotate_key(course, on=DAY)
    withdraw_key(course, old_id, "laptop stolen", on=DAY)
    result = verify_code(issued_codes["zoe"], published(course))
    assert not result.genuine and "which the course withdrew on 2026-12-01 (laptop stolen)" in result.reason
    again = issue_certificates(course, [grades("zoe", 92.5)], roster(zoe=("Zoë Ó Súilleabháin", "GMC 7654321")),
                               issued_on=DAY)
    assert [e.learner_id for e in again.issued] == ["zoe"]
    assert verify_code(again.issued[0].code, published(course)).genuine


def test_a_tampered_revocation_list_is_refused_not_trusted(issued):
    course, issued_codes = issued
    revoke(course, issued_codes["zoe"], "withdrawn", on=DAY)
    path = course / "certificates" / "revoked.json"
    path.write_text(path.read_text(encoding="utf-8").replace("withdrawn", "fine"), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="damaged or was not signed with this course's key"):
        published(course)


def test_the_register_holds_the_verifiable_code(issued):
    course, issued_codes = issued
    assert {e.learner_id: e.code for e in read_register(course)} == issued_codes
