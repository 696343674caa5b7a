from __future__ import annotations

import click

from p2p.cli import Session, pass_session
from p2p.commands.output import emit, format_option

COLUMNS = (("rank", "rank"), ("person", "person"), ("name", "name"), ("team", "team"), ("role", "role"),
           ("score", "score"), ("ratings", "ratings"), ("status", "status"))


@click.command()
@click.argument("challenge")
@click.option("--at", "rev", default="HEAD", metavar="REV", help="Compute from the store as of this git revision.")
@format_option()
@pass_session
def leaderboard(session: Session, challenge: str, rev: str, fmt: str) -> None:
    """Standings of CHALLENGE: the median of raters' weighted scores, ranked once a
    submission has min_ratings ratings (pending before), equal scores sharing a rank.

    \b
    Example:
      p2p leaderboard q4-pitch
      p2p leaderboard q4-pitch --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from p2p import views

    snapshot = session.store().load(rev, challenges=[challenge])
    doc = views.leaderboard_doc(snapshot, snapshot.challenge(challenge))
    columns = COLUMNS if doc["mode"] != "metric" else tuple((k, "value" if k == "score" else h) for k, h in COLUMNS)
    emit(fmt, doc, doc["rows"], columns, title=f"{doc['title']} ({challenge})", empty="no submissions yet")
    if snapshot.problems:
        click.echo(f"warning: {len(snapshot.problems)} store files have problems and were left out; "
                   "run `p2p check`", err=True)
