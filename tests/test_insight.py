"""`p2p stats` on a small store whose every figure is computed by hand below: two
closed pitch battles, a new hire who took part, a new hire who has not yet, a rep
who never took part, and a team of one.

    person  role     team  hired       old (Oct) score  new (Nov) score
    ava     ae       east  2026-09-20  3                4
    ben     ae       east  -           4                3
    cal     sdr      east  -           -  (no entry)    3
    dia     ae       west  2026-10-20  -  (not hired)   -  (no entry)
    eli     ae       solo  -           2                4
    fay     ae       west  -           -                -  (never)
    mia     manager  east  -           (not eligible: pitch battles are for ae and sdr)

Every rater gives the same number on every criterion, so a rater's score is that
number and a result is the median of three such numbers."""

from __future__ import annotations

import json

import pytest

from conftest import git, scores

PEOPLE = [("mia", "manager", "east", None), ("ava", "ae", "east", "2026-09-20"), ("ben", "ae", "east", None), ("cal", "sdr", "east", None),
          ("dia", "ae", "west", "2026-10-20"), ("eli", "ae", "solo", None), ("fay", "ae", "west", None)]
# challenge -> person -> {rater: score}
RATINGS = {
    "old": {"ava": {"ben": 3, "cal": 3, "eli": 3}, "ben": {"ava": 4, "cal": 4, "eli": 4},
            "eli": {"ava": 2, "ben": 2, "cal": 2}},
    "new": {"ava": {"ben": 4, "cal": 4, "eli": 4}, "ben": {"ava": 3, "cal": 3, "eli": 3},
            "eli": {"ava": 4, "ben": 4, "cal": 4}, "cal": {"ava": 3, "ben": 3, "eli": 3}},
}
COMMENTS = {("old", "ava", "ben"): "Good pace", ("new", "ava", "cal"): "Lead with pain"}  # (challenge, rater, target)


@pytest.fixture(scope="module")
def stats_store(tmp_path_factory):
    """Built once (about 40 commits): tests only read it."""
    mp = pytest.MonkeyPatch()
    try:
        yield _build(tmp_path_factory.mktemp("insight"), mp)
    finally:
        mp.undo()


def _build(tmp, mp):
    from click.testing import CliRunner

    from conftest import P2P, OPS
    from p2p.cli import cli

    home = tmp / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[user]\n\tname = {OPS[0]}\n\temail = {OPS[1]}\n[init]\n\tdefaultBranch = main\n")
    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    mp.setenv("P2P_NOW", "2026-09-25T09:00:00Z")
    root = tmp / "store"
    CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    p2p = P2P(root)
    for pid, role, team, hired in PEOPLE:
        p2p("people", "add", pid, "--name", pid.title(), "--email", f"{pid}@example.com", "--role", role, "--team",
            team, *(["--hired", hired] if hired else []), *(["--manager", "mia"] if pid not in ("mia", "eli") else []))
    with open(root / "p2p.yaml", "a") as handle:
        handle.write("insight: {at_risk_missed: 2}\n")
    git(root, "commit", "-qam", "sat out two challenges in a row: at risk")
    for slug, opens, closes, review in (("old", "2026-10-01", "2026-10-07", "2026-10-10"),
                                        ("new", "2026-11-01", "2026-11-05", "2026-11-08")):
        p2p("challenge", "new", slug, "--type", "pitch-battle", "--title", slug.title(), "--opens", opens,
            "--closes", closes, "--review-closes", review)
    helpful_rating = None
    for slug, submitted, rated in (("old", "2026-10-03", "2026-10-08"), ("new", "2026-11-02", "2026-11-06")):
        mp.setenv("P2P_NOW", f"{submitted}T12:00:00Z")
        for person in RATINGS[slug]:
            p2p("submit", slug, "--link", f"https://v.example/{slug}/{person}", as_=person)
        mp.setenv("P2P_NOW", f"{rated}T12:00:00Z")
        for person, given in RATINGS[slug].items():
            for rater, value in given.items():
                comment = COMMENTS.get((slug, rater, person))
                out = p2p("rate", slug, person, *scores(value), *(["--comment", comment] if comment else []),
                          "--format", "json", as_=rater).stdout
                if (slug, rater, person) == ("old", "ava", "ben"):
                    helpful_rating = json.loads(out)["entry"]["id"]
    p2p("rate-feedback", "old", helpful_rating, "--helpful", "5", as_="ben")
    mp.setenv("P2P_NOW", "2026-11-09T12:00:00Z")
    p2p("action", "add", "ava", "Quantify the ROI", "--due", "2026-11-05", as_="mia")  # overdue on the 10th
    p2p("action", "add", "ben", "Ask for the meeting", "--due", "2026-12-01", as_="ben")
    done = json.loads(p2p("action", "add", "cal", "Shadow two calls", "--format", "json", as_="cal").stdout)
    p2p("action", "done", done["record"]["id"], as_="cal")
    p2p("activity", "log", "--week", "2026-W45", "--calls", "50", "--meetings", "10", as_="ava")
    p2p("activity", "log", "--week", "2026-W46", "--calls", "70", as_="ava")  # meetings unknown that week
    p2p("activity", "log", "--week", "2026-W45", "--calls", "40", "--meetings", "6", "--demos", "2", as_="ben")
    p2p("activity", "log", "--week", "2026-W45", "--calls", "30", as_="eli")
    results = tmp / "results.csv"  # ava before (Sep) and after (Nov) her first submission; fay never took part
    results.write_text("Email,Close Month,Win Rate,Closed Won\nava@example.com,2026-09,20%,2\n"
                       "ava@example.com,2026-10,25%,2\nava@example.com,2026-11,30%,3\nfay@example.com,2026-11,10%,1\n")
    p2p("outcomes", "import", str(results), as_="mia")
    mp.setenv("P2P_NOW", "2026-11-10T12:00:00Z")
    return p2p


@pytest.fixture(scope="module")
def doc(stats_store):
    mp = pytest.MonkeyPatch()
    mp.setenv("P2P_NOW", "2026-11-10T12:00:00Z")
    try:
        return json.loads(stats_store("stats", "--season", "all", "--outcomes", "--format", "json").stdout)
    finally:
        mp.undo()


def by(rows, key):
    return {row[key]: row for row in rows}


def test_participation_per_challenge_counts_only_people_who_could_take_part(doc):
    rows = by(doc["participation"]["challenges"], "challenge")
    # old: ava ben cal eli fay could (dia was not hired yet, mia is a manager); 3 submitted, 4 rated
    assert (rows["old"]["eligible"], rows["old"]["submitted"], rows["old"]["rate"]) == (5, 3, 0.6)
    assert (rows["old"]["rated"], rows["old"]["rating_rate"]) == (4, 0.8)
    # new: dia could too; 4 submitted, 4 rated
    assert (rows["new"]["eligible"], rows["new"]["submitted"], rows["new"]["rate"]) == (6, 4, 0.6667)
    assert rows["new"]["rating_rate"] == 0.6667
    overall = doc["participation"]["overall"]
    assert (overall["eligible"], overall["submitted"], overall["rated"]) == (11, 7, 8)


def test_participation_per_team_and_role_including_a_team_of_one(doc):
    teams = by(doc["participation"]["teams"], "team")
    assert (teams["east"]["eligible"], teams["east"]["submitted"], teams["east"]["rated"]) == (6, 5, 6)
    assert (teams["west"]["eligible"], teams["west"]["submitted"], teams["west"]["rate"]) == (3, 0, 0.0)
    assert (teams["solo"]["eligible"], teams["solo"]["submitted"], teams["solo"]["rate"]) == (2, 2, 1.0)
    roles = by(doc["participation"]["roles"], "role")
    assert (roles["ae"]["eligible"], roles["ae"]["submitted"], roles["ae"]["rated"]) == (9, 6, 6)
    assert (roles["sdr"]["eligible"], roles["sdr"]["submitted"], roles["sdr"]["rated"]) == (2, 1, 2)
    assert "manager" not in roles


def test_skill_improvement_first_against_latest_per_person_and_team(doc):
    rows = {(r["person"], r["skill"]): r for r in doc["improvement"]["people"]}
    assert (rows["ava", "pitching"]["first"], rows["ava", "pitching"]["latest"], rows["ava", "pitching"]["change"]) == (3, 4, 1)
    assert rows["ben", "pitching"]["change"] == -1
    assert rows["eli", "value-selling"]["change"] == 2
    assert ("cal", "pitching") not in rows  # one scored challenge: nothing to compare
    assert ("fay", "pitching") not in rows and ("dia", "pitching") not in rows
    teams = {(r["team"], r["skill"]): r for r in doc["improvement"]["teams"]}
    assert (teams["east", "pitching"]["mean_change"], teams["east", "pitching"]["people"]) == (0, 2)
    assert (teams["solo", "storytelling"]["mean_change"], teams["solo", "storytelling"]["small_sample"]) == (2, True)


def test_knowledge_sharing_reviews_comments_length_and_helpful_answers(doc):
    people = by(doc["sharing"]["people"], "person")
    assert people["ava"]["reviews"] == 5  # old: ben, eli; new: ben, cal, eli
    assert (people["ava"]["comments"], people["ava"]["mean_comment_length"]) == (2, 11.5)  # 9 and 14 characters
    assert people["ava"]["helpful"] == 1  # ben said 5 of 5 about her rating
    assert (people["cal"]["reviews"], people["cal"]["comments"], people["cal"]["helpful"]) == (6, 0, 0)  # 3 + 3
    assert "fay" not in people and "dia" not in people  # never reviewed
    teams = by(doc["sharing"]["teams"], "team")
    assert (teams["east"]["people"], teams["east"]["reviews"], teams["east"]["comments"]) == (3, 16, 2)
    assert (teams["solo"]["reviews"], teams["solo"]["mean_comment_length"]) == (5, 0.0)


def test_ramp_time_of_new_hires_against_their_cohort(doc):
    ramp = doc["ramp"]
    rows = by(ramp["people"], "person")
    assert set(rows) == {"ava", "dia"}  # hired in the last 180 days
    assert (rows["ava"]["days_to_first_submission"], rows["ava"]["days_to_threshold"]) == (13, 43)  # 10-03, 11-02
    assert (rows["ava"]["cohort"], rows["ava"]["cohort_median_first_submission"]) == ("2026-Q3", 13)
    assert (rows["dia"]["first_submission"], rows["dia"]["days_to_threshold"]) == (None, None)  # no score yet
    cohorts = by(ramp["cohorts"], "cohort")
    assert (cohorts["2026-Q4"]["hires"], cohorts["2026-Q4"]["median_days_to_first_submission"]) == (1, None)


def test_at_risk_is_who_sat_out_the_last_n_challenges_they_could_enter(doc):
    flagged = by(doc["at_risk"], "person")
    assert set(flagged) == {"fay"}  # cal missed only one; dia could enter only one
    assert "old, new" in flagged["fay"]["reasons"][0]


def test_skill_gaps_are_team_medians_with_the_lowest_quarter_marked(doc):
    cells = {(c["team"], c["skill"]): c for c in doc["skill_gaps"]["cells"]}
    assert cells["east", "pitching"]["median"] == 3.5  # ava 3.5, ben 3.5, cal 3
    assert cells["solo", "pitching"]["median"] == 3.0  # eli (2 + 4) / 2
    assert [k for k, c in cells.items() if c["low"]] == [("solo", "pitching")]  # 1 of 6 cells, ties by name


def test_action_items_open_overdue_and_done(doc):
    items = by(doc["actions"]["items"], "person")
    assert (items["ava"]["state"], items["ben"]["state"], items["cal"]["state"]) == ("overdue", "open", "done")
    teams = by(doc["actions"]["teams"], "team")
    assert (teams["east"]["open"], teams["east"]["overdue"], teams["east"]["done"]) == (1, 1, 1)


def test_activity_means_over_the_weeks_that_gave_a_number_against_the_team_median(doc):
    rows = by(doc["activity"]["people"], "person")
    assert (rows["ava"]["weeks"], rows["ava"]["calls"], rows["ava"]["meetings"], rows["ava"]["demos"]) == (2, 60, 10, None)
    assert (rows["ava"]["team_median_calls"], rows["ava"]["team_median_meetings"]) == (50, 8)
    assert (rows["eli"]["calls"], rows["eli"]["team_median_calls"]) == (30, 30)
    assert "fay" not in rows


def test_the_top_quartile_is_the_leader_of_the_standings_and_their_medians(doc):
    rows = by(doc["activity"]["people"], "person")
    top = [r for r in rows.values() if r["top_quartile"]]
    assert doc["activity"]["top_quartile_people"] == len(top) == 1  # 4 people with points: the top one
    assert doc["activity"]["top_quartile_median"]["calls"] == top[0]["calls"]


def test_outcomes_before_and_after_the_first_submission_and_against_non_participants(doc):
    (ava,) = doc["outcomes"]["people"]  # the only participant with CRM results
    assert (ava["person"], ava["first_submission"]) == ("ava", "2026-10-03")
    assert (ava["periods_before"], ava["win_rate_before"], ava["deals_won_before"]) == (1, 0.2, 2)  # September
    assert (ava["periods_after"], ava["win_rate_after"], ava["deals_won_after"]) == (1, 0.3, 3)  # October straddles
    groups = by(doc["outcomes"]["compare"], "group")
    assert doc["outcomes"]["since"] == "2026-10-03"
    assert (groups["participants"]["people"], groups["participants"]["win_rate"]) == (1, 0.3)
    assert (groups["non_participants"]["people"], groups["non_participants"]["win_rate"]) == (1, 0.1)
    assert groups["participants"]["small_sample"] is True


def test_a_team_scope_keeps_only_its_people(stats_store):
    doc = json.loads(stats_store("stats", "--season", "all", "--team", "west", "--format", "json").stdout)
    assert [r["team"] for r in doc["participation"]["teams"]] == ["west"]
    assert doc["sharing"]["people"] == [] and [r["person"] for r in doc["at_risk"]] == ["fay"]


def test_csv_needs_one_table_and_prints_it(stats_store):
    assert "--table" in stats_store("stats", "--format", "csv", expect=2).stderr
    lines = stats_store("stats", "--season", "all", "--table", "participation", "--format", "csv").stdout.splitlines()
    assert lines[0] == "challenge,eligible,submitted,rate,rated,rating rate"
    assert lines[1:] == ["old,5,3,0.6,4,0.8", "new,6,4,0.6667,4,0.6667"]


def test_an_unknown_role_or_season_is_refused_in_one_line(stats_store):
    assert "roles in p2p.yaml" in stats_store("stats", "--role", "pilot", expect=2).stderr
    stats_store.refused("stats", "--season", "1999", match="season '1999'")


def _table(page: str, header: str) -> list[list[str]]:
    """The cells of the Markdown table whose header row starts with `header`."""
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def _link_text(cell: str) -> str:
    return cell[1:cell.index("]")] if cell.startswith("[") else cell


def test_stats_json_and_the_analytics_page_agree_on_the_demo_store(demo_store, tmp_path, monkeypatch):
    """Participation, improvement and knowledge sharing: the same numbers in
    `p2p stats --format json` and on the published analytics page."""
    from click.testing import CliRunner

    from conftest import DEMO_NOW
    from p2p.cli import cli

    monkeypatch.setenv("P2P_NOW", DEMO_NOW)
    runner = CliRunner()
    doc = json.loads(runner.invoke(cli, ["--store", str(demo_store), "stats", "--format", "json"]).stdout)
    assert runner.invoke(cli, ["--store", str(demo_store), "publish", str(tmp_path / "wiki")]).exit_code == 0
    page = (tmp_path / "wiki" / "Analytics.md").read_text()

    titles = {c: t for c, t in ((r["challenge"], r["title"]) for r in doc["participation"]["challenges"])}
    shown = {_link_text(r[0]): (int(r[1]), int(r[2]), r[3]) for r in _table(page, "Challenge")}
    expected = {titles[r["challenge"]]: (r["submitted"], r["eligible"], f"{round(r['rate'] * 100)}%")
                for r in doc["participation"]["challenges"]}
    assert shown == expected and len(shown) == 4

    names = {r["person"]: r["name"] for r in doc["improvement"]["people"]}
    shown_improvement = sorted((_link_text(r[0]), r[1], float(r[2]), float(r[3]), float(r[4]))
                               for r in _table(page, "Person | Skill"))
    assert shown_improvement == sorted((names[r["person"]], r["skill"], r["first"], r["latest"], r["change"])
                                       for r in doc["improvement"]["people"])
    assert len(shown_improvement) >= 10

    sharing = {r["name"]: r for r in doc["sharing"]["people"]}
    shown_sharing = {_link_text(r[0]): (int(r[1]), int(r[2]), int(r[4])) for r in _table(page, "Person | Reviews")}
    assert shown_sharing == {n: (r["reviews"], r["comments"], r["helpful"]) for n, r in sharing.items()}
    assert sum(r["reviews"] for r in sharing.values()) > 20


def test_a_score_falling_three_times_running_is_at_risk_without_git():
    """Pure: a Snapshot built in memory, three closed challenges in a row."""
    import datetime as dt

    from p2p import game, insight
    from p2p.entries import Rating, Submission
    from p2p.ids import new_entry_id
    from p2p.model import Challenge, Criterion, Person, Rubric
    from p2p.settings import Settings
    from p2p.snapshot import Snapshot

    rubric = Rubric(1, 5, (Criterion("a", "A", 1),))
    people = {p: Person(p, p.title(), f"{p}@x.example", "ae", "east") for p in ("ann", "bob", "cat", "dan")}
    challenges, entries = {}, []
    for i, value in enumerate((4.5, 3.5, 2.5)):  # ann falls each time; bob stays level
        slug = f"c{i}"
        day = dt.date(2026, 9, 1) + dt.timedelta(days=10 * i)
        challenges[slug] = Challenge(slug=slug, title=slug, type="pitch-battle", description="", skills=("pitching",),
                                     mode="rubric", format="individual", roles=(), rubric=rubric, opens=day,
                                     closes=day + dt.timedelta(days=2), review_closes=day + dt.timedelta(days=4))
        when = dt.datetime.combine(day, dt.time(12), dt.timezone.utc)
        for person, score in (("ann", value), ("bob", 3.0)):
            submission = Submission(id=new_entry_id(when), at=when, by=person, challenge=slug)
            entries.append(submission)
            for rater in ("cat", "dan", "bob" if person == "ann" else "ann"):
                entries.append(Rating(id=new_entry_id(when), at=when, by=rater, challenge=slug,
                                      submission=submission.id, person=person, scores={"a": score}))
    snapshot = Snapshot(None, Settings(), people, challenges, sorted(entries, key=lambda e: e.id))
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    flagged = {r["person"]: r["reasons"] for r in insight.at_risk(snapshot, game.play(snapshot, None, now), now, 3)}
    assert list(flagged) == ["ann", "cat", "dan"]  # cat and dan rated but never submitted: missed 3 of 3
    assert flagged["ann"] == ["score fell three times running: 4.50 → 3.50 → 2.50"]
    assert "no participation in the last 3 challenges (c0, c1, c2)" in flagged["cat"][0]
