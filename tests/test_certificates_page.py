"""course/instructor/certificates/page.py: verify.html checks a code in real headless Chromium,
offline, with the browser's Ed25519 and with the bundled TweetNaCl."""
import hashlib

import pytest

from course.instructor.certificates import code as codes
from course.instructor.certificates import issue_certificates, revoke
from course.instructor.certificates.page import FALLBACK
from tests.browser import CHROMIUM, chromium_page
from tests.certificate_cohort import DAY, grades, roster

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed: `make test` "
                                 "installs it as root, or run `sudo apt-get install chromium`")]

# TweetNaCl 1.0.3's nacl.min.js as published on npm: the page embeds exactly this file.
TWEETNACL_SHA256 = "973cc5733cc7432e30ee4682098f413094f494bccf76a567c23908c5035ddbbc"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    mp = pytest.MonkeyPatch()
    mp.setenv("EXOCOURSE_CERTIFICATE_KEY", str(folder / "keys" / "signing.pem"))
    course = folder / "course"
    report = issue_certificates(course, [grades("zoe", 92.5), grades("li"), grades("sam")],
                                roster(zoe=("Zoë Ó Súilleabháin", "GMC 7654321"), li="李小龙", sam="Sam Lee"),
                                issued_on=DAY)
    issued = {e.learner_id: e.code for e in report.issued}
    revoke(course, issued["sam"], "issued in error", on=DAY)
    yield course / "certificates" / "verify.html", issued
    mp.undo()


def check(page, url, code=None):
    page.goto(url)
    page.wait_for_selector("body[data-ready=yes]")
    if code is not None:
        page.fill("#code", code)
        page.click("#check")
    page.wait_for_selector("#result h2")
    return page.inner_text("#result")


@pytest.mark.parametrize("engine", ["", "?engine=tweetnacl"])
def test_the_qr_codes_link_opens_the_page_and_shows_the_genuine_details_without_any_network(course, engine):
    verify_page, issued = course
    with chromium_page() as page:
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        shown = check(page, f"{verify_page.as_uri()}{engine}#{issued['zoe']}")
        assert shown.startswith("✔ Genuine certificate")
        assert "Zoë Ó Súilleabháin" in shown and "GMC 7654321" in shown and "3.25 hours (individual learning)" in shown
        assert "2026-12-01" in shown and "Exosome Reality Check" in shown
        assert ("WebCrypto" if not engine else "TweetNaCl") in page.inner_text("#engine")
        assert [r for r in requests if not r.startswith(verify_page.as_uri())] == []   # nothing but the page itself


def test_a_pasted_code_in_its_printed_lines_in_small_letters_verifies(course):
    verify_page, issued = course
    with chromium_page() as page:
        pasted = "\n".join(codes.printed_lines(issued["li"])).lower()
        assert "李小龙" in check(page, verify_page.as_uri(), pasted)


@pytest.mark.parametrize("engine", ["", "?engine=tweetnacl"])
def test_an_altered_code_a_typo_and_a_revoked_certificate_fail_with_the_reason(course, engine):
    verify_page, issued = course
    data = bytearray(codes.decode(issued["zoe"]))
    data[30] ^= 1                                           # a changed byte of the name: a well-formed code
    url = verify_page.as_uri() + engine
    with chromium_page() as page:
        assert "signature does not match its contents" in check(page, url, codes.encode(bytes(data)))
        lines = codes.printed_lines(issued["zoe"])
        lines[1] = ("Z" if lines[1][0] != "Z" else "Y") + lines[1][1:]
        assert "Line 2 of the code has been mistyped" in check(page, url, "\n".join(lines))
        revoked = check(page, url, issued["sam"])
        assert revoked.startswith("✘ Not verified") and "REVOKED" in revoked and "issued in error" in revoked


def test_the_page_forbids_every_connection_and_runs_only_its_own_two_scripts(course):
    verify_page, _ = course
    html = verify_page.read_text(encoding="utf-8")
    assert "connect-src 'none'" in html and "default-src 'none'" in html
    assert html.count("<script>") == 2 and "<script src" not in html
    with chromium_page() as page:
        check(page, verify_page.as_uri(), "hello")
        blocked = page.evaluate("""async () => { try { await fetch('http://127.0.0.1:9/x'); return 'fetched'; }
                                              catch (e) { return 'blocked'; } }""")
        assert blocked == "blocked"


def test_the_bundled_tweetnacl_is_the_published_file():
    from course._assets import asset_path

    assert hashlib.sha256(asset_path(FALLBACK).read_bytes()).hexdigest() == TWEETNACL_SHA256
