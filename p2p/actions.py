"""Use cases that write entries: submit and rate. Each one loads what it needs (only
the one challenge's entries), checks every rule before touching anything, then
writes one new file as one commit authored by the acting person."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from p2p import entries, model
from p2p.errors import NotFound, Refused, SchemaError, InvalidInput
from p2p.ids import check_id, new_entry_id
from p2p.store import layout, yamlio
from p2p.snapshot import Snapshot
from p2p.store.repo import Identity
from p2p.store.store import Store


@dataclass(frozen=True)
class Written:
    entry: entries.Entry
    path: str
    commit: str


def acting_person(store: Store, snapshot: Snapshot, as_id: str | None) -> model.Person:
    """`--as ID` when given, else the person whose e-mail is `git config user.email`."""
    if as_id:
        check_id(as_id, "--as")
        return snapshot.person(as_id)
    identity = store.git.local_identity()
    match = snapshot.with_email(identity.email) if identity else []
    if len(match) == 1:
        return match[0]
    hint = f"no person in people/ has the e-mail {identity.email}" if identity else "git has no user.email"
    raise InvalidInput(f"who is acting? {hint}; pass --as ID or set P2P_AS")


def submit(store: Store, as_id: str | None, now: dt.datetime, slug: str, *, link: str | None = None,
           notes: str | None = None, tags: Sequence[str] = (), metric: float | None = None,
           team: str | None = None, partner: str | None = None) -> Written:
    snapshot, actor, chal = _scoped(store, as_id, slug)
    state = chal.state(now, snapshot.settings.tz)
    if state != "open":
        raise Refused(f"challenge {slug} is {state}: submissions are accepted only while it is open "
                      f"({chal.opens} to {chal.closes})")
    if not actor.active:
        raise Refused(f"{actor.id} is inactive in people/{actor.id}.yaml and cannot submit")
    if chal.roles and actor.role not in chal.roles:
        raise Refused(f"{actor.id} is a {actor.role}; {slug} is open to {', '.join(chal.roles)}")
    if link is not None and not (link.startswith("https://") or link.startswith("http://")):
        raise InvalidInput(f"--link {link!r} must be an http:// or https:// URL")
    if chal.mode == "metric":
        if metric is None:
            raise InvalidInput(f"--metric is required: {slug} ranks by {chal.metric.name if chal.metric else 'a number'}")
        if not math.isfinite(metric) or metric < 0:
            raise InvalidInput(f"--metric {metric:g} must be a number of 0 or more")
    elif metric is not None:
        raise InvalidInput(f"--metric is only for metric challenges; {slug} is scored by {chal.mode}")
    team = _submission_team(snapshot, chal, actor, team)
    if partner is not None:
        if chal.format != "pairs":
            raise InvalidInput(f"--partner is only for pairs challenges; {slug} is {chal.format}")
        if snapshot.person(partner).id == actor.id:
            raise InvalidInput("--partner must be someone else")
    entry = entries.Submission(
        id=_new_id(store, snapshot, now, slug), at=now, by=actor.id, challenge=slug, link=link, notes=notes,
        tags=tuple(tags), metric=metric, team=team, partner=partner,
    )
    return _record(store, entry, actor)


def _scoped(store: Store, as_id: str | None, slug: str, *others: str) -> tuple[Snapshot, model.Person, model.Challenge]:
    """The store as a write in `slug` needs it: the actor's own entries (their
    latest id and what they replace) and the people they name — not the whole
    challenge, which may hold 20,000 entries. Team and pairs challenges share
    submissions between people, so they read the whole challenge."""
    base = store.load(challenges=[], authors=())  # no entries; people read back as asked for
    actor = acting_person(store, base, as_id)
    chal = base.challenge(check_id(slug, "challenge"))
    for other in others:
        base.person(other)
    authors = {actor.id, *others} if chal.format == "individual" else None
    # At the commit just read, not HEAD again: both reads see one state of the store.
    return store.load(base.commit, challenges=[slug], authors=authors), actor, chal


def _submission_team(snapshot: Snapshot, chal: model.Challenge, actor: model.Person, team: str | None) -> str | None:
    if team is None:
        return actor.team if chal.format == "team" else None
    check_id(team, "--team")
    if chal.format != "team":
        raise InvalidInput(f"--team is only for team challenges; {chal.slug} is {chal.format}")
    if team != actor.team:
        raise Refused(f"{actor.id} is in team {actor.team}, not {team}; submit for your own team")
    return team


def rate(store: Store, as_id: str | None, now: dt.datetime, slug: str, target: str,
         scores: Sequence[str], comment: str | None = None) -> Written:
    snapshot, actor, chal = _scoped(store, as_id, slug, target)
    submission = _peer_target(snapshot, chal, actor, target, now, "rate")
    entry = entries.Rating(
        id=_new_id(store, snapshot, now, slug), at=now, by=actor.id, challenge=slug, submission=submission.id,
        person=submission.by, scores=parse_scores(chal.rubric, scores), comment=comment,
    )
    return _record(store, entry, actor)


def _peer_target(snapshot: Snapshot, chal: model.Challenge, actor: model.Person, target: str,
                 now: dt.datetime, verb: str) -> entries.Submission:
    """The submission a peer may rate or vote for: while open or in review, by an
    active peer, never their own (or their team's)."""
    from p2p import scoring  # here: a submit needs no scoring

    rated = snapshot.person(target)
    state = chal.state(now, snapshot.settings.tz)
    if state not in ("open", "review"):
        raise Refused(f"challenge {chal.slug} is {state}: you can {verb} while it is open or in review "
                      f"({chal.opens} to {chal.review_closes})")
    if not actor.active:
        raise Refused(f"{actor.id} is inactive in people/{actor.id}.yaml and cannot {verb}")
    submission = scoring.current_submission(chal, snapshot.entries_of(chal.slug), rated)
    if submission is None:
        raise NotFound(f"{target} has no submission in {chal.slug} to {verb}")
    if actor.id == submission.by or (submission.team is not None and submission.team == actor.team):
        raise Refused(f"{actor.id} cannot {verb}{' for' if verb == 'vote' else ''} their own submission in {chal.slug}")
    return submission


def vote(store: Store, as_id: str | None, now: dt.datetime, slug: str, target: str,
         award: str = entries.DEFAULT_AWARD) -> Written:
    """One vote per person per award per challenge; a new vote replaces the old."""
    snapshot, actor, chal = _scoped(store, as_id, slug, target)
    check_id(award, "--award")
    submission = _peer_target(snapshot, chal, actor, target, now, "vote")
    entry = entries.Vote(id=_new_id(store, snapshot, now, slug), at=now, by=actor.id, challenge=slug,
                         submission=submission.id, person=submission.by, award=award)
    return _record(store, entry, actor)


def feature(store: Store, as_id: str | None, now: dt.datetime, slug: str, target: str, note: str | None = None,
            remove: bool = False) -> Written | None:
    """A manager features `target`'s current submission as an example of what good
    looks like (or takes it back). None when that is already so."""
    from p2p import scoring

    snapshot, actor, chal = _scoped(store, as_id, slug, target)
    person = snapshot.person(target)
    if actor.role != "manager" and person.manager != actor.id:
        raise Refused(f"{actor.id} is not a manager: only managers feature submissions")
    if person.id == actor.id:
        raise Refused("you cannot feature your own submission")
    submission = scoring.current_submission(chal, snapshot.entries_of(slug), person)
    if submission is None:
        raise NotFound(f"{target} has no submission in {slug} to feature")
    mine = [f for f in scoring.current_features(snapshot.entries_of(slug)).get(submission.id, []) if f.by == actor.id]
    unchanged = not mine if remove else bool(mine) and mine[0].note == note
    if unchanged:
        return None
    entry = entries.Feature(id=_new_id(store, snapshot, now, slug), at=now, by=actor.id, challenge=slug,
                            submission=submission.id, person=submission.by, note=note, featured=not remove)
    return _record(store, entry, actor)


def rate_feedback(store: Store, as_id: str | None, now: dt.datetime, slug: str, rating_id: str,
                  helpful: int) -> Written:
    """The rated person says how useful a rating was (1-5); the latest answer counts."""
    snapshot = store.load(challenges=[check_id(slug, "challenge")])
    actor = acting_person(store, snapshot, as_id)
    snapshot.challenge(slug)
    rating = _find_rating(snapshot, slug, rating_id)
    if rating.person != actor.id:
        raise Refused(f"rating {rating.id} is feedback for {rating.person}; only they can say how useful it was")
    if not 1 <= helpful <= 5:
        raise InvalidInput(f"--helpful {helpful} is out of range; use 1 (not useful) to 5 (very useful)")
    entry = entries.Feedback(id=new_entry_id(now, _newest(snapshot, slug)), at=now, by=actor.id, challenge=slug,
                             rating=rating.id, helpful=helpful)
    return _record(store, entry, actor)


def assign_reviewers(store: Store, as_id: str | None, now: dt.datetime, slug: str, reviewers: int,
                     seed: int | None = None) -> Written:
    """Write a balanced review assignment for the challenge's current submissions."""
    from p2p import assign, game, scoring

    snapshot = store.load(folded=True)  # one challenge's entries in memory at a time
    actor = acting_person(store, snapshot, as_id)
    chal = snapshot.challenge(slug)
    if chal.state(now, snapshot.settings.tz) == "closed":
        raise Refused(f"challenge {slug} is closed; there is nothing left to review")
    authors = snapshot.with_entries(
        slug, lambda found: sorted(s.by for s in scoring.current_submissions(chal, found).values()))
    pool = sorted(p.id for p in snapshot.people.values() if p.active and (not chal.roles or p.role in chal.roles))
    season = snapshot.settings.season(None, now.astimezone(snapshot.settings.tz).date())
    earlier = [pair for other in game.season_challenges(snapshot, season) if other.slug != slug
               for pair in snapshot.with_entries(other.slug, scoring.current_assignment, ("assignment",))]
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "big")
    plan = assign.assign(authors, pool, snapshot.people, reviewers, seed, chal.review_exclusions, earlier)
    entry = entries.Assignment(id=_new_id(store, snapshot, now, slug), at=now, by=actor.id, challenge=slug,
                               pairs=plan.pairs, reviewers=reviewers, seed=seed)
    return _record(store, entry, actor)


def _find_rating(snapshot: Snapshot, slug: str, prefix: str) -> entries.Rating:
    """A rating by id or unique id prefix (case-insensitive, at least 4 characters)."""
    wanted = prefix.strip().upper()
    if len(wanted) < 4:
        raise InvalidInput(f"rating id {prefix!r} is too short; give at least 4 characters of it")
    found = [e for e in snapshot.entries_of(slug) if isinstance(e, entries.Rating) and e.id.startswith(wanted)]
    if not found:
        raise NotFound(f"no rating {prefix!r} in {slug}; `p2p explain {slug} PERSON --format json` lists them")
    if len(found) > 1:
        raise InvalidInput(f"rating id {prefix!r} is ambiguous in {slug}: {', '.join(e.id for e in found[:5])}")
    return found[0]


def _new_id(store: Store, snapshot: Snapshot, now: dt.datetime, slug: str) -> str:
    """A new entry id, later than every one in the challenge at the commit the rules
    were checked at (that read listed its folder: looking it up costs no process)."""
    return new_entry_id(now, store.newest_entry_id(slug, snapshot.commit or "HEAD"))


def _newest(snapshot: Snapshot, slug: str) -> str | None:
    return max((e.id for e in snapshot.entries_of(slug)), default=None)


_SCORE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?")  # ASCII digits: 4, 3.5, 4.25


def parse_scores(rubric: model.Rubric, pairs: Sequence[str]) -> dict[str, float]:
    """`["opening=4", …]` into {criterion: score}: every criterion once, in the scale."""
    scores: dict[str, float] = {}
    allowed = ", ".join(c.id for c in rubric.criteria)
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep:
            raise InvalidInput(f"--score {pair!r} must look like CRITERION=N, e.g. {rubric.criteria[0].id}=4")
        if rubric.criterion(key) is None:
            raise InvalidInput(f"--score: unknown criterion {key!r}; this rubric has {allowed}")
        if key in scores:
            raise InvalidInput(f"--score: criterion {key!r} is given twice")
        if not _SCORE.fullmatch(raw.strip()):
            raise InvalidInput(f"--score {key}={raw!r}: the score must be a number from {rubric.min} to {rubric.max}")
        value = float(raw)
        if not (rubric.min <= value <= rubric.max):
            raise InvalidInput(f"--score {key}={raw}: out of range; the scale is {rubric.min} to {rubric.max}")
        scores[key] = value
    missing = [c.id for c in rubric.criteria if c.id not in scores]
    if missing:
        raise InvalidInput(f"--score missing for {', '.join(missing)}: every criterion ({allowed}) needs a score")
    return {c.id: scores[c.id] for c in rubric.criteria}


_OPTIONS = {"link": "--link", "notes": "--notes", "tags": "--tag", "comment": "--comment", "metric": "--metric",
            "note": "--note"}


def commit_new_file(store: Store, path: str, item: Any, parse: Callable[[Any], Any], author: model.Person,
                    message: str, options: Mapping[str, str]) -> str:
    """Write one new entry or record file as one commit by `author`. What is written
    must read back; a refusal names the option the user gave (`options`: field ->
    option), and a value too long for a store file names the field holding it."""
    doc = item.to_doc()
    data = yamlio.dumps(doc, layout.header(path))
    try:
        parse(yamlio.loads(data))
    except yamlio.YamlError as exc:  # the file-size limit: some value is far too long
        field = max(doc, key=lambda key: len(str(doc[key])))
        raise InvalidInput(f"{options.get(field, field)} is too long to store ({exc.message}); shorten it") from None
    except SchemaError as exc:
        option = options.get((exc.field or "").split(".")[0])
        raise InvalidInput(f"{option}: {exc.message}" if option else exc.message) from None
    identity = Identity(author.name, author.email)
    return store.write({path: data}, message, identity, store.committer(fallback=identity),  # type: ignore[no-any-return]
                       guard=False)  # a new, uniquely named file: nothing of the user's to protect


def _record(store: Store, entry: entries.Entry, author: model.Person) -> Written:
    path = layout.entry_path(entry.challenge, entry.by, entry.id)
    commit = commit_new_file(store, path, entry, entries.parse_entry, author,
                             f"p2p: {entry.kind} {entry.challenge} by {entry.by}", _OPTIONS)
    return Written(entry, path, commit)


def draw_bracket(store: Store, as_id: str | None, now: dt.datetime, slug: str, size: int | None, seed: int,
                 previous: str | None = None) -> Written:
    """Draw a bracket round into pairs challenge `slug`: the first round from the
    entrants by season standing, or the next round from `previous`'s winners."""
    from p2p import brackets, game

    snapshot = store.load(challenges=[slug] + ([previous] if previous else []), records=True)
    actor = acting_person(store, snapshot, as_id)
    chal = snapshot.challenge(slug)
    if chal.format != "pairs":
        raise InvalidInput(f"{slug} is a {chal.format} challenge; a bracket's matches are face-offs in a pairs challenge")
    if chal.state(now, snapshot.settings.tz) != "upcoming" and any(
            isinstance(e, entries.Submission) for e in snapshot.entries_of(slug)):
        raise Refused(f"{slug} already has submissions: draw a bracket before its face-offs start")
    if previous is not None:
        before = brackets.round_doc(snapshot, snapshot.challenge(previous).slug, now)
        if before is None:
            raise NotFound(f"{previous} has no bracket; draw its first round with `p2p bracket {previous} --size N`")
        if len(before["matches"]) < 2:
            raise Refused(f"{previous} was the final: the bracket is complete")
        undecided = [m for m in before["matches"] if m["winner"] is None]
        if undecided:
            raise Refused(f"{previous}'s matches are decided when its review closes ({len(undecided)} still open)")
        slots = tuple(m["winner"] for m in before["matches"])
        seeds = brackets.current(snapshot.entries_of(previous)).seeds
    else:
        if size not in brackets.SIZES:
            raise InvalidInput(f"--size {size} must be one of {', '.join(map(str, brackets.SIZES))}")
        entrants = [p.id for p in snapshot.people.values()
                    if p.active and (not chal.roles or p.role in chal.roles)]
        if len(entrants) < 2:
            raise Refused(f"{slug} has {len(entrants)} eligible people; a bracket needs two or more")
        season = snapshot.settings.season(None, now.astimezone(snapshot.settings.tz).date())
        full = store.load(records=True, folded=True)  # season points: each challenge read as its tally
        _, tallies = game.season_points(full, season, now)
        points = {pid: t.points for pid, t in tallies.items()}
        drawn = brackets.draw(entrants, points, size, seed)
        slots = tuple(drawn)
        ranked = brackets.seeding(entrants, points, seed)[:size]
        seeds = {pid: i for i, pid in enumerate(ranked, 1)}
    entry = entries.Bracket(id=_new_id(store, snapshot, now, slug), at=now, by=actor.id, challenge=slug,
                            seed=seed, slots=slots, seeds=seeds, previous=previous)
    return _record(store, entry, actor)
