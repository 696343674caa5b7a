from __future__ import annotations

import click

from p2p.cli import Session, collector_off, pass_session
from p2p.commands.complete import challenge_slugs
from p2p.commands.output import at_option, emit, format_option

POLICIES = ("median", "mean", "trimmed", "calibrated")  # = p2p.policies.POLICIES; not imported, for a fast --help
CHALLENGE_COLUMNS = (("rank", "rank"), ("person", "person"), ("name", "name"), ("team", "team"), ("role", "role"),
                     ("score", "score"), ("ratings", "ratings"), ("status", "status"))
REVIEWER_COLUMNS = (("rater", "rater"), ("name", "name"), ("reviews", "reviews"), ("accuracy", "accuracy %"),
                    ("helpful", "helpful (1-5)"), ("answers", "answers"))
SEASON_COLUMNS = (("rank", "rank"), ("person", "person"), ("name", "name"), ("team", "team"), ("role", "role"),
                  ("points", "points"), ("challenges", "challenges"), ("submitted", "submitted"),
                  ("reviews", "reviews"), ("helpful", "helpful"), ("placement", "placement"), ("awards", "awards"),
                  ("clinics", "clinics"))


ELO_COLUMNS = (("rank", "rank"), ("person", "person"), ("name", "name"), ("team", "team"), ("elo", "elo"),
               ("played", "played"), ("wins", "won"), ("draws", "drawn"), ("losses", "lost"))


def group_columns(by: str) -> tuple[tuple[str, str], ...]:
    return (("rank", "rank"), (by, by), ("score", "mean points"), ("participants", "took part"),
            ("members", "members"), ("participation", "participation"))


@click.command()
@click.argument("challenge", required=False, shell_complete=challenge_slugs)
@click.option("--aggregate", type=click.Choice(POLICIES), help="Score with this policy instead of the configured one.")
@click.option("--compare", type=click.Choice(POLICIES), help="Show ranks under this policy beside, with the change.")
@click.option("--season", metavar="NAME", help="Season from p2p.yaml [default: the current one, else all time].")
@click.option("--by", type=click.Choice(("person", "team", "role", "elo")), default="person",
              help="Season table per person, per team / role (mean points of members who took part), "
                   "or the head-to-head Elo ladder of face-offs.")
@click.option("--role", metavar="ROLE", help="Only people with this role.")
@click.option("--team", metavar="ID", help="Only people in this team.")
@click.option("--since", metavar="REV", help="Add movement since this revision (▲2 ▼1 = new).")
@click.option("--reviewers", is_flag=True, help="Rank the raters of CHALLENGE by accuracy and helpfulness instead.")
@at_option
@format_option()
@pass_session
def leaderboard(session: Session, challenge: str | None, aggregate: str | None, compare: str | None,
                season: str | None, by: str, role: str | None, team: str | None, since: str | None,
                reviewers: bool, at: str | None, fmt: str) -> None:
    """Standings: of one CHALLENGE, or of the season by points when no challenge is
    given. Equal scores share a rank (1, 2, 2, 4) and are listed by id.

    \b
    Example:
      p2p leaderboard q4-pitch
      p2p leaderboard q4-pitch --compare calibrated
      p2p leaderboard q4-pitch --reviewers
      p2p leaderboard --by team --since season-start
      p2p leaderboard q4-pitch --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from p2p import reports

    if challenge is None:
        _season(session, season, by, role, team, aggregate, since, at, fmt)
        return
    if by != "person" or season:
        raise click.UsageError("--by and --season are for the season table; leave out CHALLENGE")
    if reviewers:
        snapshot, now = session.read(at, [challenge])
        doc = reports.reviewers_doc(snapshot, snapshot.challenge(challenge), now)
        emit(fmt, doc, doc["rows"], REVIEWER_COLUMNS, title=f"Reviewers of {doc['title']} ({challenge})",
             empty="no ratings yet")
        return

    def board(rev: str | None, policy: str | None) -> dict:  # type: ignore[type-arg]
        snapshot, now = session.read(rev, [challenge], folded=True)
        doc = reports.leaderboard_doc(snapshot, snapshot.challenge(challenge), now, policy)
        doc["rows"] = [r for r in doc["rows"] if (not role or r["role"] == role) and (not team or r["team"] == team)]
        return doc

    doc = board(at, aggregate)
    columns = list(CHALLENGE_COLUMNS)
    if doc["mode"] == "metric":
        columns[5] = ("score", "value")
    elif doc["mode"] == "votes":
        columns[5] = ("score", "votes")
    if compare:
        doc = reports.compare(doc, board(at, compare))
        columns += [("compare_rank", f"rank ({compare})"), ("compare_score", f"score ({compare})"),
                    ("rank_change", "change")]
    if since:
        doc = reports.since(doc, board(since, aggregate))
        columns.append(("movement", "move"))
    title = f"{doc['title']} ({challenge}) — {doc['aggregate']}"
    emit(fmt, doc, doc["rows"], columns, title=title, empty="no submissions yet")


def _season(session: Session, season: str | None, by: str, role: str | None, team: str | None,
            policy: str | None, since: str | None, at: str | None, fmt: str) -> None:
    from p2p import reports

    def table(rev: str | None) -> dict:  # type: ignore[type-arg]
        snapshot, now = session.read(rev, records=True, folded=True)
        with collector_off():  # 50 challenges' results, all kept till the end: ~1 s of collections
            doc = reports.season_doc(snapshot, season, now, by, role, team, policy)
        return doc

    doc = table(at)
    columns = list(SEASON_COLUMNS if by == "person" else ELO_COLUMNS if by == "elo" else group_columns(by))
    if since:
        doc = reports.since(doc, table(since), key=by)
        columns.append(("movement", "move"))
    name = doc["season"] or "all time"
    title = f"Season {name} — Elo ladder of face-offs (start 1200, K 32)" if by == "elo" else f"Season {name} — points by {by}"
    emit(fmt, doc, doc["rows"], columns, title=title,
         empty="no face-offs yet" if by == "elo" else "no one has points yet")
