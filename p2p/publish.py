"""`p2p publish`: every wiki page, rendered from one snapshot through the templates.

Output is deterministic: stable ordering, no clock time (only the data's own), and a
page whose text did not change is not rewritten, so re-publishing an unchanged store
touches no file. Pages p2p wrote before and no longer produces (a removed person or
challenge) are deleted; p2p remembers its pages in OUT_DIR/.p2p-pages and never
touches other files."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from p2p import catalog, game, insight, reports, scoring, views
from p2p.entries import Rating, Submission
from p2p.policies import median
from p2p.progress import steps
from p2p.render import pages
from p2p.render.rendered import Rendered, salt
from p2p.snapshot import Snapshot

MANIFEST = ".p2p-pages"
TARGETS = ("github", "gitlab", "azure", "mkdocs")
HOME = {"github": "Home", "gitlab": "home", "azure": "Home", "mkdocs": "index"}
SIDEBAR = {"github": "_Sidebar.md", "gitlab": "_sidebar.md", "azure": ".order", "mkdocs": "nav.md"}


@dataclass
class Published:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.deleted)} deleted")


def render_all(snapshot: Snapshot, now: dt.datetime, target: str, charts: str, store_templates: Path | None,
               cache: Path | None = None, out_dir: Path | None = None) -> dict[str, str]:
    """{file name: Markdown} for every page. `cache` is a disposable folder for
    compiled templates and the render index (p2p.render.rendered): with it, a page
    whose file in `out_dir` is still what the same inputs rendered last time is read
    from that file instead of rendered again."""
    from p2p.render.env import environment

    builtin = catalog.builtin_dir("templates")
    env = environment(store_templates, builtin, target, charts, cache)
    site_pages = list(contexts(snapshot, now, target))
    known = _render_index(cache if out_dir is not None else None, [f for f in (store_templates, builtin) if f],
                          target, charts)
    rendered = {}
    for name, template, context in steps(site_pages, "rendering pages"):
        key = known.key(name, template, context)
        text = known.reuse(key, out_dir / f"{name}.md") if out_dir is not None else None
        if text is None:
            text = _tidy(env.get_template(template).render(**vars(context)))
            known.remember(key, text)
        rendered[f"{name}.md"] = text
    known.save()
    rendered[SIDEBAR[target]] = env.get_template("sidebar.md.j2").render(
        site=site_pages[0][2].site, entries=[(name, title) for name, title in _nav(snapshot, target)])
    return rendered


def _render_index(cache: Path | None, templates: list[Path], target: str, charts: str) -> Rendered:
    """The pages rendered last time (p2p.render.rendered), or an empty index without `cache`."""
    if cache is None:
        return Rendered(None, b"", target, charts)
    return Rendered(cache / "pages", salt(target, charts, folders=templates), target, charts)


def _tidy(text: str) -> str:
    """One blank line between blocks, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def write(out_dir: Path, files: dict[str, str]) -> Published:
    from p2p.store.yamlio import write_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    result = Published()
    manifest = out_dir / MANIFEST
    before = set(manifest.read_text().split("\n")) - {""} if manifest.is_file() else set()
    for name in steps(sorted(files), "writing pages"):
        path = out_dir / name
        data = files[name].encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            result.unchanged.append(name)
            continue
        (result.updated if path.exists() else result.created).append(name)
        # Not synced to disk page by page (an fsync each was a tenth of a publish after
        # one new entry): a page lost in a crash differs from what the store renders,
        # so the next publish writes it again.
        write_atomic(path, data, durable=False)
    for name in sorted(before - set(files)):
        if "/" not in name and (out_dir / name).is_file():
            (out_dir / name).unlink()
            result.deleted.append(name)
    listing = "".join(f"{name}\n" for name in sorted(files))
    if not manifest.is_file() or manifest.read_text() != listing:
        write_atomic(manifest, listing.encode())  # synced: it says which old pages to delete
    return result


# -- contexts ------------------------------------------------------------------------
def _nav(snapshot: Snapshot, target: str) -> list[tuple[str, str]]:
    nav = [(HOME[target], "Home"), ("Roles", "Role leaderboards"), ("Playbook", "Playbook"), ("Clinics", "Deal clinics"),
           ("Analytics", "Analytics")]
    nav += [(f"challenge-{c.slug}", c.title) for c in sorted(snapshot.challenges.values(), key=lambda c: (c.opens, c.slug))]
    nav += [(f"team-{t}", f"Team {t}") for t in sorted({p.team for p in snapshot.people.values() if p.active})]
    nav += [(f"person-{p.id}", p.name) for p in sorted(snapshot.people.values(), key=lambda p: p.id) if p.active]
    return nav


def contexts(snapshot: Snapshot, now: dt.datetime, target: str) -> Iterator[tuple[str, str, Any]]:
    """(page name, template, context) for every page."""
    settings = snapshot.settings
    season = settings.season(None, now.astimezone(settings.tz).date())
    played = game.play(snapshot, season, now)
    tallies = game.points(snapshot, played, season)
    standings = game.season_rows(snapshot, tallies)
    won = game.badges(snapshot, played, tallies)
    newest = max((e.at for e in snapshot.entries), default=None)
    site = pages.Site(settings.name, season.name if season else None, newest.date().isoformat() if newest else "–",
                      target, HOME[target], settings.anonymous)
    movement = _movement(snapshot, season, now, played, standings, newest)
    yield HOME[target], "home.md.j2", _home(snapshot, site, now, standings, won, movement, played)
    boards = {g.challenge.slug: g.board for g in played}  # scored once: the season's and the challenge pages'
    for challenge in sorted(snapshot.challenges.values(), key=lambda c: c.slug):
        yield (f"challenge-{challenge.slug}", "challenge.md.j2",
               _challenge(snapshot, site, challenge, now, boards.get(challenge.slug)))
    by_person = {row["person"]: row for row in standings}
    given = _ratings_by_rater(played)
    skills = game.skill_scores(played)
    stats = insight.stats_doc(snapshot, season.name if season else insight.ALL_TIME, now, with_outcomes=True,
                              played=played, standings=standings, skills=skills)
    open_items = [a for a in stats["actions"]["items"] if a["state"] != "done"]
    mentors = insight.mentoring(snapshot)
    scores = _Scores.of(played)
    for person in sorted(snapshot.people.values(), key=lambda p: p.id):
        if person.active:
            page = _person(snapshot, site, played, won, by_person, given, skills, scores, person.id)
            pairs = [{**m, "name": snapshot.people[m["with"]].name} for m in mentors.get(person.id, [])
                     if m["with"] in snapshot.people]
            yield f"person-{person.id}", "person.md.j2", replace(
                page, actions=[a for a in open_items if a["person"] == person.id], mentoring=pairs)
    team_rows = {row["team"]: row for row in game.group_rows(snapshot, tallies, "team")}
    for team in sorted({p.team for p in snapshot.people.values() if p.active}):
        page = _team(snapshot, site, skills, standings, team_rows.get(team), team)
        yield f"team-{team}", "team.md.j2", replace(page, actions=[a for a in open_items if a["team"] == team])
    roles = [{"role": role, "rows": game.ranked([r for r in standings if r["role"] == role], "points", "person")}
             for role in settings.roles if any(r["role"] == role for r in standings)]
    yield "Roles", "roles.md.j2", pages.RolesPage(site, roles)
    yield "Playbook", "playbook.md.j2", _playbook(snapshot, site, played)
    from p2p import clinics

    board = clinics.board(snapshot, now.astimezone(settings.tz).date())
    order = {"due": 0, "open": 1, "closed": 2}
    yield "Clinics", "clinics.md.j2", pages.ClinicsPage(site, sorted(board, key=lambda c: (order[c["state"]], c["id"])))
    yield "Analytics", "analytics.md.j2", pages.AnalyticsPage(site, stats, game.group_rows(snapshot, tallies, "team"))


def _movement(snapshot: Snapshot, season: Any, now: dt.datetime, played: list[game.Played],
              standings: list[dict[str, Any]], newest: dt.datetime | None) -> list[dict[str, Any]]:
    """Standings rows that moved in the week before the newest entry (the data's own
    time, so the page does not change with the clock)."""
    if newest is None:
        return []
    cutoff = newest - dt.timedelta(days=7)
    earlier, recent = [], set()  # recent: challenges with entries in the last week
    for entry in snapshot.entries:
        if entry.at < cutoff:
            earlier.append(entry)
        else:
            recent.add(entry.challenge)
    week_ago = replace(snapshot, entries=earlier)
    # Only the recent challenges score differently a week ago: replay those and reuse
    # the rest (scoring one challenge reads only its entries).
    before_played = [game.play_one(week_ago, g.challenge, now) if g.challenge.slug in recent else g for g in played]
    before = {"rows": game.season_rows(week_ago, game.points(week_ago, before_played, season))}
    moved = reports.since({"rows": [dict(r) for r in standings]}, before)["rows"]
    return [r for r in moved if r["movement"] not in ("=", "")]


def _home(snapshot: Snapshot, site: pages.Site, now: dt.datetime, standings: list[dict[str, Any]],
          won: dict[str, list[dict[str, str]]], movement: list[dict[str, Any]], played: list[game.Played]) -> pages.HomePage:
    docs = views.challenges_doc(snapshot, now)["challenges"]
    live = sorted((d for d in docs if d["state"] in ("open", "review", "upcoming")), key=lambda d: (d["closes"], d["slug"]))
    badges = [{"person": p, "name": snapshot.people[p].name, **b} for p, items in sorted(won.items()) for b in items
              if b["badge"] != "first-steps" and p in snapshot.people]
    from p2p import elo

    ladder, _ = elo.ladder(snapshot, played)
    return pages.HomePage(site, standings[:10], live, movement, badges[:10], ladder[:10])


def _challenge(snapshot: Snapshot, site: pages.Site, challenge: Any, now: dt.datetime,
               scored: scoring.Board | None) -> pages.ChallengePage:
    doc = views.challenge_doc(snapshot, challenge, now)
    board = reports.leaderboard_doc(snapshot, challenge, now, board=scored)
    best = [r for r in board["rows"] if r["rank"] is not None][:3]
    eligible = sum(1 for p in snapshot.people.values() if p.active and (not challenge.roles or p.role in challenge.roles))
    race = None
    if challenge.race is not None:
        from p2p import races

        race = races.race_doc(challenge, snapshot.entries_of(challenge.slug), snapshot.people, snapshot.settings.tz, now)
    from p2p import brackets

    bracket = brackets.bracket_doc(snapshot, challenge.slug, now)
    return pages.ChallengePage(site, doc, board["rows"], best, len(board["rows"]), eligible, race, bracket)


def _person(snapshot: Snapshot, site: pages.Site, played: list[game.Played], won: dict[str, list[dict[str, str]]],
            by_person: dict[str, dict[str, Any]], given: dict[str, list[tuple[game.Played, Rating]]],
            skills: game.SkillScores, scores: _Scores, pid: str) -> pages.PersonPage:
    person = snapshot.people[pid]
    criteria, comments, trend = [], [], []
    for g in played:
        challenge = g.challenge
        ratings = g.board.ratings.get(pid, {})
        row = scores.rows[challenge.slug].get(pid)
        if row is not None and row.score is not None and challenge.mode == "rubric":
            trend.append({"challenge": challenge.slug, "title": challenge.title, "score": row.score, "rank": row.rank})
        team_medians = scores.team_medians(snapshot, g, person.team) if ratings else {}
        mine = scores.medians[challenge.slug].get(pid, {})
        for c in challenge.rubric.criteria if ratings else []:
            criteria.append({"challenge": challenge.slug, "criterion": c.id, "name": c.name, "score": mine[c.id],
                             "team_median": team_medians.get(c.id)})
        for rater, rating in sorted(ratings.items(), key=lambda kv: kv[1].id):
            if rating.comment:
                comments.append({"challenge": challenge.slug, "title": challenge.title, "comment": rating.comment,
                                 "rater": "a peer" if site.anonymous else snapshot.people[rater].name})
    ordered = sorted(criteria, key=lambda c: (-c["score"], c["challenge"], c["criterion"]))
    growth = ordered[3:][-3:][::-1]  # the weakest criteria that are not already strengths
    return pages.PersonPage(site, views.person_doc(person), criteria, ordered[:3], growth,
                            comments, trend, won.get(pid, []), game.levels(snapshot, skills, pid),
                            _reviews_given(played, given.get(pid, []), pid), by_person.get(pid))


@dataclass
class _Scores:
    """Per challenge, what every person page looks up: each person's row, and the
    median of their raters' scores per criterion; the teams' medians of those are
    kept once first asked. One per publish: 300 pages ask 12 challenges."""

    rows: dict[str, dict[str, scoring.Row]]  # challenge -> person -> their (first) row
    medians: dict[str, dict[str, dict[str, float]]]  # challenge -> rated person -> criterion -> median
    teams: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # challenge -> team -> criterion

    @classmethod
    def of(cls, played: list[game.Played]) -> _Scores:
        rows: dict[str, dict[str, scoring.Row]] = {}
        medians: dict[str, dict[str, dict[str, float]]] = {}
        for g in played:
            first = rows[g.challenge.slug] = {}
            for row in g.board.rows:
                first.setdefault(row.person, row)
            medians[g.challenge.slug] = {
                person: {c.id: median([r.scores[c.id] for r in ratings.values()]) for c in g.challenge.rubric.criteria}
                for person, ratings in g.board.ratings.items() if ratings}
        return cls(rows, medians)

    def team_medians(self, snapshot: Snapshot, g: game.Played, team: str) -> dict[str, float]:
        """{criterion: median over the team's rated members of each one's median} in one challenge."""
        slug = g.challenge.slug
        if slug not in self.teams:  # every team at once: one pass over the challenge's rated people
            by_team: dict[str, list[dict[str, float]]] = {}
            for other, mine in self.medians[slug].items():
                if other in snapshot.people:
                    by_team.setdefault(snapshot.people[other].team, []).append(mine)
            self.teams[slug] = {name: {c.id: median([m[c.id] for m in members]) for c in g.challenge.rubric.criteria}
                                for name, members in by_team.items()}
        return self.teams[slug].get(team, {})


def _ratings_by_rater(played: list[game.Played]) -> dict[str, list[tuple[game.Played, Rating]]]:
    given: dict[str, list[tuple[game.Played, Rating]]] = {}
    for g in played:
        for ratings in g.board.ratings.values():
            for rater, rating in ratings.items():
                given.setdefault(rater, []).append((g, rating))
    return given


def _reviews_given(played: list[game.Played], given: list[tuple[game.Played, Rating]], pid: str) -> dict[str, Any]:
    accuracy = [v for g in played for v in g.accuracy.get(pid, [])]
    helpful = [g.helpful[r.id]["helpful"] for g, r in given if r.id in g.helpful]
    return {"given": len(given), "accuracy": sum(accuracy) / len(accuracy) if accuracy else None,
            "helpful": sum(helpful) / len(helpful) if helpful else None}


def _team(snapshot: Snapshot, site: pages.Site, skill_scores: game.SkillScores, standings: list[dict[str, Any]],
          summary: dict[str, Any] | None, team: str) -> pages.TeamPage:
    members = [r for r in standings if r["team"] == team]
    listed = {r["person"] for r in members}
    members += [{"person": p.id, "name": p.name, "role": p.role, "points": 0, "challenges": 0, "rank": None}
                for p in sorted(snapshot.people.values(), key=lambda p: p.id)
                if p.team == team and p.active and p.id not in listed]
    skills: dict[str, list[float]] = {}
    for person, by_skill in skill_scores.items():
        if person in snapshot.people and snapshot.people[person].team == team:
            for skill, scores in by_skill.items():
                skills.setdefault(skill, []).append(sum(s for _, s in scores) / len(scores))
    return pages.TeamPage(site, team, summary, members,
                          [{"skill": s, "median": median(v), "people": len(v)} for s, v in sorted(skills.items())])


def _tags(snapshot: Snapshot, slug: str, ids: set[str]) -> dict[str, tuple[str, ...]]:
    """{entry id: its tags} of the entries `ids` of a challenge, in one pass over its entries."""
    found: dict[str, tuple[str, ...]] = {}
    for entry in snapshot.entries_of(slug) if ids else ():
        if entry.id in ids and entry.id not in found and isinstance(entry, Submission):
            found[entry.id] = entry.tags
    return found


def _playbook(snapshot: Snapshot, site: pages.Site, played: list[game.Played]) -> pages.PlaybookPage:
    items = []
    for g in played:
        best = [row for row in g.board.rows if row.rank is not None and row.rank <= 3 and g.challenge.mode == "rubric"]
        tags = _tags(snapshot, g.challenge.slug, {row.submission for row in best})
        for row in best:
            items.append({"challenge": g.challenge.slug, "title": g.challenge.title, "person": row.person,
                          "name": row.name, "score": row.score, "rank": row.rank, "link": row.link,
                          "skills": list(g.challenge.skills), "tags": list(tags.get(row.submission, ()))})
    key = lambda i: (-(i["score"] or 0), i["challenge"], i["person"])  # noqa: E731
    skills = sorted({s for i in items for s in i["skills"]})
    tags = sorted({t for i in items for t in i["tags"]})
    featured = []
    for g in played:
        picks = scoring.current_features(snapshot.entries_of(g.challenge.slug))
        for row in g.board.rows:
            if row.featured_by:
                featured.append({"challenge": g.challenge.slug, "title": g.challenge.title, "person": row.person,
                                 "name": row.name, "link": row.link,
                                 "picks": [{"by": snapshot.people[f.by].name if f.by in snapshot.people else f.by,
                                            "note": f.note} for f in sorted(picks[row.submission], key=lambda f: f.id)]})
    return pages.PlaybookPage(site, [{"skill": s, "work": sorted((i for i in items if s in i["skills"]), key=key)[:5]}
                                     for s in skills],
                              [{"tag": t, "work": sorted((i for i in items if t in i["tags"]), key=key)[:5]} for t in tags],
                              featured)
