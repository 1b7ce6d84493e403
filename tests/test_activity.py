"""course/_activity.py: active time is the sum of capped gaps between the learner's actions,
per module and per sitting, driven here by an injected clock so the rule is tested exactly."""
from __future__ import annotations

import re

import pytest

from course import _syllabus
from course._activity import CELL, Tracker, active_seconds, capped_gap, time_rule
from course._progress import ProgressStore, default_store
from course._syllabus import load_syllabus


class Clock:
    def __init__(self, at: float = 1_800_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cap_3_minutes(tmp_path, monkeypatch):
    """The syllabus with gap_cap_minutes 3 instead of 10: the rule must follow the syllabus."""
    text = _syllabus.SYLLABUS_FILE.read_text(encoding="utf-8")
    changed = re.sub(r"gap_cap_minutes: 10\b", "gap_cap_minutes: 3", text)
    assert changed != text
    copy = tmp_path / "syllabus.yml"
    copy.write_text(changed, encoding="utf-8")
    _syllabus.load_syllabus.cache_clear()
    monkeypatch.setattr(_syllabus, "SYLLABUS_FILE", copy)
    yield 3
    _syllabus.load_syllabus.cache_clear()


def record_of(module: str = "01") -> dict:
    return default_store().load()["modules"][module]


def test_the_rule_for_one_gap_is_the_time_between_actions_never_negative_and_at_most_the_cap():
    assert capped_gap(100.0, 160.0, 600.0) == 60.0
    assert capped_gap(100.0, 100.0 + 3600, 600.0) == 600.0
    assert capped_gap(100.0, 40.0, 600.0) == 0.0          # a clock set back counts nothing


def test_active_time_is_the_sum_of_the_gaps_each_capped_at_the_syllabus_setting(clock):
    cap = load_syllabus().record.gap_cap_minutes * 60
    tracker = Tracker(clock=clock)
    tracker.note("01", "start")
    clock.advance(45)
    tracker.note("01", "check")
    clock.advance(2 * 60 * 60)                            # away for two hours: counts as the cap
    tracker.note("01", "check")
    clock.advance(30)
    tracker.note("01", "reflection-saved")
    assert active_seconds(default_store().load(), "01") == 45 + cap + 30
    [sitting] = record_of()["sittings"]
    assert sitting["actions"] == 4 and sitting["seconds"] == 45 + cap + 30


def test_the_cap_comes_from_the_syllabus(clock, cap_3_minutes):
    tracker = Tracker(clock=clock)
    tracker.note("01", "start")
    clock.advance(3600)
    tracker.note("01", "check")
    assert active_seconds(default_store().load(), "01") == 3 * 60
    assert "never more than 3 minutes for one gap" in time_rule()


def test_a_single_action_is_no_time_and_each_module_keeps_its_own_sitting(clock):
    tracker = Tracker(clock=clock)
    tracker.note("01", "start")
    clock.advance(100)
    tracker.note("02", "start")
    clock.advance(20)
    tracker.note("02", "check")
    progress = default_store().load()
    assert active_seconds(progress, "01") == 0 and active_seconds(progress, "02") == 20


def test_sittings_add_up_across_kernel_restarts_and_the_time_between_them_does_not_count(clock):
    first_kernel = Tracker(clock=clock)
    first_kernel.note("01", "start")
    clock.advance(300)
    first_kernel.note("01", "check")
    clock.advance(24 * 60 * 60)                           # the next day, a new kernel
    second_kernel = Tracker(clock=clock)
    second_kernel.note("01", "start")
    clock.advance(120)
    second_kernel.note("01", "check")
    sittings = record_of()["sittings"]
    assert [s["seconds"] for s in sittings] == [300, 120] and len({s["id"] for s in sittings}) == 2
    assert active_seconds(default_store().load(), "01") == 420
    assert record_of()["first_opened"] == sittings[0]["began"]


def test_two_kernels_on_one_lesson_at_once_each_keep_their_own_sitting(clock):
    a, b = Tracker(clock=clock), Tracker(clock=clock)
    a.note("01", "start")
    b.note("01", "start")
    clock.advance(60)
    a.note("01", "check")
    b.note("01", "check")
    assert sorted(s["seconds"] for s in record_of()["sittings"]) == [60, 60]


def written(module: str = "01") -> dict:
    """What the record file itself holds (``load`` also shows what waits to be written)."""
    import json

    return json.loads(default_store().path.read_text())["modules"][module]


def test_actions_are_written_at_the_first_then_every_few_seconds_and_at_the_end_nothing_is_lost(clock):
    tracker = Tracker(clock=clock, flush_seconds=5)
    tracker.note("01", "start")                           # the first action of a sitting: written at once
    for _ in range(30):                                   # "Run All": 30 cells in 3 seconds
        clock.advance(0.1)
        tracker.note("01", CELL)
    assert written()["sittings"][0]["actions"] == 1       # not yet in the file...
    assert record_of()["sittings"][0]["actions"] == 31    # ...but every view of the record sees them
    clock.advance(5)
    tracker.note("01", CELL)                              # five seconds later: written
    assert written()["sittings"][0]["actions"] == 32
    clock.advance(1)
    tracker.note("01", "check")
    tracker.flush()                                       # at kernel exit
    assert written()["sittings"][0]["actions"] == 33
    assert written()["sittings"][0]["seconds"] == pytest.approx(9.0)


def test_a_widget_action_travels_with_the_change_it_comes_with(clock):
    tracker = Tracker(clock=clock, flush_seconds=5)
    tracker.note("01", "start")
    clock.advance(2)
    tracker.note("01", "check")                           # queued, not written on its own
    assert written()["sittings"][0]["actions"] == 1
    default_store().record_attempt("01", "ev-definition", "x", True)   # the answer this "Check" records
    assert written()["sittings"][0]["actions"] == 2 and written()["sittings"][0]["seconds"] == 2


def test_an_action_without_a_module_counts_for_the_lesson_started_last(clock):
    tracker = Tracker(clock=clock)
    tracker.note(None, "dossier-check")                  # nothing started: nothing to count
    assert default_store().load()["modules"] == {}
    tracker.start("02")
    clock.advance(40)
    tracker.note(None, "dossier-check")
    assert active_seconds(default_store().load(), "02") == 40


def test_recording_time_never_stops_a_lesson(clock, tmp_path):
    def broken_store() -> ProgressStore:
        raise RuntimeError("the disk is on fire")
    tracker = Tracker(store=broken_store, clock=clock)
    tracker.note("01", "check")                          # no exception reaches the learner
    assert isinstance(tracker.last_error, RuntimeError)
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    quiet = Tracker(store=lambda: ProgressStore(blocked / "progress.json", quiet=True), clock=clock)
    quiet.note("01", "check")
    clock.advance(10)
    quiet.note("01", "check")                            # kept in memory: the home cannot be written
    assert quiet.last_error is None
    assert active_seconds(ProgressStore(blocked / "progress.json", notify=lambda _: None).load(), "01") == 10


def test_a_widget_action_tells_the_modules_finish_view_and_cell_runs_do_not(clock):
    tracker = Tracker(clock=clock)
    calls = []
    tracker.on_action("01", lambda: calls.append("01"))
    tracker.note("01", "check")
    tracker.note("01", CELL)
    tracker.note("02", "check")
    assert calls == ["01"]


def test_start_registers_the_ipython_cell_events_once_and_each_cell_run_is_an_action(clock):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    tracker = Tracker(clock=clock, flush_seconds=0)
    try:
        tracker.start("01")
        tracker.start("01")                               # a second start: still one pair of callbacks
        clock.advance(12)
        shell.run_cell("x = 1")                           # pre_run_cell and post_run_cell
        assert record_of()["sittings"][0]["actions"] == 4   # two starts, two cell events
        assert active_seconds(default_store().load(), "01") == 12
    finally:
        tracker.stop_watching()
        InteractiveShell.clear_instance()


def test_the_time_rule_is_stated_from_the_syllabus_for_the_start_page_and_the_record():
    cap = load_syllabus().record.gap_cap_minutes
    assert f"never more than {cap:g} minutes for one gap" in time_rule()
    assert "sitting" in time_rule() and "does not count" in time_rule()


# ---------------------------------------------------------------- the syllabus settings, validated
def syllabus_with(change) -> dict:
    import copy

    from course._yaml import read_yaml

    data = copy.deepcopy(read_yaml(_syllabus.SYLLABUS_FILE))
    change(data)
    return data


@pytest.mark.parametrize("change,message", [
    (lambda d: d.pop("record"), "add a `record:` section"),
    (lambda d: d["record"].__setitem__("gap_cap_minutes", 0), "gap_cap_minutes must be a number of minutes"),
    (lambda d: d["record"].__setitem__("gap_cap_minutes", "ten"), "gap_cap_minutes"),
    (lambda d: d["record"]["completion"].__setitem__("active_share", 1.5), "active_share must be a fraction"),
    (lambda d: d["record"]["completion"].__setitem__("reflection", "yes"), "`reflection` must be true or false"),
    (lambda d: d["modules"][1].__setitem__("completion", {"quizzes": True}), "unknown setting"),
])
def test_a_mistake_in_the_record_settings_is_an_authoring_error_naming_the_fix(change, message):
    from course._errors import ContentError

    with pytest.raises(ContentError, match=message) as info:
        _syllabus.parse_syllabus(syllabus_with(change))
    assert "syllabus.yml" in str(info.value) and "Fix:" in str(info.value)


def test_a_module_overrides_only_the_parts_of_the_completion_rule_it_names():
    syllabus = load_syllabus()
    default, start_page = syllabus.record.completion, syllabus.module("00").completion
    assert not start_page.reflection
    assert (start_page.self_checks, start_page.active_share) == (default.self_checks, default.active_share)
