"""The timeline of guidance and warnings (lesson 03): its data file and its figure."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from course._errors import ContentError
from course._figures import Figure, build, timeline
from course._references import load_references


def _raw_rows() -> list[dict[str, str]]:
    with open(timeline.DATA_FILE, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "timeline.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------- the data file

def test_the_data_file_has_the_columns_the_lesson_promises() -> None:
    with open(timeline.DATA_FILE, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert {"date", "jurisdiction", "body", "event", "kind", "reference"} <= set(header)


def test_every_rows_reference_is_a_key_in_references_yml() -> None:
    keys = set(load_references().keys())
    unknown = [row["reference"] for row in _raw_rows() if row["reference"] not in keys]
    assert unknown == []


def test_every_date_parses_and_lies_in_2014_to_2025() -> None:
    rows = _raw_rows()
    assert rows, "the timeline has no events"
    for row in rows:
        when, precision = timeline.parse_date(row["date"])
        assert date(2014, 1, 1) <= when <= date(2025, 12, 31), row
        assert precision in {"day", "month", "year"}


@pytest.mark.parametrize(("key", "day"), [
    ("fda2019", "2019-12-06"),
    ("fda2019medwatch", "2019-12-09"),
    ("fda2020", "2020-07-22"),
    ("isev2020notice", "2020-08-08"),
    ("fda2023kimera", "2023-09-01"),
    ("taiwan2024", "2024-03-21"),
    ("mhlw2024", "2024-07-31"),
    ("guardian2025", "2025-03-29"),
])
def test_regulatory_events_carry_the_exact_date_of_their_source(key: str, day: str) -> None:
    dated = {(row["reference"], row["date"]) for row in _raw_rows()}
    assert (key, day) in dated


def test_both_rounds_of_untitled_letters_are_dated() -> None:
    letters = sorted(row["date"] for row in _raw_rows() if row["reference"] == "fda2020untitled")
    assert letters == ["2020-04-10", "2023-05-22"]


def test_events_come_back_in_date_order_with_a_known_kind_and_lane() -> None:
    events = timeline.load_events()
    assert [e.when for e in events] == sorted(e.when for e in events)
    assert {e.kind for e in events} <= set(timeline.KINDS)
    assert {e.jurisdiction for e in events} <= set(timeline.LANES)


@pytest.mark.parametrize(("text", "shown", "precision"), [
    ("2019-12-06", "6 December 2019", "day"),
    ("2019-12", "December 2019", "month"),
    ("2014", "2014", "year"),
])
def test_dates_are_shown_only_as_precisely_as_the_source_gives_them(text: str, shown: str, precision: str) -> None:
    when, got_precision = timeline.parse_date(text)
    event = timeline.Event(when=when, precision=got_precision, jurisdiction="International", body="x",
                           event="x", kind="guidance", reference="misev2014")
    assert (event.date_text, got_precision) == (shown, precision)


@pytest.mark.parametrize("bad", ["6 Dec 2019", "2019-13-01", "19", "", "2019-12-32"])
def test_a_date_that_is_not_a_date_is_refused_with_the_format(bad: str) -> None:
    with pytest.raises(ContentError, match="YYYY-MM-DD"):
        timeline.parse_date(bad)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("reference", "fda2021", "unknown reference key"),
    ("date", "2013-05-01", "outside 2014–2025"),
    ("date", "2026-01-01", "outside 2014–2025"),
    ("kind", "rumour", "unknown kind"),
    ("jurisdiction", "Atlantis", "unknown jurisdiction"),
    ("event", "", "empty 'event'"),
])
def test_a_broken_row_is_refused_naming_the_row(tmp_path: Path, column: str, value: str, message: str) -> None:
    rows = _raw_rows()
    rows[3][column] = value
    with pytest.raises(ContentError, match=message) as raised:
        timeline.load_events(_write(tmp_path, rows))
    assert "row 5" in str(raised.value)  # data row 4 is line 5 after the header


def test_a_file_without_a_reference_column_is_refused(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k != "reference"} for row in _raw_rows()]
    with pytest.raises(ContentError, match="reference"):
        timeline.load_events(_write(tmp_path, rows))


# ---------------------------------------------------------------- the figure

def test_the_figure_has_a_title_labelled_axes_a_description_and_every_event_in_its_table() -> None:
    built = build("timeline")
    assert isinstance(built, Figure)
    layout = built.figure.layout
    assert "2014–2025" in built.title
    assert layout.xaxis.title.text and layout.yaxis.title.text
    assert len(built.description.split()) > 40
    assert len(built.rows) == len(_raw_rows())
    assert all(len(row) == len(built.columns) for row in built.rows)
    assert "Reference key" in built.columns


def test_each_kind_differs_by_marker_shape_as_well_as_colour() -> None:
    traces = build("timeline").figure.data
    symbols = [t.marker.symbol for t in traces]
    colours = [t.marker.color for t in traces]
    assert len(traces) == len({e.kind for e in timeline.load_events()})
    assert len(set(symbols)) == len(traces)
    assert len(set(colours)) == len(traces)


def test_hover_text_gives_each_points_date_and_reference_key() -> None:
    hover = [text for trace in build("timeline").figure.data for text in trace.text]
    assert any("6 December 2019" in h and "[fda2019]" in h for h in hover)
    assert any("31 July 2024" in h and "[mhlw2024]" in h for h in hover)
    for event in timeline.load_events():
        assert any(event.date_text in h and f"[{event.reference}]" in h for h in hover)


def test_the_figure_cites_every_reference_it_plots() -> None:
    built = build("timeline")
    assert {row[-1] for row in built.rows} <= set(built.cite)


def test_one_kind_can_be_shown_alone() -> None:
    built = build("timeline", kind="enforcement")
    assert {row[4] for row in built.rows} == {timeline.KINDS["enforcement"]}
    assert len(built.figure.data) == 1


def test_an_unknown_kind_says_which_kinds_exist() -> None:
    with pytest.raises(ContentError, match="'warning'"):
        build("timeline", kind="warnings")


# ---------------------------------------------------------------- the narrative is content, tested against the data

def test_every_month_the_narrative_names_is_the_month_of_an_event() -> None:
    import re

    months = {f"{timeline._MONTHS[e.when.month - 1]} {e.when.year}" for e in timeline.load_events()
              if e.precision in ("day", "month")}
    named = re.findall(r"(January|February|March|April|May|June|July|August|September|October|November|"
                       r"December) (\d{4})", timeline.load_narrative().narrative)
    assert named, "the narrative should date what it describes"
    for month, year in named:
        assert f"{month} {year}" in months, f"{month} {year} is not the month of any event in timeline.csv"


def test_the_narrative_comes_from_content_and_its_sources_are_cited() -> None:
    narrative = timeline.load_narrative()
    built = build("timeline")
    assert narrative.narrative in built.description and narrative.before_the_timeline in built.description
    assert set(narrative.cite) <= set(built.cite)


def test_a_narrative_citing_an_unvetted_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "timeline.yml"
    path.write_text("narrative: x\nbefore_the_timeline: y\ncite: [smith2099]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="timeline.yml, cite.*smith2099"):
        timeline.load_narrative(path)
