"""Property-based round trips of every entry and record kind (write -> read is the
identity), and every exit code the README documents, each by a real command."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from p2p import entries, errors, records
from p2p.ids import new_entry_id
from p2p.store import yamlio

# Text a person may type: any printable character, including RTL marks, emoji and
# YAML's specials (':', '#', '&', '*', '!', quotes, leading spaces are trimmed by the CLI).
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(
    lambda t: t == t.strip())
idents = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=dt.timezone.utc))
ids = moments.map(new_entry_id)
numbers = st.one_of(st.integers(0, 10**6), st.floats(0, 10**6, allow_nan=False, allow_infinity=False).map(
    lambda x: round(x, 3)))
days = st.dates(dt.date(2020, 1, 1), dt.date(2035, 1, 1))


def head(draw):
    return {"id": draw(ids), "at": draw(moments), "by": draw(idents)}


@st.composite
def any_entry(draw):
    base = {**head(draw), "challenge": draw(idents)}
    kind = draw(st.sampled_from(entries.KINDS))
    if kind == "submission":
        return entries.Submission(**base, link=draw(st.none() | texts), notes=draw(st.none() | texts),
                                  tags=tuple(draw(st.lists(idents, max_size=3))), metric=draw(st.none() | numbers),
                                  team=draw(st.none() | idents), partner=draw(st.none() | idents))
    if kind == "rating":
        return entries.Rating(**base, submission=draw(ids), person=draw(idents),
                              scores=draw(st.dictionaries(idents, st.integers(1, 5), min_size=1, max_size=4)),
                              comment=draw(st.none() | texts))
    if kind == "vote":
        return entries.Vote(**base, submission=draw(ids), person=draw(idents), award=draw(idents))
    if kind == "feedback":
        return entries.Feedback(**base, rating=draw(ids), helpful=draw(st.integers(1, 5)))
    if kind == "assignment":
        pairs = tuple(draw(st.lists(st.tuples(idents, idents), max_size=4)))
        return entries.Assignment(**base, pairs=pairs, reviewers=draw(st.integers(1, 5)), seed=draw(st.integers(0, 99)))
    if kind == "feature":
        return entries.Feature(**base, submission=draw(ids), person=draw(idents), note=draw(st.none() | texts),
                               featured=draw(st.booleans()))
    slots = draw(st.lists(st.none() | idents, min_size=4, max_size=4))
    return entries.Bracket(**base, seed=draw(st.integers(0, 99)), slots=tuple(slots),
                           seeds={p: i for i, p in enumerate(sorted({s for s in slots if s}), 1)},
                           previous=draw(st.none() | idents))


@st.composite
def any_record(draw):
    base = head(draw)
    kind = draw(st.sampled_from(records.KINDS))
    if kind == "action":
        return records.Action(**base, person=draw(idents), text=draw(texts), due=draw(st.none() | days),
                              challenge=draw(st.none() | idents), clinic=draw(st.none() | ids),
                              suggestion=draw(st.none() | ids))
    if kind == "done":
        return records.Done(**base, action=draw(ids))
    if kind == "activity":
        week = draw(days)
        counts = draw(st.dictionaries(st.sampled_from(records.ACTIVITY_COUNTS), numbers.map(float), min_size=1))
        return records.Activity(**base, week=records.week_of(week), counts=counts)
    if kind == "outcomes":
        rows = draw(st.lists(st.builds(
            records.Outcome, idents, st.sampled_from(["2026-01", "2026-12", "2025-Q4"]),
            st.none() | st.floats(0, 1).map(lambda x: round(x, 4)), st.none() | numbers.map(float),
            st.none() | numbers.map(float)), max_size=3))
        return records.Outcomes(**base, source=draw(texts), rows=tuple(rows))
    if kind == "pairing":
        return records.Pairing(**base, skill=draw(idents), seed=draw(st.integers(0, 99)),
                               pairs=tuple(draw(st.lists(st.tuples(idents, idents), max_size=3))))
    if kind == "clinic":
        return records.Clinic(**base, title=draw(texts), notes=draw(st.none() | texts), follow_up=draw(days))
    if kind == "suggestion":
        return records.Suggestion(**base, clinic=draw(ids), text=draw(texts))
    return records.ClinicClose(**base, clinic=draw(ids), outcome=draw(st.sampled_from(records.OUTCOMES)),
                               notes=draw(st.none() | texts))


@settings(max_examples=300, deadline=None)
@given(any_entry())
def test_every_entry_kind_reads_back_exactly_as_written(entry):
    text = yamlio.dumps(entry.to_doc())
    assert entries.parse_entry(yamlio.loads(text)) == entry


@settings(max_examples=300, deadline=None)
@given(any_record())
def test_every_record_kind_reads_back_exactly_as_written(record):
    text = yamlio.dumps(record.to_doc())
    back = records.parse_record(yamlio.loads(text))
    if isinstance(record, records.Activity):  # counts are stored as plain numbers
        assert back.counts == {k: float(v) for k, v in record.counts.items()}
        record = back.__class__(**{**record.__dict__, "counts": back.counts})
    assert back == record


# -- exit codes ----------------------------------------------------------------------------
def test_exit_codes_are_named_in_one_place():
    assert (errors.EXIT_OK, errors.EXIT_INVALID, errors.EXIT_USAGE, errors.EXIT_NOT_PUSHED, errors.EXIT_INTERNAL) == \
        (0, 1, 2, 3, 70)


def test_exit_0_on_success_and_1_on_invalid_input(p2p):
    assert p2p("leaderboard", "pitch").exit_code == errors.EXIT_OK
    assert p2p("leaderboard", "nope", expect=errors.EXIT_INVALID).exit_code == 1


def test_exit_2_on_a_malformed_command_line(p2p):
    assert p2p("leaderboard", "--no-such-option", expect=errors.EXIT_USAGE).exit_code == 2


def test_exit_3_when_the_write_is_recorded_but_the_remote_is_unreachable(p2p, tmp_path):
    subprocess.run(["git", "-C", str(p2p.root), "remote", "add", "origin", str(tmp_path / "gone.git")], check=True)
    result = p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava", expect=errors.EXIT_NOT_PUSHED)
    assert "recorded submission" in result.stdout and "p2p sync" in result.stderr


def test_exit_70_on_an_internal_error_with_one_line_and_the_traceback_only_with_p2p_debug(p2p, monkeypatch):
    from click.testing import CliRunner

    from p2p import reports
    from p2p.cli import cli

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(reports, "leaderboard_doc", broken)
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "leaderboard", "pitch", "--format", "json"])
    assert result.exit_code == errors.EXIT_INTERNAL == 70
    assert json.loads(result.stdout) == {"error": {"code": "internal", "message": result.stderr[7:].strip()}}
    assert result.stderr.startswith("error: internal error (RuntimeError: simulated bug)") and "Traceback" not in result.output
    monkeypatch.setenv("P2P_DEBUG", "1")
    debug = CliRunner().invoke(cli, ["--store", str(p2p.root), "leaderboard", "pitch"])
    assert isinstance(debug.exception, RuntimeError)


def test_check_and_audit_exit_1_on_problems(p2p):
    bad = p2p.root / "people" / "zed.yaml"
    bad.write_text("id: zed\n")
    proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(p2p.root), "check"], capture_output=True, text=True)
    assert proc.returncode == errors.EXIT_INVALID and "people/zed.yaml" in proc.stdout
