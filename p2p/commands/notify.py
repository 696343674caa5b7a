from __future__ import annotations

import json

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import challenge_slugs
from p2p.commands.output import at_option


@click.command()
@click.argument("challenge", required=False, shell_complete=challenge_slugs)
@click.option("--format", "fmt", type=click.Choice(("slack", "teams")), required=True,
              help="Slack Block Kit or a Microsoft Teams Adaptive Card.")
@click.option("--announce", is_flag=True, help="Announce CHALLENGE (brief and dates) instead of its standings.")
@click.option("--post", "url", metavar="URL", envvar="P2P_WEBHOOK", show_envvar=True,
              help="Send the payload to this incoming-webhook URL instead of printing it.")
@at_option
@pass_session
def notify(session: Session, challenge: str | None, fmt: str, announce: bool, url: str | None, at: str | None) -> None:
    """Print (or --post) a chat message: the top of CHALLENGE's leaderboard, the
    season's when no challenge is given, or with --announce a new challenge.

    \b
    Example:
      p2p notify q4-pitch --format slack
      p2p notify q4-pitch --announce --format teams --post "$TEAMS_WEBHOOK"
    """
    from p2p import notify as service
    from p2p import reports, views

    if announce and challenge is None:
        raise click.UsageError("--announce needs a CHALLENGE")
    snapshot, now = session.read(at, records=True, folded=True)  # one challenge's entries at a time
    if challenge is None:
        doc = reports.season_doc(snapshot, None, now)
        title, lines = f"Season {doc['season'] or 'standings'}", service.leaderboard_lines(doc)
    elif announce:
        doc = views.challenge_doc(snapshot, snapshot.challenge(challenge), now)
        title, lines = f"New challenge: {doc['title']}", service.announcement_lines(doc)
    else:
        doc = reports.leaderboard_doc(snapshot, snapshot.challenge(challenge), now)
        title, lines = f"Leaderboard: {doc['title']}", service.leaderboard_lines(doc)
    payload = (service.slack if fmt == "slack" else service.teams)(title, lines)
    if url:
        status = service.post(url, payload)
        click.echo(f"posted to the webhook ({status})")
    else:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
