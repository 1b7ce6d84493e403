"""schema/question-bank.schema.json: the published format of a self-check bank.

Every shipped bank validates against it, and the faults the library refuses are refused
by the schema too, so an author's editor shows them before the library does.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schema" / "question-bank.schema.json"
BANKS = sorted((ROOT / "course" / "content" / "questions").glob("*.yml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _bank(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", BANKS, ids=[p.stem for p in BANKS])
def test_every_shipped_bank_validates(validator, path: Path) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_bank(path))]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("path", BANKS, ids=[p.stem for p in BANKS])
def test_every_bank_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schema/question-bank.schema.json"
    assert (path.parent / "../../../schema/question-bank.schema.json").resolve() == SCHEMA_FILE


def _first(bank: dict, kind: str) -> dict:
    return next(q for q in bank["questions"] if q["type"] == kind)


def _mutations() -> list[tuple[str, object]]:
    def drop_cite(b: dict) -> None:
        del _first(b, "single")["options"][0]["cite"]

    def two_options(b: dict) -> None:
        q = _first(b, "single")
        q["options"] = [o for o in q["options"] if o.get("correct")] + [o for o in q["options"] if not o.get("correct")][:1]

    def two_keys(b: dict) -> None:
        for option in _first(b, "single")["options"][:2]:
            option["correct"] = True
        _first(b, "single")["options"][2]["correct"] = False

    def no_key(b: dict) -> None:
        for option in _first(b, "multiple")["options"]:
            option["correct"] = False

    def typo(b: dict) -> None:
        _first(b, "single")["options"][0]["corect"] = True

    def bad_truefalse(b: dict) -> None:
        _first(b, "truefalse")["options"][0]["text"] = "Yes"

    def zero_tolerance(b: dict) -> None:
        _first(b, "numeric")["tolerance"] = 0

    def unquoted_objective(b: dict) -> None:
        _first(b, "single")["objective"] = 1.1

    def option_without_id(b: dict) -> None:
        del _first(b, "multiple")["options"][1]["id"]

    return [("an option without a citation", drop_cite), ("a two-option choice item", two_options),
            ("a single-answer item with two keys", two_keys), ("a select-all item with no key", no_key),
            ("a misspelt field", typo), ("a true/false item that is not True/False", bad_truefalse),
            ("a zero tolerance", zero_tolerance), ("an objective written as a number", unquoted_objective),
            ("an option without an id", option_without_id)]


@pytest.mark.parametrize("what, mutate", _mutations(), ids=[m[0] for m in _mutations()])
def test_the_schema_refuses_what_the_library_refuses(validator, what: str, mutate) -> None:
    from course._errors import ContentError
    from course._questions import parse_bank

    bank = copy.deepcopy(_bank(ROOT / "course" / "content" / "questions" / "01_exosome_biology.yml"))
    mutate(bank)
    assert list(validator.iter_errors(bank)), f"the schema accepted {what}"
    # The library ignores unknown keys and reads 1.1 as "1.1"; the schema is stricter on both
    # (a typo such as `corect:` silently makes an option wrong; `1.10` would read as 1.1).
    if what not in ("a misspelt field", "an objective written as a number"):
        with pytest.raises((ContentError, TypeError, ValueError)):
            parse_bank(bank, file="01_test.yml")
