"""Challenge set-up: new, apply (idempotent, all-or-nothing), list, show, close, and
the built-in types."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import dedent, git, scores


def commits(p2p) -> int:
    return int(git(p2p.root, "rev-list", "--count", "HEAD"))


def test_new_materialises_the_type_and_show_json_has_the_rubric_contract(p2p):
    doc = json.loads(p2p("challenge", "show", "pitch", "--format", "json").stdout)
    assert doc["mode"] == "rubric" and doc["type"] == "pitch-battle" and doc["state"] == "open"
    assert doc["rubric"]["scale"] == {"min": 1, "max": 5}
    assert [c["id"] for c in doc["rubric"]["criteria"]] == ["opening", "value-proposition", "proof", "call-to-action"]
    assert all({"id", "name", "weight"} <= set(c) for c in doc["rubric"]["criteria"])
    stored = (p2p.root / "challenges" / "pitch.yaml").read_text()
    assert "value-proposition" in stored  # the rubric is copied, so the store is self-contained
    assert git(p2p.root, "log", "-1", "--format=%an|%s") == "Sales Ops|p2p: new challenge pitch"


def test_new_again_with_the_same_options_changes_nothing_and_different_ones_are_refused(p2p):
    before = commits(p2p)
    args = ["challenge", "new", "pitch", "--type", "pitch-battle", "--title", "Pitch", "--opens", "2026-11-09",
            "--closes", "2026-11-15", "--review-closes", "2026-11-18"]
    assert "unchanged: challenge pitch" in p2p(*args).stdout
    assert commits(p2p) == before
    p2p.refused(*[("Other" if a == "Pitch" else a) for a in args], match="already exists")


@pytest.mark.parametrize("args, match", [
    (["--type", "karaoke"], "challenge type 'karaoke' is not one of"),
    (["--closes", "2026-11-01"], "closes 2026-11-01 is before opens"),
    (["--role", "ceo"], "'ceo' is not one of"),
])
def test_new_refuses_bad_definitions(p2p, args, match):
    base = {"--type": "pitch-battle", "--title": "T", "--opens": "2026-11-09", "--closes": "2026-11-15"}
    for key, value in zip(args[::2], args[1::2]):
        base[key] = value
    p2p.refused("challenge", "new", "fresh", *[x for kv in base.items() for x in kv], match=match)


def test_new_refuses_path_like_slugs(p2p):
    p2p.refused("challenge", "new", "../evil", "--type", "pitch-battle", "--title", "T", "--opens", "2026-11-09",
                "--closes", "2026-11-15", match="not a valid id")


SPEC = dedent("""
    slug: q4-emails
    type: email-personalization
    title: Q4 cold e-mails
    opens: 2026-11-09
    min_ratings: 2
    rubric:
      criteria:
        - {id: research, name: Research, weight: 2}
        - {id: ask, name: The ask, weight: 1}
""")


def test_apply_creates_then_is_idempotent_then_updates(p2p, tmp_path):
    spec = tmp_path / "q4.yaml"
    spec.write_text(SPEC)
    before = commits(p2p)
    out = json.loads(p2p("challenge", "apply", str(spec), "--format", "json").stdout)
    assert out["created"] == ["q4-emails"] and commits(p2p) == before + 1
    doc = json.loads(p2p("challenge", "show", "q4-emails", "--format", "json").stdout)
    assert doc["closes"] == "2026-11-15" and doc["review_closes"] == "2026-11-18"  # type defaults: 7 + 3 days
    assert [c["id"] for c in doc["rubric"]["criteria"]] == ["research", "ask"] and doc["min_ratings"] == 2
    assert "0 created, 0 updated, 1 unchanged" in p2p("challenge", "apply", str(spec)).stdout
    assert commits(p2p) == before + 1
    spec.write_text(SPEC.replace("Q4 cold e-mails", "Q4 e-mails"))
    assert "updated (dry run): challenge q4-emails" in p2p("challenge", "apply", str(tmp_path), "--dry-run").stdout
    assert commits(p2p) == before + 1
    assert "updated: challenge q4-emails" in p2p("challenge", "apply", str(tmp_path)).stdout
    assert commits(p2p) == before + 2


def test_apply_with_one_invalid_spec_changes_nothing(p2p, tmp_path):
    (tmp_path / "a-good.yaml").write_text(SPEC)
    (tmp_path / "b-bad.yaml").write_text(SPEC.replace("q4-emails", "q4-bad").replace("weight: 1", "weight: -1"))
    err = p2p.refused("challenge", "apply", str(tmp_path), match="b-bad.yaml")
    assert "weight must be positive" in err


@pytest.mark.parametrize("text, match", [
    ("slug: x\ntype: pitch-battle\nopens: 2026-11-09\nopens: 2026-11-10\n", "duplicate key 'opens'"),
    ("slug: x\ntype: pitch-battle\nopens: 2026-11-09\nbudget: 5\n", "unknown field 'budget'"),
    ("slug: x\ntype: pitch-battle\nopens: [\n", "invalid YAML"),
    ("!!python/object/apply:os.system ['true']\n", "invalid YAML"),
    ("slug: x\ntype: pitch-battle\ntitle: no\nopens: 2026-11-09\n", "title must be text"),
])
def test_apply_refuses_unsafe_or_invalid_yaml_naming_the_file(p2p, tmp_path, text, match):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    err = p2p.refused("challenge", "apply", str(spec), match=match)
    assert "spec.yaml" in err


def test_list_shows_states_that_follow_the_dates(p2p, tmp_path, monkeypatch):
    specs = tmp_path / "specs"
    specs.mkdir()
    for slug, opens, closes in [("past", "2026-10-01", "2026-10-07"), ("later", "2026-12-01", "2026-12-07"),
                                ("review", "2026-11-01", "2026-11-08")]:
        (specs / f"{slug}.yaml").write_text(f"slug: {slug}\ntype: pitch-battle\nopens: {opens}\ncloses: {closes}\n")
    p2p("challenge", "apply", str(specs))
    doc = json.loads(p2p("challenge", "list", "--format", "json").stdout)
    assert {c["slug"]: c["state"] for c in doc["challenges"]} == {
        "past": "closed", "review": "review", "pitch": "open", "later": "upcoming"}
    assert [c["slug"] for c in json.loads(p2p("challenge", "list", "--state", "open", "--format", "json").stdout)[
        "challenges"]] == ["pitch"]
    monkeypatch.setenv("P2P_NOW", "2026-11-20T12:00:00Z")  # every challenge closed, in review or upcoming
    assert p2p("challenge", "list", "--state", "open").stdout.strip() == (
        "no open challenges (`p2p challenge list` shows them all)")
    monkeypatch.setenv("P2P_NOW", "2026-11-15T23:59:59Z")
    assert "open" in p2p("challenge", "show", "pitch").stdout  # closes is inclusive of its whole day


def test_list_counts_follow_each_new_entry_and_a_resubmission_counts_once(p2p):
    """The counts are kept with each challenge's entries folder: a new entry, in any
    challenge, must show at once, and each figure equal a read with no caches."""
    def counts():
        rows = json.loads(p2p("challenge", "list", "--format", "json").stdout)["challenges"]
        return {c["slug"]: (c["submissions"], c["ratings"]) for c in rows}

    assert counts() == {"pitch": (0, 0)}
    p2p("submit", "pitch", "--link", "https://v.example/1", as_="ava")
    assert counts() == {"pitch": (1, 0)}
    p2p("submit", "pitch", "--link", "https://v.example/2", as_="ava")
    p2p("rate", "pitch", "ava", *scores(4), as_="ben")
    assert counts() == {"pitch": (1, 1)}
    shutil.rmtree(p2p.root / ".git" / "p2p")
    assert counts() == {"pitch": (1, 1)}


def test_close_is_idempotent(p2p):
    before = commits(p2p)
    assert "updated: challenge pitch" in p2p("challenge", "close", "pitch").stdout
    assert "unchanged: challenge pitch" in p2p("challenge", "close", "pitch").stdout
    assert commits(p2p) == before + 1
    assert json.loads(p2p("challenge", "show", "pitch", "--format", "json").stdout)["state"] == "closed"


def test_types_lists_every_built_in_type_with_its_rubric(p2p):
    doc = json.loads(p2p("types", "--format", "json").stdout)
    names = {t["type"] for t in doc["types"]}
    assert {"pitch-battle", "objection-handling", "deal-dissection", "discovery-duel", "cold-call-sprint",
            "email-personalization", "renewal-pitch-off", "coaching-clinic"} <= names
    by_name = {t["type"]: t for t in doc["types"]}
    assert by_name["objection-handling"]["format"] == "pairs"
    assert by_name["deal-dissection"]["format"] == "team"
    assert by_name["discovery-duel"]["mode"] == "metric"
    assert by_name["cold-call-sprint"]["duration_days"] == 1
    assert by_name["coaching-clinic"]["roles"] == ["manager"]
    for kind in doc["types"]:
        assert kind["rubric"]["criteria"] and all(c["levels"] for c in kind["rubric"]["criteria"])
    shown = p2p("types", "show", "pitch-battle").stdout
    assert "Rubric (scale 1-5)" in shown and "Opening hook" in shown
    p2p.refused("types", "show", "karaoke", match="not one of")


def test_the_state_filter_offers_exactly_the_model_states():
    from p2p.commands.challenge import STATES
    from p2p.model import STATES as MODEL_STATES

    assert STATES == MODEL_STATES
