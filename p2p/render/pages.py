"""What each page template receives: one documented dataclass per page. Rows are
plain dicts with the keys of the matching `--format json` documents (README), so a
template author can explore them with the CLI first.

`Site` is passed to every page as `site`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Site:
    name: str  # the store's name (p2p.yaml)
    season: str | None  # the season shown, None for all time
    as_of: str  # the newest entry's date (YYYY-MM-DD): the data's own time, never the clock's
    target: str  # github | gitlab | azure | mkdocs
    home: str  # the home page's name for links
    anonymous: bool  # hide raters' names in feedback


@dataclass(frozen=True)
class HomePage:
    site: Site
    standings: list[Row]  # season rows (leaderboard --format json), top 10
    open_challenges: list[Row]  # challenge docs that are open or in review, by closing date
    movement: list[Row]  # standings rows that moved (`movement`: ▲2 ▼1 new) in the week before `as_of`
    newest_badges: list[Row]  # {person, name, badge, detail}
    elo: list[Row] = field(default_factory=list)  # leaderboard --by elo rows, top 10


@dataclass(frozen=True)
class ChallengePage:
    site: Site
    challenge: Row  # challenge show --format json
    rows: list[Row]  # leaderboard rows
    best: list[Row]  # the top three ranked rows with links
    submitted: int
    eligible: int  # active people whose role may enter
    race: Row | None = None  # p2p race --format json, for race challenges
    bracket: Row | None = None  # p2p bracket --format json, when a bracket round is drawn into it


@dataclass(frozen=True)
class PersonPage:
    site: Site
    person: Row  # people show --format json
    criteria: list[Row]  # {challenge, criterion, name, score, team_median}
    strengths: list[Row]  # the top criteria by score
    growth: list[Row]  # the bottom criteria by score
    comments: list[Row]  # {challenge, title, rater, comment} (rater is "a peer" when anonymous)
    trend: list[Row]  # {challenge, title, score, rank}
    badges: list[Row]
    levels: list[Row]
    reviews: Row  # {given, accuracy, helpful}
    points: Row | None  # the person's season row
    actions: list[Row] = field(default_factory=list)  # open and overdue items: p2p stats "actions.items"
    mentoring: list[Row] = field(default_factory=list)  # {as: mentor|mentee, with, name, skill, since}


@dataclass(frozen=True)
class TeamPage:
    site: Site
    team: str
    summary: Row | None  # the team's row of leaderboard --by team
    members: list[Row]  # season rows of its members (and members without points)
    skills: list[Row]  # {skill, median} of members' skill scores
    actions: list[Row] = field(default_factory=list)  # members' open and overdue action items


@dataclass(frozen=True)
class RolesPage:
    site: Site
    roles: list[Row]  # {role, rows: season rows of that role}


@dataclass(frozen=True)
class PlaybookPage:
    site: Site
    skills: list[Row]  # {skill, work: [{challenge, title, person, name, score, link, tags}]}
    tags: list[Row]  # {tag, work}
    featured: list[Row] = field(default_factory=list)  # managers' picks: {challenge, title, person, name, link, picks: [{by, note}]}


@dataclass(frozen=True)
class ClinicsPage:
    site: Site
    clinics: list[Row]  # p2p clinic list --all --format json "clinics": open and due first, then closed


@dataclass(frozen=True)
class AnalyticsPage:
    site: Site
    stats: Row  # the `p2p stats --format json` document of the season (with outcomes), less its `commit`
    by_team: list[Row] = field(default_factory=list)  # leaderboard --by team rows
