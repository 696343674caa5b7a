"""The leaderboard's scoring tally: folding one more entry gives what folding them all
gives (pure, without git), and the tallies kept under .git/p2p/tallies give the
standings a full read gives, whatever changed in the store since (with git)."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import commit_by_hand, git, scores
from p2p import policies, scoring
from p2p.entries import Assignment, Rating, Vote
from p2p.ids import new_entry_id
from p2p.settings import Settings
from test_scoring import PEOPLE, at, challenge, rate, sub

RATERS = ["ann", "bob", "cat", "dan", "eve", "stranger"]  # a stranger is not in the roster


def entries_from(plan):
    """Submissions, resubmissions, complete and incomplete ratings, votes and an
    assignment, in id order, from a hypothesis plan."""
    entries, current = [], {}
    for step, (who, a, b) in enumerate(plan):
        target = RATERS[(step + a) % 5]
        if a == 1 or target not in current:
            current[target] = sub(target, link=f"https://v.example/{step}", metric=float(b))
            entries.append(current[target])
        elif b == 0:  # incomplete: a criterion missing
            s = current[target]
            entries.append(Rating(id=new_entry_id(at()), at=at(), by=who, challenge="c", submission=s.id,
                                  person=s.by, scores={"a": a}))
        elif a == 5 and b == 5:
            s = current[target]
            entries.append(Vote(id=new_entry_id(at()), at=at(), by=who, challenge="c", submission=s.id, person=s.by))
        else:
            entries.append(rate(who, current[target], a, b))
    pairs = tuple((r, t) for r in RATERS[:5] for t in RATERS[:5] if r != t and (len(r) + len(t)) % 2)
    entries.append(Assignment(id=new_entry_id(at()), at=at(), by="ann", challenge="c", pairs=pairs, reviewers=2, seed=1))
    return entries


PLANS = st.lists(st.tuples(st.sampled_from(RATERS), st.integers(1, 5), st.integers(0, 5)), min_size=1, max_size=40)
CHALLENGES = st.sampled_from([dict(), dict(aggregate="trimmed"), dict(aggregate="calibrated"), dict(aggregate="mean"),
                              dict(assigned_only=True), dict(mode="metric"), dict(mode="votes")])


@settings(max_examples=150, deadline=None)
@given(PLANS, CHALLENGES, st.integers(0, 40))
def test_folding_the_newest_entries_one_by_one_equals_folding_them_all(plan, options, split):
    chal = challenge(**options)
    entries = with_answers_and_partners(entries_from(plan), plan)
    whole = scoring.tally(chal, entries)
    grown = scoring.tally(chal, entries[:split])
    for entry in entries[split:]:
        scoring.fold(grown, chal, entry)
    # equal, and in the same order: the order decides float sums in calibration
    assert [list(part.items()) for part in grown[:3]] == [list(part.items()) for part in whole[:3]]
    assert grown.newest == whole.newest and grown.answers == whole.answers
    scored = scoring.score(grown, chal, PEOPLE, Settings())
    assert scored.rows == scoring.board(chal, entries, PEOPLE, Settings()).rows


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(RATERS), st.floats(1, 5), min_size=1, max_size=6),
       st.sampled_from(policies.POLICIES))
def test_scores_without_the_steps_are_the_scores_with_them(raters, policy):
    matrix = {"ann": raters, "bob": dict(reversed(list(raters.items())))}
    assert policies.scores(policy, matrix) == {unit: a.score for unit, a in policies.aggregate(policy, matrix).items()}


LATE = dt.datetime(2026, 12, 30, 12, tzinfo=dt.timezone.utc)  # past the review: fewer ratings are enough
PARTNERS = {"ann": "bob", "bob": "ann", "cat": "dan", "dan": "cat", "eve": "ann"}  # eve's is not mutual


def with_answers_and_partners(entries, plan, teams=False):
    """`entries` plus feedback answers on some ratings - by the rated person, and by
    someone else, whose answer must not count - comments of any length on some
    ratings, partners named on submissions, and with `teams` each submission's team."""
    from p2p.entries import Feedback, Submission

    out = []
    for entry, (who, a, b) in zip(entries, plan + [("ann", 1, 1)] * len(entries)):
        if isinstance(entry, Submission) and (a % 2 or teams):
            entry = Submission(id=entry.id, at=entry.at, by=entry.by, challenge="c", link=entry.link,
                               metric=entry.metric, partner=PARTNERS[entry.by] if a % 2 else None,
                               team=PEOPLE[entry.by].team if teams else None)
        if isinstance(entry, Rating) and a % 2:
            entry = Rating(id=entry.id, at=entry.at, by=entry.by, challenge="c", submission=entry.submission,
                           person=entry.person, scores=entry.scores, comment="useful, thanks" * b or None)
        out.append(entry)
        if isinstance(entry, Rating) and b % 2:
            answerer = entry.person if a % 2 else who
            out.append(Feedback(id=new_entry_id(at()), at=at(), by=answerer, challenge="c", rating=entry.id,
                                helpful=b))
    return out


@settings(max_examples=150, deadline=None)
@given(PLANS, CHALLENGES, st.sampled_from(["individual", "pairs", "team"]), st.sampled_from([None, LATE]))
def test_a_challenge_played_from_its_tally_is_the_one_played_from_its_entries(plan, options, fmt, now):
    from p2p import game
    from p2p.snapshot import Snapshot

    chal = challenge(format=fmt, **options)
    entries = with_answers_and_partners(entries_from(plan), plan, teams=fmt == "team")
    full = game.play_one(Snapshot("c0", Settings(), PEOPLE, {"c": chal}, entries), chal, now)
    folded = game.play_folded(chal, scoring.tally(chal, entries), PEOPLE, Settings(), now)
    assert folded.board.rows == full.board.rows
    for name in ("accuracy", "helpful", "votes", "given", "helpful_by", "pairs", "comments", "entrants"):
        assert getattr(folded, name) == getattr(full, name), name
    assert list(folded.given) == list(full.given)  # first-appearance order decides season rows' float sums


# -- with git ---------------------------------------------------------------------------


def p2p_json(store, *args):
    """`p2p ARGS --format json` in a process of its own: (document, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(store), *args, "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def board(store, *args):
    return p2p_json(store, "leaderboard", "pitch", *args)


def season(store, *args):
    return p2p_json(store, "leaderboard", *args)


def without_caches(store):
    """The store, for a full read: no tally, no parse cache, nothing kept."""
    shutil.rmtree(store / ".git" / "p2p", ignore_errors=True)
    return store


def uncached(store, *args):
    """The standings from a full read."""
    return board(without_caches(store), *args)


def seeded(p2p):
    for who in ("ava", "ben", "cal"):
        p2p("submit", "pitch", "--link", f"https://v.example/{who}", as_=who)
    for rater, value in (("cal", 4), ("dia", 3), ("eli", 5)):
        p2p("rate", "pitch", "ava", *scores(value), as_=rater)
    p2p("rate", "pitch", "ben", *scores(2), as_="dia")
    board(p2p.root)  # the tally of this tree is kept
    return p2p


def tallies(store):
    return {path.stem for path in (store / ".git" / "p2p" / "tallies").rglob("*.pickle")}


def test_after_one_new_entry_the_tally_grows_without_reading_the_folder(p2p):
    seeded(p2p)
    p2p("rate", "pitch", "ben", *scores(5), as_="eli")
    tree = git(p2p.root, "rev-parse", "HEAD:entries/pitch")
    warm, _ = board(p2p.root)
    assert tree in tallies(p2p.root)
    # the folder itself was not read: the parse cache has no unit for its new tree
    assert not list((p2p.root / ".git" / "p2p" / "cache").rglob(f"{tree}.pickle"))
    assert [(r["person"], r["ratings"]) for r in warm["rows"]][:2] == [("ava", 3), ("ben", 2)]
    assert warm == uncached(p2p.root)[0]


def test_a_grown_tally_is_written_as_the_new_entries_and_reads_back_the_same(p2p):
    from p2p.store.tallies import Grown

    seeded(p2p)
    folder = next((p2p.root / ".git" / "p2p" / "tallies").rglob("pitch"))
    (full,) = folder.glob("*.pickle")
    trees = []
    for rater in ("eli", "ava", "ben"):  # three writes, each read once: a chain of grown tallies
        p2p("rate", "pitch", "cal", *scores(4), as_=rater)
        trees.append(git(p2p.root, "rev-parse", "HEAD:entries/pitch"))
        warm, _ = board(p2p.root)
    stored = pickle.loads((folder / f"{trees[-1]}.pickle").read_bytes())
    assert isinstance(stored, Grown) and stored.base == full.stem
    assert [(e.by, e.person) for e in stored.added] == [("eli", "cal"), ("ava", "cal"), ("ben", "cal")]
    assert board(p2p.root)[0] == warm == uncached(p2p.root)[0]
    assert [r["ratings"] for r in warm["rows"] if r["person"] == "cal"] == [3]


def test_a_whole_store_read_lets_go_of_what_it_parsed_of_the_entries(p2p):
    """Read whole as tallies, each challenge's entries are parsed and let go: neither
    their documents nor the lines the canonical reader remembered of them stay in
    memory, where they would hold on to all the memory the read used."""
    from p2p.store import canonical, loader
    from p2p.store.store import Store

    seeded(p2p)
    blobs = {line.split()[2] for line in git(p2p.root, "ls-tree", "-r", "HEAD", "entries").splitlines()}
    for kept in (loader._parsed, loader._entries, canonical._seen):  # what this process's writes left
        kept.clear()
    snapshot = Store.open(without_caches(p2p.root)).load(folded=True)
    assert [row.person for row in scoring.score(snapshot.tallies["pitch"], snapshot.challenges["pitch"],
                                                snapshot.people, snapshot.settings, None).rows][:2] == ["ava", "ben"]
    assert len(blobs) >= 7 and not blobs & {*loader._parsed, *loader._entries}
    assert not canonical._seen


def test_an_entry_edited_removed_or_older_than_the_tally_is_read_again(p2p):
    seeded(p2p)
    ratings = {path.read_text().count("person: ben"): path for path in (p2p.root / "entries" / "pitch" / "dia").glob("*.yaml")}
    assert len(ratings) == 2
    of_ava = ratings[0]
    path = of_ava.relative_to(p2p.root).as_posix()
    edited = of_ava.read_text().replace(": 3\n", ": 1\n")
    # eli's rating of ava, synced from a clone whose clock ran behind: older than eli's
    # own rating of ava, so it must not count
    older = (of_ava.read_text().replace(of_ava.stem, "01AAAAAAAAAAAAAAAAAAAAAAAA").replace("by: dia", "by: eli")
             .replace(": 3\n", ": 1\n"))
    for change in (lambda: commit_by_hand(p2p, "entries/pitch/eli/01AAAAAAAAAAAAAAAAAAAAAAAA.yaml", older),
                   lambda: commit_by_hand(p2p, path, edited),  # a score changed by hand
                   lambda: commit_by_hand(p2p, path, None)):  # a rating removed
        board(p2p.root)
        change()
        assert board(p2p.root)[0] == uncached(p2p.root)[0]


def test_a_broken_misplaced_or_mended_file_is_reported_as_a_full_read_reports_it(p2p):
    seeded(p2p)
    broken = "entries/pitch/ava/01ZZZZZZZZZZZZZZZZZZZZZZZY.yaml"
    commit_by_hand(p2p, broken, "v: 1\nid: [unclosed\n")
    warm, warned = board(p2p.root)
    assert "1 store files have problems" in warned
    again, warned_again = board(p2p.root)  # the problem is kept with the tally
    assert "1 store files have problems" in warned_again
    assert warm == again == uncached(p2p.root)[0]
    # eli's rating, with the newest id, in ben's folder
    rating = next((p2p.root / "entries" / "pitch" / "eli").glob("*.yaml"))
    moved = rating.read_text().replace(rating.stem, "01ZZZZZZZZZZZZZZZZZZZZZZZZ").replace(": 5\n", ": 1\n")
    commit_by_hand(p2p, "entries/pitch/ben/01ZZZZZZZZZZZZZZZZZZZZZZZZ.yaml", moved)
    warm, warned = board(p2p.root)
    assert "2 store files have problems" in warned
    assert (warm, warned) == uncached(p2p.root)
    board(p2p.root)
    mended = moved.replace("01ZZZZZZZZZZZZZZZZZZZZZZZZ", "01ZZZZZZZZZZZZZZZZZZZZZZZY").replace("by: eli", "by: ava")
    commit_by_hand(p2p, broken, mended.replace("person: ava", "person: ben"))  # ava rates ben
    warm, warned = board(p2p.root)
    assert "1 store files have problems" in warned
    assert (warm, warned) == uncached(p2p.root)


def test_one_new_id_in_two_files_counts_once_as_in_a_full_read(p2p):
    seeded(p2p)
    rating = next((p2p.root / "entries" / "pitch" / "eli").glob("*.yaml"))
    text = rating.read_text().replace(rating.stem, "01ZZZZZZZZZZZZZZZZZZZZZZZZ").replace("person: ava", "person: ben")
    submission = next(line for line in text.splitlines() if line.startswith("submission:"))
    ben = next((p2p.root / "entries" / "pitch" / "ben").glob("*.yaml")).read_text()
    text = text.replace(submission, next(line for line in ben.splitlines() if line.startswith("id:")).replace("id", "submission"))
    for rater in ("eli", "cal"):  # the same id, each in its rater's folder
        target = p2p.root / "entries" / "pitch" / rater / "01ZZZZZZZZZZZZZZZZZZZZZZZZ.yaml"
        target.write_text(text.replace("by: eli", f"by: {rater}"))
        git(p2p.root, "add", str(target))
    git(p2p.root, "commit", "-qm", "two files, one id")
    warm, _ = board(p2p.root)
    assert warm == uncached(p2p.root)[0]


def test_a_changed_rubric_folds_everything_again(p2p):
    seeded(p2p)
    before, _ = board(p2p.root)
    spec = p2p.root / "challenges" / "pitch.yaml"
    text = spec.read_text()
    assert "aggregate" not in text
    commit_by_hand(p2p, "challenges/pitch.yaml", text + "aggregate: mean\n")
    after, _ = board(p2p.root)
    assert after["aggregate"] == "mean" and after != before
    assert after == uncached(p2p.root)[0]


def test_older_revisions_compare_and_since_match_a_full_read(p2p):
    seeded(p2p)
    old = git(p2p.root, "rev-parse", "HEAD~2")
    p2p("rate", "pitch", "ben", *scores(5), as_="eli")
    for args in (("--at", old), ("--since", old), ("--compare", "mean"), ()):
        warm, _ = board(p2p.root, *args)
        assert warm == board(p2p.root, *args)[0] == uncached(p2p.root, *args)[0], args


def test_a_damaged_tally_is_a_miss_and_deleting_them_changes_nothing(p2p):
    seeded(p2p)
    first, _ = board(p2p.root)
    for path in (p2p.root / ".git" / "p2p" / "tallies").rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    assert board(p2p.root)[0] == first
    for path in (p2p.root / ".git" / "p2p" / "tallies").rglob("latest"):
        path.write_text("0" * 40)  # points at a tree that is not there
    p2p("rate", "pitch", "ben", *scores(5), as_="eli")
    assert board(p2p.root)[0] == uncached(p2p.root)[0]


def test_the_season_table_badges_and_stats_from_tallies_are_those_of_a_full_read(demo_store):
    from conftest import DEMO_NOW
    from p2p import insight, reports
    from p2p.fields import parse_timestamp
    from p2p.store.store import Store

    store = Store.open(demo_store)
    now = parse_timestamp(DEMO_NOW, "now")
    full = store.load("HEAD", records=True)
    folded = store.load("HEAD", records=True, folded=True)
    assert full.entries and not folded.entries  # no race in the demo: every challenge is read as a tally
    for by in ("person", "team", "role", "elo"):
        doc = reports.season_doc(folded, None, now, by)
        assert doc["rows"] and doc == reports.season_doc(full, None, now, by), by
    badges = reports.badges_doc(folded, None, None, now)
    assert any(p["badges"] for p in badges["people"]) and badges == reports.badges_doc(full, None, None, now)
    for season in (None, insight.ALL_TIME):
        stats = insight.stats_doc(folded, season, now, with_outcomes=True)
        assert stats == insight.stats_doc(full, season, now, with_outcomes=True), season
    assert stats["sharing"]["people"] and stats["participation"]["overall"]["submitted"]
    assert stats["outcomes"]["people"] and any(p["comments"] for p in stats["sharing"]["people"])


def test_whole_store_reads_warn_of_every_broken_file_as_a_full_read_does(p2p):
    seeded(p2p)
    commit_by_hand(p2p, "entries/pitch/ava/01AAAAAAAAAAAAAAAAAAAAAAAA.yaml", "id: [\n")
    commit_by_hand(p2p, "people/zed.yaml", "id: zed\n")  # no name, email or role
    commit_by_hand(p2p, "entries/ghost/ava/01AAAAAAAAAAAAAAAAAAAAAAAB.yaml", "id: [\n")  # no such challenge
    for args in (("leaderboard",), ("badges",), ("stats",)):
        for _ in range(2):  # cold, then from what was kept
            _, warned = p2p_json(p2p.root, *args)
            assert warned.count("3 store files have problems") == 1, (args, warned)
    cold, _ = season(p2p.root)
    assert [r["person"] for r in cold["rows"]][:1] == ["ava"] and cold == season(without_caches(p2p.root))[0]


def test_nothing_is_kept_while_p2p_yaml_has_a_problem(p2p, tmp_path, monkeypatch):
    """An unknown time zone makes p2p.yaml fall back to default settings, roles too,
    so a result kept then would be wrong once the zone is known (tzdata upgraded, or
    caches restored on another machine), under the same p2p.yaml blob."""
    import zoneinfo

    source = next((Path(d) / "UTC" for d in zoneinfo.TZPATH if (Path(d) / "UTC").is_file()), None)
    if source is None:
        pytest.skip("no zone files on this machine")
    zones = tmp_path / "zones"
    (zones / "Review").mkdir(parents=True)
    shutil.copy(source, zones / "Review" / "Zone")
    seeded(p2p)
    config = (p2p.root / "p2p.yaml").read_text()
    assert "timezone: UTC\n" in config and "- manager\n" in config
    commit_by_hand(p2p, "p2p.yaml", config.replace("timezone: UTC", "timezone: Review/Zone").replace(
        "- manager\n", "- manager\n- bdr\n"))
    commit_by_hand(p2p, "people/zed.yaml", "id: zed\nname: Zed\nemail: zed@example.com\nrole: bdr\nteam: east\n")
    monkeypatch.setenv("PYTHONTZPATH", str(zones))  # read when zoneinfo is imported: in a new process
    subprocess.run([sys.executable, "-m", "p2p", "--store", str(p2p.root), "--as", "zed", "rate", "pitch", "ava",
                    *scores(1)], check=True, capture_output=True, timeout=120)  # counts if bdr is a role
    monkeypatch.delenv("PYTHONTZPATH")
    unknown, warned = season(p2p.root)  # p2p.yaml falls back to defaults: zed is left out
    assert "store files have problems" in warned
    monkeypatch.setenv("PYTHONTZPATH", str(zones))
    known, _ = season(p2p.root)
    assert known != unknown and known == season(without_caches(p2p.root))[0]
    monkeypatch.delenv("PYTHONTZPATH")
    assert season(p2p.root)[0] == unknown


def test_kept_results_and_problems_are_pruned_to_the_newest_even_when_written_at_once(tmp_path):
    from p2p.store.tallies import KEEP_PER_CHALLENGE, KEEP_RESULTS

    script = ("import sys\nfrom pathlib import Path\nfrom p2p.store.tallies import TallyCache\n"
              "cache = TallyCache(Path(sys.argv[1]))\n"
              "for n in range(6):\n"
              "    cache.recall('c', 'played', f'{sys.argv[2]}{n}', lambda: {'n': n})\n"
              "    cache.put_problems('c', f'{sys.argv[2]}{n}', [])\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), f"w{i}-"]) for i in range(8)]
    assert all(proc.wait(timeout=120) == 0 for proc in procs)
    folder = next(tmp_path.rglob("c"))
    assert len(list(folder.glob("played-*.pickle"))) == KEEP_RESULTS
    assert len(list(folder.glob("problems-*.pickle"))) == KEEP_PER_CHALLENGE


def test_a_kept_season_result_is_used_only_while_nothing_it_depends_on_changed(p2p, monkeypatch):
    seeded(p2p)  # ava is rated 4, 3, 5 and ben 2: ben is pending
    p2p("submit", "pitch", "--link", "https://v.example/eli", as_="eli")
    p2p("rate", "pitch", "eli", *scores(2), as_="ava")  # one rating: eli is ranked only when fewer are enough
    for rater in ("eli", "ava"):
        p2p("rate", "pitch", "ben", *scores(4), as_=rater)  # ben: 2, 4, 4: median 4, mean 3.33
    p2p("rate", "pitch", "ava", *scores(1), as_="mia")  # ava: 4, 3, 5 (median 4, mean 4), and mia's 1

    def fresh(*args):  # the same store, read without any cache
        copy = p2p.root.parent / "fresh"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(p2p.root, copy)
        shutil.rmtree(copy / ".git" / "p2p")
        return season(copy, *args)[0]

    first, _ = season(p2p.root)
    assert season(p2p.root)[0] == first == fresh()
    # the season table keeps what the challenge adds to each person's points (game.contributions)
    assert len(list((p2p.root / ".git" / "p2p" / "tallies").rglob("points-*.pickle"))) == 1
    config = (p2p.root / "p2p.yaml").read_text()
    assert "aggregate: median" in config
    steps = [
        # her rating no longer counts
        ("a rater left the roster", lambda: commit_by_hand(p2p, "people/mia.yaml", None), ()),
        ("a person renamed", lambda: commit_by_hand(p2p, "people/ava.yaml", (p2p.root / "people" / "ava.yaml")
                                                     .read_text().replace("name: Ava", "name: Ava B")), ()),
        ("the store's policy",
         lambda: commit_by_hand(p2p, "p2p.yaml", config.replace("aggregate: median", "aggregate: mean")), ()),
        ("an entry added", lambda: p2p("rate", "pitch", "cal", *scores(5), as_="dia"), ()),
        ("a policy asked for", lambda: None, ("--aggregate", "median")),
        ("past the review, one rating is enough", lambda: monkeypatch.setenv("P2P_NOW", "2026-12-20T12:00:00Z"), ()),
    ]
    before = first
    for step, change, args in steps:
        change()
        after = season(p2p.root, *args)[0]
        assert after != before and after == fresh(*args), step
        before = after


def test_a_tally_holds_one_object_per_score_value_so_pickle_writes_each_once():
    """16,000 ratings on a 1-5 rubric repeat ~500 values; shared, a tally unpickles in
    half the time. Sharing never changes a value's type."""
    chal = challenge()
    subs = [sub(p) for p in ("ann", "bob", "cat", "dan")]
    ratings = [Rating(id=new_entry_id(at()), at=at(), by=rater, challenge="c", submission=s.id, person=s.by,
                      scores={"a": float("4.0"), "b": float("3.0")})
               for s in subs for rater in RATERS[:5] if rater != s.by]
    folded = scoring.tally(chal, [*subs, *ratings])
    kept = [r for raters in folded.rated.values() for r in raters.values()]
    assert len(kept) == 16 and len({id(r[1]) for r in kept}) == 1 and len({id(r[2]) for r in kept}) == 1
    ints = scoring.tally(chal, [subs[0], rate("bob", subs[0], 4, 3)])
    assert [type(v) for v in next(iter(ints.rated[subs[0].id].values()))[2]] == [int, int]


def test_season_points_are_added_in_play_order_so_every_sum_is_the_float_played_gives():
    """Kept contributions (game.contributions) are added up addition by addition, in the
    order they were made: 0.1 + 0.2 + 0.3 grouped any other way is another float."""
    from p2p import game
    from p2p.snapshot import Snapshot

    tallies = game.add_up(Snapshot(None, Settings(), {}, {}, []), [
        ("first", {"pat": (("reviews", 0.1),)}),
        ("second", {"pat": (("reviews", 0.2), ("helpful", 0.3)), "quinn": (("submitted", 10.0), ("placement", 15.0))}),
    ])
    pat, quinn = tallies["pat"], tallies["quinn"]
    assert pat.points == (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3)
    assert (pat.breakdown["reviews"], pat.breakdown["helpful"], pat.challenges) == (0.1 + 0.2, 0.3, [])
    assert (quinn.points, quinn.challenges, list(tallies)) == (25.0, ["second"], ["pat", "quinn"])
