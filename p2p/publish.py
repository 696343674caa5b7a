"""`p2p publish`: every wiki page, rendered from one snapshot through the templates.

Output is deterministic: stable ordering, no clock time (only the data's own), and a
page whose text did not change is not rewritten, so re-publishing an unchanged store
touches no file (p2p.render.folder writes the output folder). A big store is read a
challenge at a time: nothing here holds its million entries."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import tempfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from p2p import catalog, game, insight, reports, scoring, views
from p2p.entries import Entry, Submission
from p2p.policies import median
from p2p.progress import steps
from p2p.render import pages
from p2p.render.folder import PageFolder, Published
from p2p.render.rendered import Rendered, salt, value_digest
from p2p.snapshot import Snapshot

TARGETS = ("github", "gitlab", "azure", "mkdocs")
WEEK = dt.timedelta(days=7)  # the movement shown: since a week before the newest entry
HOME = {"github": "Home", "gitlab": "home", "azure": "Home", "mkdocs": "index"}
SIDEBAR = {"github": "_Sidebar.md", "gitlab": "_sidebar.md", "azure": ".order", "mkdocs": "nav.md"}
BUCKET = 250  # people per file of set-aside feedback: 5,000 people make 20 files


def publish(snapshot: Snapshot, now: dt.datetime, target: str, charts: str, store_templates: Path | None,
            cache: Path | None, out_dir: Path) -> Published:
    """Render every page into `out_dir`, one page at a time: a big store's pages are
    ~130 MB of text, never held together. `cache` is a disposable folder for compiled
    templates and the render index (p2p.render.rendered): with it, a page whose file
    is still what the same inputs rendered last time is read from that file instead
    of rendered again."""
    builtin = catalog.builtin_dir("templates")
    known = _render_index(cache, [f for f in (store_templates, builtin) if f], target, charts)
    templates = _Templates(store_templates, builtin, target, charts, cache)
    nav = _nav(snapshot, target)
    with PageFolder(out_dir) as pages_out, tempfile.TemporaryDirectory(prefix="p2p-publish-") as spill:
        site = None
        for name, template, context in steps(contexts(snapshot, now, target, Path(spill)), "rendering pages",
                                             len(nav)):
            site = context.site
            _page(pages_out, known, templates, f"{name}.md", template, context)
        _page(pages_out, known, templates, SIDEBAR[target], "sidebar.md.j2", {"site": site, "entries": nav}, tidy=False)
        published = pages_out.finish()
        known.save()  # after finish: it records the stat of the pages in place
        return published


def _page(pages_out: PageFolder, known: Rendered, templates: _Templates, file: str, template: str,
          context: Any, tidy: bool = True) -> None:
    """One page: kept when its file holds what the same inputs rendered last time,
    else rendered and put. `context`: the page's (a dataclass, or a dict of values),
    or a _Deferred one."""
    deferred = isinstance(context, _Deferred)
    keyed = context.inputs if deferred else context if isinstance(context, dict) else vars(context)
    key, path = known.key(file, template, keyed), pages_out.out_dir / file
    if known.reuse(key, path):
        pages_out.keep(file)
        return
    text = templates.render(template, vars(context.make()) if deferred else keyed)
    if tidy:
        text = _tidy(text)
    known.remember(key, text, path)
    pages_out.put(file, text)


class _Templates:
    """The page templates, through a Jinja environment made on the first page that
    must be rendered: a publish that changes no page (nothing new, or an entry that
    moves no page) does not import Jinja (~50 ms). `args`: p2p.render.env.environment's."""

    def __init__(self, *args: Any) -> None:
        self.args = args
        self._env: Any = None

    def render(self, template: str, context: dict[str, Any]) -> str:
        if self._env is None:
            from p2p.render.env import environment

            self._env = environment(*self.args)
        return self._env.get_template(template).render(**context)


class _Deferred(NamedTuple):
    """A page context made only when its page is rendered: its render key is a digest
    of `inputs`, everything `make` makes it from. A big store's 5,000 people's pages
    and 50 challenges' pages, nearly all unchanged after one new entry, are then
    neither made nor pickled whole (~2.5 s)."""

    site: pages.Site
    inputs: tuple[Any, ...]
    make: Callable[[], Any]


def _render_index(cache: Path | None, templates: list[Path], target: str, charts: str) -> Rendered:
    """The pages rendered last time (p2p.render.rendered), or an empty index without `cache`."""
    if cache is None:
        return Rendered(None, b"", target, charts)
    return Rendered(cache / "pages", salt(target, charts, folders=templates), target, charts)


def _tidy(text: str) -> str:
    """One blank line between blocks, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


# -- contexts ------------------------------------------------------------------------
def _nav(snapshot: Snapshot, target: str) -> list[tuple[str, str]]:
    nav = [(HOME[target], "Home"), ("Roles", "Role leaderboards"), ("Playbook", "Playbook"), ("Clinics", "Deal clinics"),
           ("Analytics", "Analytics")]
    nav += [(f"challenge-{c.slug}", c.title) for c in sorted(snapshot.challenges.values(), key=lambda c: (c.opens, c.slug))]
    nav += [(f"team-{t}", f"Team {t}") for t in sorted({p.team for p in snapshot.people.values() if p.active})]
    nav += [(f"person-{p.id}", p.name) for p in sorted(snapshot.people.values(), key=lambda p: p.id) if p.active]
    return nav


def contexts(snapshot: Snapshot, now: dt.datetime, target: str, spill: Path) -> Iterator[tuple[str, str, Any]]:
    """(page name, template, context) for every page. What the pages show of each
    challenge's entries (_Facts) is read one challenge at a time, and each person's
    feedback is set aside in `spill` (a scratch folder) until their page is made."""
    settings = snapshot.settings
    season = settings.season(None, now.astimezone(settings.tz).date())
    order = {c.slug: i for i, c in enumerate(game.season_challenges(snapshot, season))}  # as game.play plays them
    feedback = _Spill(spill, [p.id for p in sorted(snapshot.people.values(), key=lambda p: p.id) if p.active])
    facts: dict[str, _Facts] = {}
    early: dict[str, _Before] = {}
    for challenge in steps(sorted(snapshot.challenges.values(), key=lambda c: c.slug), "reading challenges"):
        found = _facts(snapshot, challenge, now, max((f.last for f in facts.values() if f.last), default=None), early,
                       feedback)
        if challenge.slug in order:
            feedback.add(order[challenge.slug], found.people)
        facts[challenge.slug] = replace(found, people={})
    # Played after the entries are read, not before: reading them then needs no memory
    # beside the season's results (a big store's cold publish peaked ~10 MB higher).
    played = game.play(snapshot, season, now)
    newest = _newest(snapshot, facts)
    week_ago = _week_ago(snapshot, [g.challenge for g in played], now, newest, facts, early)
    site = pages.Site(settings.name, season.name if season else None, newest.date().isoformat() if newest else "–",
                      target, HOME[target], settings.anonymous)
    # What each challenge adds to the season points is kept beside its result: adding
    # those up takes a big season ~0.4 s less than working them out of `played` again.
    # Held for the movement only (~15 MB), not while the challenges above are read nor
    # while the pages are made.
    contributed = game.contributions(snapshot, [g.challenge for g in played], now, played=played)
    tallies = game.add_up(snapshot, contributed, season)
    standings = game.season_rows(snapshot, tallies)
    movement = _movement(snapshot, season, contributed, standings, week_ago)
    del contributed
    # After the week-ago replay, whose memory they then reuse (a big store's peak is ~25 MB lower).
    skills = game.skill_scores(played)
    won = game.badges(snapshot, played, tallies, skills)
    yield HOME[target], "home.md.j2", _home(snapshot, site, now, standings, won, movement, played, facts)
    boards = {g.challenge.slug: g.board for g in played}  # scored once: the season's and the challenge pages'
    for challenge in sorted(snapshot.challenges.values(), key=lambda c: c.slug):
        yield (f"challenge-{challenge.slug}", "challenge.md.j2",
               _challenge(snapshot, site, challenge, now, boards.get(challenge.slug), facts))
    by_person = {row["person"]: row for row in standings}
    given: dict[str, int] = {}
    helpful: dict[str, list[int]] = {}
    for g in played:
        for rater, count in g.given.items():
            given[rater] = given.get(rater, 0) + count
        for rater, answers in facts[g.challenge.slug].helpful.items():
            helpful.setdefault(rater, []).extend(answers)
    stats = insight.stats_doc(snapshot, season.name if season else insight.ALL_TIME, now, with_outcomes=True,
                              played=played, standings=standings, skills=skills)
    open_by_person: dict[str, list[Any]] = {}
    open_by_team: dict[str, list[Any]] = {}
    for item in stats["actions"]["items"]:
        if item["state"] != "done":
            open_by_person.setdefault(item["person"], []).append(item)
            open_by_team.setdefault(item["team"], []).append(item)
    mentors = insight.mentoring(snapshot)
    # What only the season figures read is spent: a big store's people pages reuse its ~40 MB.
    played = [replace(g, helpful={}, votes={}, given={}, helpful_by=[], pairs=[], comments={}, entrants=[])
              for g in played]
    # What every person's page reads of the challenges and of who is who: in each
    # page's render key as one digest.
    shared = value_digest((
        [(g.challenge.slug, g.challenge.title, [(c.id, c.name) for c in g.challenge.rubric.criteria]) for g in played],
        None if site.anonymous else sorted((p.id, p.name) for p in snapshot.people.values()),
    ))
    for pid, mine in feedback.read():
        pairs = [{**m, "name": snapshot.people[m["with"]].name} for m in mentors.get(pid, [])
                 if m["with"] in snapshot.people]
        yield f"person-{pid}", "person.md.j2", _person(
            snapshot, site, played, won, by_person, mine, given.get(pid, 0), helpful.get(pid, []), skills, pid,
            open_by_person.get(pid, []), pairs, shared)
    team_rows = {row["team"]: row for row in game.group_rows(snapshot, tallies, "team")}
    for team, page in _teams(snapshot, site, skills, standings, team_rows):
        yield f"team-{team}", "team.md.j2", replace(page, actions=open_by_team.get(team, []))
    roles = [{"role": role, "rows": game.ranked([r for r in standings if r["role"] == role], "points", "person")}
             for role in settings.roles if any(r["role"] == role for r in standings)]
    yield "Roles", "roles.md.j2", pages.RolesPage(site, roles)
    yield "Playbook", "playbook.md.j2", _playbook(snapshot, site, played, facts)
    from p2p import clinics

    board = clinics.board(snapshot, now.astimezone(settings.tz).date())
    order_of = {"due": 0, "open": 1, "closed": 2}
    yield "Clinics", "clinics.md.j2", pages.ClinicsPage(site, sorted(board, key=lambda c: (order_of[c["state"]], c["id"])))
    # Less the commit it was read at: with it, the page would be rendered again after
    # every commit (~0.1 s on a big store), whatever the commit changed.
    del stats["commit"]
    yield "Analytics", "analytics.md.j2", pages.AnalyticsPage(site, stats, game.group_rows(snapshot, tallies, "team"))


# -- what the pages show of a challenge's entries --------------------------------------
class _Feedback(NamedTuple):
    """What a person's page shows of one challenge."""

    trend: tuple[float, int | None] | None  # (score, rank) of their row, when it has a score (rubric mode)
    criteria: tuple[tuple[float, float | None], ...]  # per criterion, in rubric order: (their median, their team's)
    comments: tuple[tuple[str, str], ...]  # (rater, comment) of their counted ratings, by rating id


@dataclass
class _Facts:
    """What the pages show of one challenge besides its board, from its entries:
    read one challenge at a time and kept across publishes (p2p.snapshot.with_entries),
    so a publish never holds a big store's million entries."""

    counts: tuple[int, int]  # (current submissions, rating entries)
    first: dt.datetime | None  # the time of its oldest entry
    last: dt.datetime | None  # and of its newest
    bracket: Any  # the bracket round drawn into it (p2p.entries.Bracket), or None
    tags: dict[str, tuple[str, ...]]  # the tags of its top three ranked submissions
    picks: dict[str, list[tuple[str, str | None]]]  # a featured submission's picks: (manager, note), by pick
    helpful: dict[str, list[int]]  # per rater, the answers to "was it helpful?" of their counted ratings
    people: Any  # per person with a row or a counted rating, their _Feedback; kept as _Spill.pack packs it


def _facts(snapshot: Snapshot, challenge: Any, now: dt.datetime, newest: dt.datetime | None,
           early: dict[str, _Before], spill: _Spill) -> _Facts:
    """_facts_of the challenge, kept across publishes. When its entries are read and
    its newest entry is the newest so far, it is also played as it stood a week
    before that entry, into `early`, and kept (_before): after a new entry the
    week-ago standings (_week_ago) need no second read of its folder, nor does the
    next publish when nothing changed."""
    settings = snapshot.settings
    # Besides its entries, people and settings, only these depend on the time asked for.
    variant = ("pages", scoring.needed_ratings(challenge, settings, now), scoring.policy_of(challenge, settings),
               spill.layout)

    def make(entries: list[Entry]) -> _Facts:
        found = _facts_of(snapshot, challenge, entries, now)
        if found.first is not None and found.last is not None and (newest is None or found.last >= newest):
            cutoff = found.last - WEEK
            if found.first < cutoff:
                early[challenge.slug] = _before(snapshot, challenge, now, cutoff, entries)
        return replace(found, people=spill.pack(found.people))

    return snapshot.with_entries(challenge.slug, make, variant)  # type: ignore[no-any-return]


def _facts_of(snapshot: Snapshot, challenge: Any, entries: list[Entry], now: dt.datetime) -> _Facts:
    from p2p import brackets, reviewing

    # The store's own tally of these entries, read folded: not folded again (~0.2 s
    # for a big challenge's 20,000 entries).
    board = scoring.board(challenge, entries, snapshot.people, snapshot.settings, now,
                          folded=snapshot.tallies.get(challenge.slug))
    criteria = challenge.rubric.criteria
    medians = {person: tuple(median([r.scores[c.id] for r in ratings.values()]) for c in criteria)
               for person, ratings in board.ratings.items() if ratings}
    by_team: dict[str, list[tuple[float, ...]]] = {}
    for person, mine in medians.items():
        if person in snapshot.people:
            by_team.setdefault(snapshot.people[person].team, []).append(mine)
    teams = {team: tuple(median([m[i] for m in members]) for i in range(len(criteria)))
             for team, members in by_team.items()}
    rows: dict[str, scoring.Row] = {}
    for row in board.rows:
        rows.setdefault(row.person, row)
    people = {}
    for person in {*rows, *board.ratings}:
        row = rows.get(person)
        trend = (row.score, row.rank) if row is not None and row.score is not None and challenge.mode == "rubric" else None
        ratings = board.ratings.get(person, {})
        team = teams.get(snapshot.people[person].team) if person in snapshot.people else None
        mine = tuple(zip(medians[person], team or (None,) * len(criteria))) if ratings else ()
        said = tuple((rater, rating.comment) for rater, rating in sorted(ratings.items(), key=lambda kv: kv[1].id)
                     if rating.comment)
        if trend is not None or mine or said:
            people[person] = _Feedback(trend, mine, said)
    answers = reviewing.helpful_answers(board, entries)
    helpful: dict[str, list[int]] = {}
    for ratings in board.ratings.values():
        for rater, rating in ratings.items():
            if rating.id in answers:
                helpful.setdefault(rater, []).append(answers[rating.id]["helpful"])
    best = {row.submission for row in board.rows if row.rank is not None and row.rank <= 3 and challenge.mode == "rubric"}
    tags: dict[str, tuple[str, ...]] = {}
    for entry in entries if best else ():
        if entry.id in best and entry.id not in tags and isinstance(entry, Submission):
            tags[entry.id] = entry.tags
    features = scoring.current_features(entries)
    picks = {row.submission: [(f.by, f.note) for f in sorted(features[row.submission], key=lambda f: f.id)]
             for row in board.rows if row.featured_by}
    times = [entry.at for entry in entries]
    return _Facts(views.entry_counts(challenge, entries), min(times, default=None), max(times, default=None),
                  brackets.current(entries), tags, picks, helpful, people)


def _newest(snapshot: Snapshot, facts: dict[str, _Facts]) -> dt.datetime | None:
    """The time of the newest entry, in any entries folder (one of no challenge too)."""
    times = [f.last for f in facts.values() if f.last is not None]
    for folder in snapshot.entry_folders():
        if folder not in facts:
            last = snapshot.with_entries(folder, lambda entries: max((e.at for e in entries), default=None), ("newest",))
            if last is not None:
                times.append(last)
    return max(times, default=None)


class _Spill:
    """Each person's feedback (_Feedback), set aside a challenge at a time in files of
    BUCKET people each, then read back a file at a time in person order: the
    feedback of a big store, most of its text, is never in memory whole. Each
    person's feedback on each challenge stays pickled until their page is made: its
    bytes are what the page's render key is made of (_person)."""

    def __init__(self, folder: Path, people: list[str]) -> None:
        self.folder, self.people = folder, people
        self.bucket = {pid: i // BUCKET for i, pid in enumerate(people)}
        # Which file each person's feedback goes to: part of the key of what `pack` made.
        self.layout = zlib.crc32("\n".join(people).encode("utf-8", "surrogateescape"), BUCKET)

    def pack(self, feedback: dict[str, _Feedback]) -> dict[int, bytes]:
        """A challenge's feedback split into this spill's files, pickled. Kept so in
        the challenge's _Facts (under `layout`), it is appended to the files as it
        is: a big store's publish after one new entry then neither unpickles nor
        pickles again the feedback of the challenges that did not change (~1 s)."""
        split: dict[int, dict[str, bytes]] = {}
        for pid, mine in feedback.items():
            bucket = self.bucket.get(pid)
            if bucket is not None:
                # Its fields, not the NamedTuple, which pickles through Python code.
                split.setdefault(bucket, {})[pid] = pickle.dumps(tuple(mine), protocol=pickle.HIGHEST_PROTOCOL)
        return {bucket: pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL) for bucket, part in split.items()}

    def add(self, index: int, packed: dict[int, bytes]) -> None:
        """The feedback of the `index`-th challenge played, as `pack` made it."""
        for bucket, part in packed.items():
            with open(self.folder / f"{bucket}.pickle", "ab") as handle:
                pickle.dump((index, part), handle, protocol=pickle.HIGHEST_PROTOCOL)

    def read(self) -> Iterator[tuple[str, dict[int, bytes]]]:
        """(person, {challenge index: their feedback, pickled}) for every person, in
        order (`unpack` reads one)."""
        for start in range(0, len(self.people), BUCKET):
            found: dict[str, dict[int, bytes]] = {}
            try:
                with open(self.folder / f"{start // BUCKET}.pickle", "rb") as handle:
                    while True:
                        try:
                            index, part = pickle.load(handle)
                        except EOFError:
                            break
                        for pid, mine in pickle.loads(part).items():
                            found.setdefault(pid, {})[index] = mine
            except FileNotFoundError:  # no one in this file had feedback
                pass
            for pid in self.people[start:start + BUCKET]:
                yield pid, found.get(pid, {})

    @staticmethod
    def unpack(mine: bytes) -> _Feedback:
        """One person's feedback on one challenge, as `read` gives it."""
        return _Feedback(*pickle.loads(mine))


def _plain(snapshot: Snapshot, entries: list[Entry]) -> Snapshot:
    """The snapshot holding just `entries`, read from them alone (not from tallies)."""
    return replace(snapshot, entries=entries, tallies={}, played=None, read_folder=None, folders=None)


def _week_ago(snapshot: Snapshot, challenges: list[Any], now: dt.datetime, newest: dt.datetime | None,
              facts: dict[str, _Facts], early: dict[str, _Before]) -> dict[str, game.Played]:
    """The season's challenges with entries in the week before the newest entry (the
    data's own time, so the page does not change with the clock), each played from
    its entries before that week; the others stood then as they stand now."""
    if newest is None:
        return {}
    cutoff = newest - WEEK
    replayed = {}
    for challenge in challenges:
        found = facts[challenge.slug]
        if found.last is None or found.last < cutoff:
            continue
        if challenge.slug in early and early[challenge.slug].fits(cutoff):
            replayed[challenge.slug] = early[challenge.slug].played
        elif found.first is not None and found.first < cutoff:
            replayed[challenge.slug] = _before(snapshot, challenge, now, cutoff).played
        else:
            replayed[challenge.slug] = _Before.of(snapshot, challenge, now, cutoff, []).played
    return replayed


class _Before(NamedTuple):
    """A challenge played from its entries before a cutoff, with the times of the
    entries either side of it: the same entries come before any cutoff in between."""

    below: dt.datetime | None  # the newest entry before the cutoff
    above: dt.datetime | None  # the oldest entry at or after it
    played: game.Played

    @classmethod
    def of(cls, snapshot: Snapshot, challenge: Any, now: dt.datetime, cutoff: dt.datetime,
           entries: list[Entry]) -> _Before:
        earlier = [e for e in entries if e.at < cutoff]
        before = game.play_one(_plain(snapshot, earlier), challenge, now)
        return cls(max((e.at for e in earlier), default=None), min((e.at for e in entries if e.at >= cutoff), default=None),
                   replace(before, board=replace(before.board, ratings={})))  # points need no ratings

    def fits(self, cutoff: dt.datetime) -> bool:
        return (self.below is None or self.below < cutoff) and (self.above is None or cutoff <= self.above)

    def grown(self, added: list[Entry]) -> _Before:
        """This replay for the challenge's entries and `added` too: the same, with
        their times in its bracket, so that `fits` fails for a cutoff after one of
        them (one added before the cutoff it was made for included)."""
        return self._replace(above=min([e.at for e in added] + ([self.above] if self.above is not None else []),
                                       default=None))


def _before(snapshot: Snapshot, challenge: Any, now: dt.datetime, cutoff: dt.datetime,
            held: list[Entry] | None = None) -> _Before:
    """_Before.of the challenge's entries (`held`, when in hand), kept across
    publishes: the newest entry moves the cutoff each time, but seldom past one of
    the challenge's own; and a new entry, at or after the cutoff, leaves it as it
    was (a big challenge's replay is ~0.4 s)."""
    settings = snapshot.settings
    variant = ("before", scoring.needed_ratings(challenge, settings, now), scoring.policy_of(challenge, settings))
    return snapshot.with_entries(  # type: ignore[no-any-return]
        challenge.slug, lambda entries: _Before.of(snapshot, challenge, now, cutoff, entries), variant,
        fits=lambda kept: kept.fits(cutoff), held=held, grows=lambda kept, added: kept.grown(added))


def _movement(snapshot: Snapshot, season: Any, contributed: list[tuple[str, game.Contribution]],
              standings: list[dict[str, Any]], week_ago: dict[str, game.Played]) -> list[dict[str, Any]]:
    """Standings rows that moved in the week before the newest entry (_week_ago);
    `contributed`: the season's game.contributions now."""
    if not week_ago:  # nothing changed in that week: no one moved
        return []
    then = _plain(snapshot, [])
    teams, rules = game.active_teams(snapshot.people), snapshot.settings.points
    before = [(slug, game.contribution(week_ago[slug], teams, rules) if slug in week_ago else current)
              for slug, current in contributed]
    before_rows = {"rows": game.season_rows(then, game.add_up(then, before, season))}
    moved = reports.since({"rows": [dict(r) for r in standings]}, before_rows)["rows"]
    return [r for r in moved if r["movement"] not in ("=", "")]


def _home(snapshot: Snapshot, site: pages.Site, now: dt.datetime, standings: list[dict[str, Any]],
          won: dict[str, list[dict[str, str]]], movement: list[dict[str, Any]], played: list[game.Played],
          facts: dict[str, _Facts]) -> pages.HomePage:
    docs = [views.challenge_doc(snapshot, c, now, facts[c.slug].counts)
            for c in sorted(snapshot.challenges.values(), key=lambda c: (c.opens, c.slug))]
    live = sorted((d for d in docs if d["state"] in ("open", "review", "upcoming")), key=lambda d: (d["closes"], d["slug"]))
    badges = [{"person": p, "name": snapshot.people[p].name, **b} for p, items in sorted(won.items()) for b in items
              if b["badge"] != "first-steps" and p in snapshot.people]
    from p2p import elo

    ladder, _ = elo.ladder(snapshot, played)
    return pages.HomePage(site, standings[:10], live, movement, badges[:10], ladder[:10])


def _challenge(snapshot: Snapshot, site: pages.Site, challenge: Any, now: dt.datetime,
               scored: scoring.Board | None, facts: dict[str, _Facts]) -> pages.ChallengePage | _Deferred:
    """A challenge's page; with its board `scored`, made only when it must be
    rendered (its leaderboard's rows are made from the board's alone)."""
    doc = views.challenge_doc(snapshot, challenge, now, facts[challenge.slug].counts)
    eligible = sum(1 for p in snapshot.people.values() if p.active and (not challenge.roles or p.role in challenge.roles))
    race = None
    if challenge.race is not None:
        from p2p import races

        race = races.race_doc(challenge, snapshot.entries_of(challenge.slug), snapshot.people, snapshot.settings.tz, now)
    bracket = _bracket(snapshot, challenge.slug, now, facts)

    def make() -> pages.ChallengePage:
        board = reports.leaderboard_doc(snapshot, challenge, now, board=scored)
        best = [r for r in board["rows"] if r["rank"] is not None][:3]
        return pages.ChallengePage(site, doc, board["rows"], best, len(board["rows"]), eligible, race, bracket)

    if scored is None:
        return make()
    # The board as it pickles (its rows as columns), without the ratings and aggregates
    # the page does not show.
    shown = scoring.Board(scored.rows, scored.policy, scored.needed, {}, {})
    return _Deferred(site, ("challenge", site, doc, shown, eligible, race, bracket), make)


def _bracket(snapshot: Snapshot, slug: str, now: dt.datetime, facts: dict[str, _Facts]) -> dict[str, Any] | None:
    """p2p bracket's document of the bracket drawn into `slug`, read from the entries
    of its rounds only."""
    from p2p import brackets

    rounds: list[str] = []
    current: str | None = slug
    while current in facts and current not in rounds and facts[current].bracket is not None:
        rounds.append(current)
        current = facts[current].bracket.previous
    if not rounds:
        return None
    entries = [e for name in rounds for e in snapshot.with_entries(name, list)]
    return brackets.bracket_doc(_plain(snapshot, sorted(entries, key=lambda e: e.id)), slug, now)


def _person(snapshot: Snapshot, site: pages.Site, played: list[game.Played], won: dict[str, list[dict[str, str]]],
            by_person: dict[str, dict[str, Any]], feedback: dict[int, bytes], given: int, helpful: list[int],
            skills: game.SkillScores, pid: str, actions: list[Any], mentoring: list[dict[str, Any]],
            shared: bytes | None) -> _Deferred:
    """A person's page, made only when it must be rendered. `feedback`: theirs by the
    index of the challenge in `played` (_Spill.read's); `shared`: a digest of what
    the page reads of `played`'s challenges and of people's names."""
    accuracy = [v for g in played for v in g.accuracy.get(pid, [])]
    reviews = {"given": given, "accuracy": sum(accuracy) / len(accuracy) if accuracy else None,
               "helpful": sum(helpful) / len(helpful) if helpful else None}
    person, badges, levels, points = (views.person_doc(snapshot.people[pid]), won.get(pid, []),
                                      game.levels(snapshot, skills, pid), by_person.get(pid))

    def make() -> pages.PersonPage:
        criteria, comments, trend = [], [], []
        for index, g in enumerate(played):
            if index not in feedback:
                continue
            challenge, mine = g.challenge, _Spill.unpack(feedback[index])
            if mine.trend is not None:
                score, rank = mine.trend
                trend.append({"challenge": challenge.slug, "title": challenge.title, "score": score, "rank": rank})
            for c, (score, team_median) in zip(challenge.rubric.criteria, mine.criteria):
                criteria.append({"challenge": challenge.slug, "criterion": c.id, "name": c.name, "score": score,
                                 "team_median": team_median})
            for rater, comment in mine.comments:
                comments.append({"challenge": challenge.slug, "title": challenge.title, "comment": comment,
                                 "rater": "a peer" if site.anonymous else snapshot.people[rater].name})
        ordered = sorted(criteria, key=lambda c: (-c["score"], c["challenge"], c["criterion"]))
        growth = ordered[3:][-3:][::-1]  # the weakest criteria that are not already strengths
        return pages.PersonPage(site, person, criteria, ordered[:3], growth, comments, trend, badges, levels,
                                reviews, points, actions, mentoring)

    return _Deferred(site, ("person", shared, site, person, feedback, badges, levels, reviews, points, actions,
                            mentoring), make)


def _teams(snapshot: Snapshot, site: pages.Site, skill_scores: game.SkillScores, standings: list[dict[str, Any]],
           summaries: dict[str, dict[str, Any]]) -> Iterator[tuple[str, pages.TeamPage]]:
    """(team, its page) for every team with an active member, in order; people,
    standings and skills are grouped by team once (500 teams of 5,000 people)."""
    ranked: dict[str, list[dict[str, Any]]] = {}
    for row in standings:
        ranked.setdefault(row["team"], []).append(row)
    members_of: dict[str, list[Any]] = {}
    for person in sorted(snapshot.people.values(), key=lambda p: p.id):
        members_of.setdefault(person.team, []).append(person)
    skills_of: dict[str, dict[str, list[float]]] = {}
    for pid, by_skill in skill_scores.items():
        if pid in snapshot.people:
            skills = skills_of.setdefault(snapshot.people[pid].team, {})
            for skill, scores in by_skill.items():
                skills.setdefault(skill, []).append(sum(s for _, s in scores) / len(scores))
    for team in sorted({p.team for p in snapshot.people.values() if p.active}):
        members = list(ranked.get(team, []))
        listed = {r["person"] for r in members}
        members += [{"person": p.id, "name": p.name, "role": p.role, "points": 0, "challenges": 0, "rank": None}
                    for p in members_of.get(team, []) if p.active and p.id not in listed]
        skills = skills_of.get(team, {})
        yield team, pages.TeamPage(site, team, summaries.get(team), members,
                                   [{"skill": s, "median": median(v), "people": len(v)} for s, v in sorted(skills.items())])


def _playbook(snapshot: Snapshot, site: pages.Site, played: list[game.Played],
              facts: dict[str, _Facts]) -> pages.PlaybookPage:
    items = []
    for g in played:
        best = [row for row in g.board.rows if row.rank is not None and row.rank <= 3 and g.challenge.mode == "rubric"]
        tags = facts[g.challenge.slug].tags
        for row in best:
            items.append({"challenge": g.challenge.slug, "title": g.challenge.title, "person": row.person,
                          "name": row.name, "score": row.score, "rank": row.rank, "link": row.link,
                          "skills": list(g.challenge.skills), "tags": list(tags.get(row.submission, ()))})
    key = lambda i: (-(i["score"] or 0), i["challenge"], i["person"])  # noqa: E731
    skills = sorted({s for i in items for s in i["skills"]})
    all_tags = sorted({t for i in items for t in i["tags"]})
    featured = []
    for g in played:
        picks = facts[g.challenge.slug].picks
        for row in g.board.rows:
            if row.featured_by:
                featured.append({"challenge": g.challenge.slug, "title": g.challenge.title, "person": row.person,
                                 "name": row.name, "link": row.link,
                                 "picks": [{"by": snapshot.people[by].name if by in snapshot.people else by,
                                            "note": note} for by, note in picks[row.submission]]})
    return pages.PlaybookPage(site, [{"skill": s, "work": sorted((i for i in items if s in i["skills"]), key=key)[:5]}
                                     for s in skills],
                              [{"tag": t, "work": sorted((i for i in items if t in i["tags"]), key=key)[:5]}
                               for t in all_tags],
                              featured)
