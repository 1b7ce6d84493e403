"""The leak detector finds every kind of secret, however it is written, and nothing else.

Each test plants a leak of one kind (a key, a solution line, a hidden test, a marking
guide, a model answer, private key material, a roster line, another learner's words)
written one way (as text, with other quotes and spacing, HTML-escaped, split by tags,
base64, hex, reversed, in UTF-16 or cp1252, inside a zip, a tar.gz, a PDF stream) and
watches the detector name it without printing it; honest text is left alone.
"""
from __future__ import annotations

import base64
import codecs
import gzip
import html
import io
import json
import re
import shutil
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest

from course.instructor import leaks as L
from tests.conftest import ROOT

ASSESSMENT = "02_quality_and_contamination"
SOURCE = ROOT / "grading" / "source" / ASSESSMENT / "assessment.ipynb"


def _described():
    from course.instructor.assessments import load_assessment

    return load_assessment(SOURCE, ASSESSMENT)


def _words(text: str, count: int) -> str:
    """The first sentence of ``text`` with at least ``count`` words, cut to ``count`` words."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        words = re.sub(r"^\W*\d+\.\s*|\*", "", sentence).split()
        if len(words) >= count:
            return " ".join(words[:count])
    raise AssertionError("no sentence long enough")


# The planted leaks are taken from the assessment itself, so they stay true when its content changes.
DESCRIBED = _described()
CHOICE = next(i for i in DESCRIBED.items
              if i.kind == "letters" and 2 <= len(i.correct_letters) < len(i.options))
NUMBER = next(i for i in DESCRIBED.items if i.kind == "number")
KEY_A, KEY_B = sorted(CHOICE.correct_letters)[:2]
KEY_TEXT = ", ".join(sorted(CHOICE.correct_letters))
CORRECT = [o.text for o in CHOICE.options if o.correct]
MODEL_SENTENCE = _words(DESCRIBED.reflection.model_answer, 14)
GUIDE_LINE = _words(DESCRIBED.reflection.marking_guide, 12)
N = CHOICE.number


@pytest.fixture(scope="module")
def secrets() -> L.Secrets:
    return L.assessment_secrets(SOURCE, ASSESSMENT)


def kinds(found: list[L.Leak]) -> set[str]:
    return {leak.kind for leak in found}


def labels(found: list[L.Leak]) -> str:
    return " | ".join(str(leak) for leak in found)


def plant(template: str) -> str:
    letters = sorted(CHOICE.correct_letters)
    return template.format(
        v=CHOICE.variable, n=N, key=KEY_TEXT, rev=", ".join(reversed(letters)), low=" ,  ".join(letters).lower(),
        set=", ".join(f"'{x}'" for x in letters), list=", ".join(f'"{x}"' for x in letters),
        map=", ".join(f"'{x}': true" for x in letters), o1=CORRECT[0], o2=CORRECT[1])


# ---------------------------------------------------------------- what the secrets are

def test_an_assessment_has_a_key_per_question_and_its_written_tasks_guide_and_model_answer(secrets):
    assert [k.number for k in secrets.keys] == [i.number for i in DESCRIBED.items]
    key = next(k for k in secrets.keys if k.number == N)
    assert key.letters == CHOICE.correct_letters and key.variable == CHOICE.variable
    assert CORRECT[0] in key.correct_options
    number = next(k for k in secrets.keys if k.number == NUMBER.number)
    assert number.value == pytest.approx(NUMBER.answer) and number.tolerance == pytest.approx(NUMBER.tolerance)
    assert {L.MARKING_GUIDE, L.MODEL_ANSWER} <= {s.kind for s in secrets.texts}


def test_the_released_prompts_are_not_secrets_and_the_source_notebook_is_full_of_them(secrets):
    for item in DESCRIBED.items:
        assert L.find_leaks(item.prompt, secrets, "prompt") == [], item.number
    assert {L.KEY, L.MODEL_ANSWER, L.MARKING_GUIDE} <= kinds(L.find_leaks(SOURCE.read_bytes(), secrets, "src"))


def test_a_message_says_what_and_where_but_never_the_secret(secrets):
    found = L.find_leaks(f"notes: {MODEL_SENTENCE}; " + plant("{v} = '{key}'"), secrets, "page.html")
    assert {L.MODEL_ANSWER, L.KEY} <= kinds(found)
    text = labels(found)
    assert "page.html" in text and f"question {N}" in text
    assert L.normalise(MODEL_SENTENCE)[10:40] not in L.normalise(text) and KEY_TEXT not in text
    key = next(leak for leak in found if leak.kind == L.KEY)
    assert key.preview == ""          # nothing of a key is ever shown


# ---------------------------------------------------------------- keys

@pytest.mark.parametrize("template", [
    "{v} = '{key}'",
    '{v}="{rev}"',                          # other quotes, spacing and order
    "{v} = ‘{low}’ (upper)",                # case and typographic quotes
    "assert letters({v}) == {{{set}}}",
    '{{"{v}": [{list}]}}',
    "print({v} in ('{key}',))",
    "The correct answers to question {n} are {key}",
    "Question {n}. Answer key: {key}",
    "Question {n} ... {{{map}}}",
    "- {o1} ✓",
    "✔ {o2}",
    "Question {n}: the right answer was “{o1}”",
])
def test_a_key_is_found_in_the_forms_that_state_it(secrets, template):
    planted = plant(template)
    planted = planted.replace(" (upper)", "").upper() if planted.endswith(" (upper)") else planted
    found = L.find_leaks(planted, secrets, "x")
    assert any(leak.kind == L.KEY and f"question {N}," in leak.label for leak in found), planted


def test_a_number_key_is_found_within_its_tolerance_however_it_is_written(secrets):
    from course.instructor.assessments import number_text

    value, tolerance, variable = NUMBER.answer, NUMBER.tolerance, NUMBER.variable
    label = f"question {NUMBER.number},"
    for planted in (f"{variable} = '{number_text(value)}'", f"{variable} = {value:,.0f}",
                    f"close({variable}, {value!r}", f"{variable} = {value + tolerance / 2!r}",
                    f"Question {NUMBER.number}: the expected value is {value:.6e}".replace("e+", " x 10^")):
        assert any(label in leak.label for leak in L.find_leaks(planted, secrets, "x")), planted
    far = value * 3 + 10 * tolerance + 7
    assert not any(label in leak.label for leak in L.find_leaks(f"{variable} = '{far!r}'", secrets, "x"))


@pytest.mark.parametrize("honest", [
    "Question {n} · earned its mark. Your answer: {key}",    # a learner's own right answer, as a value
    "Question {n} · no mark. Your answer: B. Objective 2.1: revisit lesson 02.",
    "{v} = ''",                                              # the released stub
    'check_format("{v}", kind="letters", choices="ABCDE", example="C, D")',
    "key: value, other: thing",                              # code, no anchor, no key
])
def test_honest_text_is_not_a_key_leak(secrets, honest):
    planted = plant(honest)
    assert [leak for leak in L.find_leaks(planted, secrets, "x") if leak.kind == L.KEY] == [], planted


def test_a_part_of_a_multi_letter_key_is_not_the_key(secrets):
    planted = plant("The correct answer to question {n} is ") + KEY_A
    assert not any(f"question {N}," in leak.label for leak in L.find_leaks(planted, secrets, "x"))


def test_a_letter_key_alone_is_never_searched_as_text(secrets):
    assert L.find_leaks("A B C D. A, B. B", secrets, "x") == []


# ---------------------------------------------------------------- long secrets, every view

def encodings_of(text: str) -> dict[str, str | bytes]:
    return {
        "as text": text,
        "spacing and quotes": text.replace(" ", "   \n ").replace("'", "’").upper(),
        "HTML-escaped": html.escape(text),
        "split by tags": "".join(f"<span class='x{i}'>{w} </span>" for i, w in enumerate(text.split())),
        "double-escaped": html.escape(html.escape(f"<p>{text}</p>")),
        "base64": "data:text/plain;base64," + base64.b64encode(text.encode()).decode(),
        "base64 wrapped": base64.encodebytes(text.encode()).decode(),
        "base64 url-safe": base64.urlsafe_b64encode(text.encode()).decode(),
        "base64 twice": base64.b64encode(base64.b64encode(text.encode())).decode(),
        "hex": text.encode().hex(),
        "reversed": text[::-1],
        "rot13": codecs.encode(text, "rot13"),
        "URL-encoded": "https://x.example/?q=" + __import__("urllib.parse").parse.quote(text),
        "JSON-escaped": json.dumps({"t": text}, ensure_ascii=True).replace("'", "\\u0027"),
        "UTF-16 with BOM": text.encode("utf-16"),
        "UTF-16 without BOM": text.encode("utf-16-le"),
        "cp1252": (text + " – ‘quoted’").encode("cp1252"),
        "latin-1": (text + " café").encode("latin-1"),
    }


@pytest.mark.parametrize("how", list(encodings_of("x")))
def test_a_model_answer_sentence_is_found_however_it_is_written(secrets, how):
    blob = encodings_of(f"Here is what I found: {MODEL_SENTENCE}. Thanks.")[how]
    assert L.MODEL_ANSWER in kinds(L.find_leaks(blob, secrets, "x")), how


@pytest.mark.parametrize("how", list(encodings_of("x")))
def test_a_keyed_solution_line_is_found_however_it_is_written(secrets, how):
    blob = encodings_of(plant("print('{v} = \"{key}\"')"))[how]
    assert L.KEY in kinds(L.find_leaks(blob, secrets, "x")), how


def test_ten_copied_words_of_a_model_answer_are_enough(secrets):
    words = MODEL_SENTENCE.split()
    assert L.MODEL_ANSWER in kinds(L.find_leaks(" ".join(words[:10]), secrets, "x"))
    assert L.MODEL_ANSWER not in kinds(L.find_leaks(" ".join(words[:5]), secrets, "x"))


def test_marking_guide_and_hidden_test_lines_are_found(secrets):
    found = L.find_leaks(f"Point: {GUIDE_LINE}", secrets, "x")
    assert L.MARKING_GUIDE in kinds(found)
    hidden = next((s for s in secrets.texts if s.kind == L.HIDDEN_TEST and "question" in s.label), None)
    if hidden is not None:           # today's notebooks have hidden tests; the static grader has none
        assert L.HIDDEN_TEST in kinds(L.find_leaks(hidden.text, secrets, "x"))
    assert L.HIDDEN_TEST in kinds(L.find_leaks("### BEGIN HIDDEN TESTS", secrets, "x"))


def test_without_drops_fragments_a_page_may_show(secrets):
    own = f"My reflection. {MODEL_SENTENCE}."
    assert L.MODEL_ANSWER in kinds(L.find_leaks(own, secrets, "x"))
    assert L.MODEL_ANSWER not in kinds(L.find_leaks(own, secrets.without(own), "x"))
    assert secrets.without(own).keys == secrets.keys


# ---------------------------------------------------------------- key material, roster, learners

def test_a_private_key_is_found_as_pem_lines_raw_hex_or_base64_and_never_previewed():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    raw = key.private_bytes_raw()
    secrets = L.key_material_secrets(pem)
    body_line = pem.decode().splitlines()[1]
    for planted in (pem.decode(), body_line[:40], raw.hex(), base64.b64encode(raw).decode(),
                    base64.b64encode(pem).decode()):
        found = L.find_leaks(f"debug: {planted}", secrets, "page")
        assert found and all(leak.kind == L.PRIVATE_KEY and leak.preview == "" for leak in found), planted
        assert body_line[:12] not in labels(found)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert L.find_leaks(public, secrets, "public-key.pem") == []


def test_a_hex_hmac_key_line_is_key_material():
    hex_key = "9f" * 32
    secrets = L.key_material_secrets(hex_key + "\n")
    assert L.find_leaks(f"k={hex_key}", secrets, "x")
    assert L.find_leaks(base64.b64encode(bytes.fromhex(hex_key)).decode(), secrets, "x")


def test_roster_lines_names_and_registrations_are_found_but_not_inside_other_words(tmp_path):
    roster = tmp_path / "learners.csv"
    roster.write_text("learner,name,registration\nlearner-01,Zoë Ødegaard,NMC 12A3456B\n"
                      "learner-02,Li Na,GMC 7654321\n", encoding="utf-8")
    secrets = L.roster_secrets(roster, except_learner="learner-01")
    assert L.find_leaks("Feedback for learner-01, Zoë Ødegaard", secrets, "x") == []
    assert kinds(L.find_leaks("also seen: Li Na (GMC 7654321)", secrets, "x")) == {L.ROSTER}
    assert kinds(L.find_leaks("learner-02,Li Na,GMC 7654321".encode("utf-16"), secrets, "x")) == {L.ROSTER}
    assert L.find_leaks("Carolina went to the clinic", secrets, "x") == []   # "lina" inside a word


def test_another_learners_reflection_is_learner_data():
    secrets = L.text_secrets(L.LEARNER_DATA, "reflection of learner-07",
                             "Our clinic stopped buying the serum after we read the certificate twice.")
    found = L.find_leaks("... we read the certificate twice ...".replace("...", "Our clinic stopped buying the serum after"),
                         secrets, "x")
    assert kinds(found) == {L.LEARNER_DATA}


# ---------------------------------------------------------------- archives and files

def zip_bytes(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bytes(files: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


LEAKY = f"notes {MODEL_SENTENCE}".encode("cp1252")


@pytest.mark.parametrize("make", [
    lambda: zip_bytes({"a/readme.txt": b"hello", "a/notes.txt": LEAKY}),
    lambda: tar_bytes({"a/notes.txt": LEAKY}),
    lambda: tar_bytes({"a/notes.txt": LEAKY}, "w:bz2"),
    lambda: tar_bytes({"a/notes.txt": LEAKY}, "w:xz"),
    lambda: tar_bytes({"inner.zip": zip_bytes({"deep/notes.txt": LEAKY})}),
    lambda: gzip.compress(LEAKY),
    lambda: zip_bytes({"edition.docx": zip_bytes({"word/document.xml": b"<w:t>" + LEAKY + b"</w:t>"})}),
])
def test_a_leak_inside_an_archive_is_found_and_named_by_its_member(secrets, make):
    audit = L.scan_bytes(make(), secrets, "upload.bin")
    assert L.MODEL_ANSWER in kinds(audit.leaks), audit.messages()
    assert any("!" in leak.where for leak in audit.leaks if leak.kind == L.MODEL_ANSWER)
    assert not audit.ok


def test_a_pdf_stream_is_inflated_and_searched(secrets):
    stream = zlib.compress(b"BT /F1 12 Tf (" + MODEL_SENTENCE.encode() + b") Tj ET")
    pdf = (b"%PDF-1.4\n1 0 obj << /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
           + stream + b"\nendstream\nendobj\n%%EOF\n")
    assert L.MODEL_ANSWER in kinds(L.scan_bytes(pdf, secrets, "record.pdf").leaks)


def test_a_zip_bomb_is_not_unpacked_past_the_limit_and_is_reported(secrets):
    bomb = zip_bytes({"zeros.txt": b"\0" * 5_000_000})
    audit = L.scan_bytes(bomb, secrets, "bomb.zip", L.Limits(max_member_bytes=1_000_000))
    assert audit.unchecked and "MB" in audit.unchecked[0].reason and not audit.ok


def test_a_gzip_or_tar_bomb_is_stopped_at_the_limit(secrets):
    limits = L.Limits(max_member_bytes=1_000_000)
    for name, bomb in (("zeros.gz", gzip.compress(b"\0" * 5_000_000)),
                       ("zeros.tar.gz", tar_bytes({"zeros": b"\0" * 5_000_000}))):
        audit = L.scan_bytes(bomb, secrets, name, limits)
        assert audit.unchecked and not audit.ok, name


def test_a_zip_that_lies_about_its_sizes_is_caught_while_reading(secrets):
    data = bytearray(zip_bytes({"z.txt": b"\0" * 3_000_000}))
    # Make both headers claim 10 bytes: the reader must stop on what it really unpacks.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset: at + offset + 4] = (10).to_bytes(4, "little")
    audit = L.scan_bytes(bytes(data), secrets, "liar.zip", L.Limits(max_member_bytes=1_000_000))
    assert not audit.ok and audit.unchecked


def test_encrypted_members_symlinks_nesting_and_corrupt_archives_are_unchecked_not_ignored(secrets, tmp_path):
    data = bytearray(zip_bytes({"secret.txt": b"hello"}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1                       # the "encrypted" flag
    assert "encrypted" in L.scan_bytes(bytes(data), secrets, "e.zip").unchecked[0].reason

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        link = tarfile.TarInfo("../../etc/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    audit = L.scan_bytes(buffer.getvalue(), secrets, "links.tar")
    assert audit.unchecked and "link" in audit.unchecked[0].reason

    nested = b"hello"
    for _ in range(5):
        nested = zip_bytes({"n.zip": nested})
    assert any("nested" in u.reason for u in L.scan_bytes(nested, secrets, "deep.zip").unchecked)

    corrupt = zip_bytes({"a.txt": b"hello" * 100})[:60]
    assert L.scan_bytes(corrupt, secrets, "broken.zip").unchecked
    assert list(tmp_path.iterdir()) == []              # nothing was ever extracted to disk


def test_member_names_with_control_characters_are_shown_safely(secrets):
    audit = L.scan_bytes(zip_bytes({"evil\x1b[2J\nname.txt": LEAKY}), secrets, "x.zip")
    where = next(leak.where for leak in audit.leaks)
    assert "\x1b" not in where and "\n" not in where


def test_scan_tree_reads_every_file_hidden_ones_too_and_reports_symlinks(secrets, tmp_path):
    folder = tmp_path / "edition"
    (folder / ".hidden").mkdir(parents=True)
    (folder / "ok.txt").write_text("nothing to see", encoding="utf-8")
    (folder / ".hidden" / "n.txt").write_bytes(LEAKY)
    (folder / "link").symlink_to(SOURCE)
    audit = L.scan_tree(folder, secrets)
    assert {leak.where for leak in audit.leaks} == {"edition/.hidden/n.txt"}
    assert [u.where for u in audit.unchecked] == ["edition/link"]
    assert audit.checked == 2


# ---------------------------------------------------------------- the released assessment

@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from course.instructor.release import release
    from tests.instructor_course import make_course

    root = tmp_path_factory.mktemp("release") / "grading"
    course = make_course(root)
    release(course, [ASSESSMENT])
    return root


@pytest.fixture
def course(released: Path, tmp_path: Path):
    from course.instructor.coursedir import open_course

    copy = tmp_path / "grading"
    shutil.copytree(released, copy)
    return open_course(copy, f"sqlite:///{copy / 'gradebook.db'}")


def test_the_real_release_is_clean(course):
    audit = L.audit_release(course, ASSESSMENT)
    assert audit.ok, audit.messages()
    assert audit.checked >= 1


def edit_release(course, change) -> None:
    path = course.release_notebook(ASSESSMENT)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    change(notebook)
    path.write_text(json.dumps(notebook), encoding="utf-8")


def test_audit_release_finds_a_key_kept_in_cell_metadata(course):
    def keep(notebook):
        notebook["cells"][3]["metadata"]["exocourse"] = {"item": N, "key": KEY_TEXT}
    edit_release(course, keep)
    audit = L.audit_release(course, ASSESSMENT)
    assert any(leak.kind == L.KEY and "metadata" in leak.where for leak in audit.leaks), audit.messages()


def test_audit_release_finds_a_solution_left_in_an_answer_cell(course):
    def leave(notebook):
        cell = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id")
                    == CHOICE.answer_cell)
        cell["source"] = plant("{v} = ''\n# {v} = \"{key}\"\n")
    edit_release(course, leave)
    assert L.KEY in kinds(L.audit_release(course, ASSESSMENT).leaks)


def test_audit_release_finds_the_marking_guide_in_a_markdown_cell(course):
    def copy_guide(notebook):
        notebook["cells"][-1]["source"] = GUIDE_LINE
    edit_release(course, copy_guide)
    assert L.MARKING_GUIDE in kinds(L.audit_release(course, ASSESSMENT).leaks)


def test_audit_release_finds_a_copy_of_the_key_file_and_leaks_in_other_copied_files(course):
    folder = course.release_dir / ASSESSMENT
    key_file = L.key_file_for(course, ASSESSMENT)
    if key_file is not None:
        shutil.copy(key_file, folder / "notes.yml")
    (folder / "data").mkdir()
    (folder / "data" / "extra.zip").write_bytes(zip_bytes({"guide.txt": LEAKY}))
    audit = L.audit_release(course, ASSESSMENT)
    found = {(leak.kind, leak.where.split("!")[0]) for leak in audit.leaks}
    assert (L.MODEL_ANSWER, f"release/{ASSESSMENT}/data/extra.zip") in found, audit.messages()
    if key_file is not None:
        assert (L.KEY_FILE, f"release/{ASSESSMENT}/notes.yml") in found


def test_audit_release_of_an_unreleased_assessment_says_to_release_it(course):
    from course._errors import ConfigurationError

    shutil.rmtree(course.release_dir / ASSESSMENT)
    with pytest.raises(ConfigurationError, match="exocourse release"):
        L.audit_release(course, ASSESSMENT)
