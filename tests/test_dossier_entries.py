"""Reading a learner's dossier entries (course/_dossier/entries.py): clean values or plain problems."""
from __future__ import annotations

import pytest

from course._dossier import load_spec, parse_amount, split_names
from course._dossier.entries import read_entries
from course._errors import AnswerFormatError


@pytest.mark.parametrize("value, names", [
    ("CD9, CD63; TSG101", ("CD9", "CD63", "TSG101")),
    ("CD9,\nCD63 ,, ", ("CD9", "CD63")),
    (["CD9", " CD63 "], ("CD9", "CD63")),
    ("CD63; cd63", ("CD63",)),
    (3, ()),
    ([3, "CD9"], ()),
    (None, ()),
])
def test_names_are_split_on_commas_semicolons_and_lines(value: object, names: tuple[str, ...]) -> None:
    assert split_names(value) == names


@pytest.mark.parametrize("typed, value", [("2.4e11", 2.4e11), ("2.4 x 10^11", 2.4e11), (40, 40.0), ("", None),
                                          (None, None)])
def test_amounts_are_read_as_typed(typed: object, value: float | None) -> None:
    assert parse_amount(typed, "Protein") == value


@pytest.mark.parametrize("typed", ["lots", "-1", "0", True, [1], float("inf")])
def test_an_unreadable_amount_names_the_field(typed: object) -> None:
    with pytest.raises(AnswerFormatError, match="^Protein"):
        parse_amount(typed, "Protein")


def test_every_kind_of_field_reads_its_empty_value_as_not_documented() -> None:
    read = read_entries(load_spec(), {})
    assert read.problems == [] and read.unreadable == set()
    kinds = {f.key: f.kind for f in load_spec().fields}
    for key, value in read.values.items():
        assert value in ("", False, "not_stated", None, ()), (key, kinds[key], value)


def test_a_choice_outside_the_list_names_the_choices() -> None:
    read = read_entries(load_spec(), {"fbs": "maybe"})
    assert read.unreadable == {"fbs"}
    assert "“depleted”" in read.problems[0] and "“not_stated”" in read.problems[0]
