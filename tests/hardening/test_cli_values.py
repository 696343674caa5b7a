"""Hardening: every free-text or id value a user types on the command line is either
refused (exit 1 or 2, one line naming the option or argument, store unchanged) or
accepted and stored exactly as typed; and `--format json` always prints exactly one
JSON document on stdout, on success and on error.

Each case runs on its own copy of one template store (built once per module), so a
case costs a copy and a command instead of a fresh `p2p init` plus eight commits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from conftest import P2P, git, scores, store_state
from p2p.cli import cli

URL = "https://v.example/ava.mp4"
DATES = ["--opens", "2026-11-09", "--closes", "2026-11-15"]
PERSON = ["--name", "Zed", "--email", "zed@example.com", "--role", "ae", "--team", "east"]

# The values every field gets. MISSING is the option given with no value after it (the
# last word of the command line), or the argument left out.
MISSING = object()
VALUES: dict[str, Any] = {
    "missing": MISSING,
    "empty": "",
    "whitespace": " \t ",
    "overlong-1mb": "x" * (1 << 20),
    # Under Linux's 128 KiB limit for one argument, so a real shell can pass it; p2p's
    # YAML writes each astral character as a 10-byte \U escape: a 300 KB file.
    "overlong-30k-emoji": "\U0001F680" * 30_000,
    "nul": "a\x00b",
    "esc": "a\x1b[31mred",
    "bel": "a\x07b",
    "rtl-override": "abc\u202edcba",
    "emoji": "\U0001F680 deal \U0001F44D",
    "dotdot": "../x",
    "etc-passwd": "/etc/passwd",
    "con": "CON",
    "slash": "a/b",
}
CONTROL = ("nul", "esc", "bel")
PATHLIKE = ("dotdot", "etc-passwd", "con", "slash")
PRINTABLE = ("rtl-override", "emoji", *PATHLIKE)


# -- the template store --------------------------------------------------------------------
@pytest.fixture
def store(template: Path, tmp_path: Path) -> P2P:
    root = tmp_path / "store"
    shutil.copytree(template, root, symlinks=True)
    return P2P(root)


# -- the fields --------------------------------------------------------------------------------
def opt(name: str, value: Any) -> list[str]:
    """`--name value`, or a bare `--name` (to go last) when the value is missing."""
    return [name] if value is MISSING else [name, value]


def arg(value: Any) -> list[str]:
    return [] if value is MISSING else [value]


def entry_value(key: str, wrap: Callable[[Any], Any] = lambda v: v) -> Callable[[P2P, dict], list[Any]]:
    """Reads `key` back from the written entry (or record): the JSON report and the file."""
    def read(p2p: P2P, out: dict) -> list[Any]:
        written = out.get("entry") or out.get("record")
        on_disk = yaml.safe_load((p2p.root / out["path"]).read_text(encoding="utf-8"))
        return [wrap(written.get(key)), wrap(on_disk.get(key))]
    return read


def person_name(p2p: P2P, out: dict) -> list[Any]:
    assert out["created"] == ["zed"], out
    on_disk = yaml.safe_load((p2p.root / "people" / "zed.yaml").read_text(encoding="utf-8"))
    shown = json.loads(p2p("people", "show", "zed", "--format", "json").stdout)
    return [on_disk["name"], shown["name"]]


def challenge_title(p2p: P2P, out: dict) -> list[Any]:
    assert out["created"] == ["q1"], out
    on_disk = yaml.safe_load((p2p.root / "challenges" / "q1.yaml").read_text(encoding="utf-8"))
    shown = json.loads(p2p("challenge", "show", "q1", "--format", "json").stdout)
    return [on_disk["title"], shown["title"]]


# field id -> (argv builder, acting person, word the refusal must name, read-back or None)
FIELDS: dict[str, tuple[Callable[[Any], list[str]], str | None, str, Any]] = {
    "submit--link": (lambda v: ["submit", "pitch", *opt("--link", v)], "ben", "--link", None),  # URLs only
    "submit--notes": (lambda v: ["submit", "pitch", "--link", URL, *opt("--notes", v)], "ben", "--notes",
                      entry_value("notes")),
    "submit--tag": (lambda v: ["submit", "pitch", "--link", URL, *opt("--tag", v)], "ben", "--tag",
                    entry_value("tags", lambda tags: tags[0] if tags and len(tags) == 1 else tags)),
    "rate--comment": (lambda v: ["rate", "pitch", "ava", *scores(4), *opt("--comment", v)], "ben", "--comment",
                      entry_value("comment")),
    "rate--score": (lambda v: ["rate", "pitch", "ava", *scores(4)[:-2],
                               *(["--score"] if v is MISSING else ["--score", f"call-to-action={v}"])],
                    "ben", "--score", None),
    "people-add-ID": (lambda v: ["people", "add", *arg(v), *PERSON], None, "id", None),
    "people-add--name": (lambda v: ["people", "add", "zed", *PERSON[2:], *opt("--name", v)], None, "name",
                         person_name),
    "people-add--email": (lambda v: ["people", "add", "zed", *PERSON[:2], *PERSON[4:], *opt("--email", v)], None,
                          "email", None),
    "people-add--team": (lambda v: ["people", "add", "zed", *PERSON[:6], *opt("--team", v)], None, "team", None),
    "challenge-new-SLUG": (lambda v: ["challenge", "new", *arg(v), "--type", "pitch-battle", "--title", "T", *DATES],
                           None, "slug", None),
    "challenge-new--title": (lambda v: ["challenge", "new", "q1", "--type", "pitch-battle", *DATES,
                                        *opt("--title", v)], None, "title", challenge_title),
    "action-add-PERSON": (lambda v: ["action", "add", *arg(v), *([] if v is MISSING else ["Open with the KPI"])],
                          "mia", "person", None),
    "action-add-TEXT": (lambda v: ["action", "add", "ava", *arg(v)], "mia", "text", entry_value("text")),
    "clinic-open-TITLE": (lambda v: ["clinic", "open", *arg(v)], "ava", "title", entry_value("title")),
    "feature--note": (lambda v: ["feature", "pitch", "ava", *opt("--note", v)], "mia", "--note",
                      entry_value("note")),
    "activity-log--week": (lambda v: ["activity", "log", "--calls", "3", *opt("--week", v)], "ava", "--week", None),
}

# Values each field stores as typed; every other value must be refused.
ACCEPTED = {
    "submit--notes": ("empty", "whitespace", *PRINTABLE),
    "submit--tag": PRINTABLE,
    "rate--comment": ("empty", "whitespace", *PRINTABLE),
    "people-add--name": PRINTABLE,
    "challenge-new--title": PRINTABLE,
    "action-add-TEXT": PRINTABLE,
    "clinic-open-TITLE": PRINTABLE,
    "feature--note": ("empty", *PRINTABLE),  # a tab is a control character in this one-line field
}
ARGUMENTS = ("people-add-ID", "challenge-new-SLUG", "action-add-PERSON", "action-add-TEXT", "clinic-open-TITLE")


def cases() -> list[Any]:
    params = []
    for field in FIELDS:
        for name, value in VALUES.items():
            params.append(pytest.param(field, name, value, id=f"{field}-{name}"))
    return params


def assert_refused(p2p: P2P, argv: list[str], as_: str | None, word: str, codes: tuple[int, ...]) -> str:
    """Refused: exit 1 (or 2 for a malformed command line), exactly one non-empty
    line on stderr naming the field, nothing on stdout, and the store unchanged."""
    before = store_state(p2p.root)
    result = p2p.runner.invoke(cli, ["--store", str(p2p.root), *(["--as", as_] if as_ else []), *argv])
    assert "Traceback" not in result.output
    assert result.exit_code in codes, (result.exit_code, result.output[:500])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr[:1000]
    assert lines[0].lower().startswith("error: "), lines[0][:300]
    assert word.lower() in lines[0].lower(), lines[0][:300]
    assert result.stdout == ""
    assert store_state(p2p.root) == before
    return lines[0]


@pytest.mark.parametrize("field, name, value", cases())
def test_a_typed_value_is_refused_naming_its_field_or_stored_exactly(store, field, name, value):
    build, as_, word, read_back = FIELDS[field]
    argv = build(value)
    if name in ACCEPTED.get(field, ()):
        head = git(store.root, "rev-parse", "HEAD")
        out = json.loads(store(*argv, "--format", "json", as_=as_).stdout)
        assert git(store.root, "rev-list", "--count", f"{head}..HEAD") == "1"  # exactly one new commit
        assert git(store.root, "status", "--porcelain") == ""
        assert read_back(store, out) == [value, value]
    elif name == "missing":
        assert_refused(store, argv, as_, word.lstrip("-") if field in ARGUMENTS else word, codes=(2,))
    else:
        assert_refused(store, argv, as_, word, codes=(1,))


@pytest.mark.parametrize("argv, as_, option", [
    pytest.param(["people", "add", "zed", *PERSON[2:]], None, "--name", id="people-add-without--name"),
    pytest.param(["people", "add", "zed", *PERSON[:2], *PERSON[4:]], None, "--email", id="people-add-without--email"),
    pytest.param(["people", "add", "zed", *PERSON[:6]], None, "--team", id="people-add-without--team"),
    pytest.param(["challenge", "new", "q1", "--type", "pitch-battle", *DATES], None, "--title",
                 id="challenge-new-without--title"),
    pytest.param(["rate", "pitch", "ava", "--comment", "ok"], "ben", "--score", id="rate-without--score"),
])
def test_a_required_option_left_out_is_one_error_line_naming_it(store, argv, as_, option):
    assert_refused(store, argv, as_, option, codes=(2,))


# -- JSON mode: exactly one document on stdout -----------------------------------------------
READS_OK = {
    "people-list": ["people", "list"],
    "people-show": ["people", "show", "ava"],
    "types": ["types"],
    "challenge-list": ["challenge", "list"],
    "challenge-show": ["challenge", "show", "pitch"],
    "leaderboard-challenge": ["leaderboard", "pitch"],
    "leaderboard-season": ["leaderboard"],
    "leaderboard-reviewers": ["leaderboard", "pitch", "--reviewers"],
    "explain": ["explain", "pitch", "ava"],
    "badges": ["badges"],
    "check": ["check"],
    "action-list": ["action", "list"],
    "clinic-list": ["clinic", "list"],
}
READS_ERR = {
    "people-show-unknown": (["people", "show", "nobody"], "nobody"),
    "challenge-show-unknown": (["challenge", "show", "nope"], "nope"),
    "leaderboard-unknown": (["leaderboard", "nope"], "nope"),
    "explain-unknown-person": (["explain", "pitch", "nobody"], "nobody"),
    "people-list-bad-revision": (["people", "list", "--at", "no-such-rev"], "no-such-rev"),
    "badges-unknown-person": (["badges", "nobody"], "nobody"),
}
WRITES_OK = {
    "submit": (["submit", "pitch", "--link", URL], "ben", "entry"),
    "rate": (["rate", "pitch", "ava", *scores(4)], "ben", "entry"),
    "vote": (["vote", "pitch", "ava"], "ben", "entry"),
    "feature": (["feature", "pitch", "ava", "--note", "Copy this"], "mia", "entry"),
    "people-add": (["people", "add", "zed", *PERSON], None, "created"),
    "challenge-new": (["challenge", "new", "q1", "--type", "pitch-battle", "--title", "Q1", *DATES], None, "created"),
    "challenge-close": (["challenge", "close", "pitch"], None, "updated"),
    "action-add": (["action", "add", "ava", "Open with the KPI"], "mia", "record"),
    "clinic-open": (["clinic", "open", "Acme stuck in legal"], "ava", "record"),
    "activity-log": (["activity", "log", "--calls", "3"], "ava", "record"),
}
WRITES_ERR = {
    "submit-unknown-challenge": (["submit", "nope", "--link", URL], "ben", "nope"),
    "rate-self": (["rate", "pitch", "ava", *scores(4)], "ava", "ava"),
    "vote-self": (["vote", "pitch", "ava"], "ava", "ava"),
    "feature-not-a-manager": (["feature", "pitch", "ava"], "ben", "manager"),
    "people-add-bad-id": (["people", "add", "Zed!", *PERSON], None, "id"),
    "people-add-existing": (["people", "add", "ava", *PERSON[:2], "--email", "ava@example.com", *PERSON[4:]], None,
                            "--update"),
    "challenge-new-unknown-type": (["challenge", "new", "q1", "--type", "nope", "--title", "Q1", *DATES], None,
                                   "nope"),
    "action-add-unknown-person": (["action", "add", "nobody", "Do it"], "mia", "nobody"),
    "clinic-open-empty-title": (["clinic", "open", ""], "ava", "title"),
    "activity-log-bad-week": (["activity", "log", "--week", "2026-W99", "--calls", "3"], "ava", "--week"),
    "unknown-actor": (["submit", "pitch", "--link", URL], "nobody", "nobody"),
}


def one_json_document(stdout: str) -> Any:
    assert stdout.count("\n") == 1 and stdout.endswith("\n"), stdout[:500]  # one line: nothing else printed
    return json.loads(stdout)


@pytest.mark.parametrize("argv", list(READS_OK.values()), ids=list(READS_OK))
def test_a_read_in_json_mode_prints_one_json_document(store, argv):
    result = store(*argv, "--format", "json")
    doc = one_json_document(result.stdout)
    assert isinstance(doc, dict) and "error" not in doc


@pytest.mark.parametrize("argv, as_, key", list(WRITES_OK.values()), ids=list(WRITES_OK))
def test_a_write_in_json_mode_prints_one_json_document(store, argv, as_, key):
    result = store(*argv, "--format", "json", as_=as_)
    doc = one_json_document(result.stdout)
    assert doc[key] and doc.get("commit")
    assert doc["commit"] == git(store.root, "rev-parse", "HEAD")


ERRORS = {**{name: (argv, None, word) for name, (argv, word) in READS_ERR.items()}, **WRITES_ERR}


@pytest.mark.parametrize("argv, as_, word", list(ERRORS.values()), ids=list(ERRORS))
def test_an_error_in_json_mode_is_one_error_document_and_the_message_on_stderr(store, argv, as_, word):
    before = store_state(store.root)
    result = store(*argv, "--format", "json", as_=as_, expect=1)  # expect=1: one `error:` line on stderr
    doc = one_json_document(result.stdout)
    assert list(doc) == ["error"] and set(doc["error"]) == {"code", "message"}
    assert isinstance(doc["error"]["code"], str) and doc["error"]["code"]
    assert result.stderr.strip() == f"error: {doc['error']['message']}"
    assert word.lower() in doc["error"]["message"].lower()
    assert store_state(store.root) == before


def test_p2p_format_json_from_the_environment_also_gives_one_error_document(store, monkeypatch):
    monkeypatch.setenv("P2P_FORMAT", "json")
    result = store("people", "show", "nobody", expect=1)
    assert one_json_document(result.stdout)["error"]["code"] == "not-found"
    assert one_json_document(store("people", "show", "ava").stdout)["id"] == "ava"


@pytest.mark.parametrize("argv", [
    pytest.param(["people", "add", "--format", "json"], id="missing-argument"),
    pytest.param(["leaderboard", "pitch", "--format", "json", "--bogus"], id="unknown-option"),
    pytest.param(["challenge", "list", "--format", "json", "--state", "nope"], id="bad-choice"),
])
def test_a_usage_error_in_json_mode_still_prints_one_error_document(store, argv):
    result = store.runner.invoke(cli, ["--store", str(store.root), *argv])
    assert result.exit_code == 2
    assert "error" in one_json_document(result.stdout)
