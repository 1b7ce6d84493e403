"""course/instructor/_csv.py: one CSV writer (formula cells neutralised) and one reader."""
import csv
import io

import pytest

from course._errors import ConfigurationError
from course.instructor._csv import csv_text, neutralise, parse_csv, read_csv, restore, write_csv

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "\n=1", "  =1+1", "＝1+1", "'=1+1", "''@x"]
HARMLESS = ["Ada Lovelace", "-1.5", "+3", "1e-3", "", "O'Brien", "'t Hooft", "Zoë Ó Súilleabháin", "李小龙", "a=b"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_with_an_apostrophe_in_front(value):
    written = neutralise(value)
    assert written == "'" + value
    cell = list(csv.reader(io.StringIO(csv_text(["x"], [[value]]), newline="")))[1][0]
    assert cell[0] == "'"  # what a spreadsheet sees first: text, not a formula


@pytest.mark.parametrize("value", HARMLESS)
def test_names_and_plain_numbers_are_written_as_they_are(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", HOSTILE + HARMLESS + ["Ann\rBob", "two\nlines", 'say "hi"', "a,b"])
def test_the_reader_returns_exactly_what_the_writer_was_given(tmp_path, value):
    path = write_csv(tmp_path / "x.csv", ["learner", "name"], [["a", value], {"learner": "b", "name": value}])
    table = read_csv(path, required=["learner", "name"])
    assert [row.get("name") for row in table.rows] == [value, value]
    assert restore(neutralise(value)) == value


def test_numbers_and_none_become_text_and_dict_rows_follow_the_header(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["a", "b", "c"], [[1, 2.5, None], {"c": "z", "a": -3}])
    assert path.read_bytes() == b"a,b,c\r\n1,2.5,\r\n-3,,z\r\n"


def test_a_bare_carriage_return_stays_inside_its_field_and_the_next_line_is_still_its_own_record():
    table = parse_csv("learner,name\r\nann,Ann\rBob\r\ncarl,Carl\n")
    assert [(row.line, row.cells) for row in table.rows] == [(2, ("ann", "Ann\rBob")), (3, ("carl", "Carl"))]


def test_line_numbers_count_physical_lines_when_a_quoted_field_spans_two():
    table = parse_csv('learner,name\na,"two\nlines"\nb,Bee\n')
    assert [row.line for row in table.rows] == [2, 4]


def test_a_file_whose_lines_end_in_carriage_returns_only_is_read_line_by_line():
    assert [row.cells for row in parse_csv("learner,name\ra,Ann\rb,Bob\r").rows] == [("a", "Ann"), ("b", "Bob")]


def test_a_spreadsheets_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("learner,name\nz,Zoë\n".encode("utf-8-sig"))
    assert read_csv(path, required=["learner"]).header == ("learner", "name")


def test_a_missing_column_names_the_file_the_column_and_the_fix(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("id,name\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"roster.csv: the first line should name the columns learner,name.*"
                                                 r"learner is missing\. Fix the header\."):
        read_csv(path, required=["learner", "name"], fix="Fix the header.")


def test_malformed_csv_and_non_utf8_files_are_configuration_errors_naming_the_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('learner,name\na,"unclosed\nb,Bob\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"x.csv, line 3: this is not valid CSV"):
        read_csv(path)
    path.write_bytes(b"learner,name\na,Zo\xeb\n")
    with pytest.raises(ConfigurationError, match="is not UTF-8"):
        read_csv(path)
    with pytest.raises(FileNotFoundError):
        read_csv(tmp_path / "absent.csv")


# ---------------------------------------------------------------- every CSV the project writes
def test_grades_csv_neutralises_a_formula_learner_id(tmp_path):
    from course.instructor.report import LearnerGrades, write_grades_csv

    path = write_grades_csv(tmp_path / "grades.csv", [LearnerGrades("=cmd|' /C calc'!A0"), LearnerGrades("bo")], [])
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert [row[0] for row in rows[1:]] == ["'=cmd|' /C calc'!A0", "bo"]


def test_privacys_rewrite_of_a_csv_keeps_other_rows_neutralised_and_exact(tmp_path):
    from course.instructor.privacy import _drop_rows

    path = write_csv(tmp_path / "learners.csv", ["learner", "name"], [["ann", "=1+1"], ["bob", "Bob"]])
    assert _drop_rows(path, lambda row: row[0] == "bob")
    assert path.read_bytes() == b"learner,name\r\nann,'=1+1\r\n"
    assert [row.cells for row in read_csv(path).rows] == [("ann", "=1+1")]
