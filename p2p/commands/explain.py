from __future__ import annotations

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import challenge_slugs, person_ids
from p2p.commands.leaderboard import POLICIES
from p2p.commands.output import at_option, echo_fields, emit, format_option

COLUMNS = (("id", "rating"), ("rater", "rater"), ("weighted", "weighted"), ("bias", "bias removed"),
           ("adjusted", "adjusted"), ("weight", "weight"), ("comment", "comment"))


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.argument("person", shell_complete=person_ids)
@click.option("--show-raters", is_flag=True, help="Name the raters (hidden by default).")
@click.option("--aggregate", type=click.Choice(POLICIES), help="Explain under this policy instead.")
@at_option
@format_option()
@pass_session
def explain(session: Session, challenge: str, person: str, show_raters: bool, aggregate: str | None,
            at: str | None, fmt: str) -> None:
    """How PERSON's score in CHALLENGE came about: each rating's weighted score, what
    the policy did with it (bias removed, weight), the score and rank, and what one
    more rating would need to change the rank.

    \b
    Example:
      p2p explain q4-pitch ava
      p2p explain q4-pitch ava --aggregate calibrated --format json
    """
    from p2p import reports

    snapshot, now = session.read(at, [challenge])
    doc = reports.explain_doc(snapshot, snapshot.challenge(challenge), person, now, aggregate, show_raters)
    if fmt != "table":
        emit(fmt, doc, doc.get("ratings", []), COLUMNS)
        return
    if doc["status"] == "no submission":
        click.echo(f"{person} has no submission in {challenge}")
        return
    weights = ", ".join(f"{k}×{v:g}" for k, v in doc["weights"].items())
    echo_fields([("challenge", challenge), ("person", person), ("policy", doc["used_policy"] or doc["policy"]),
                 ("weights", weights if doc["mode"] == "rubric" else None)])
    click.echo()
    emit(fmt, doc, doc["ratings"], COLUMNS, title="Ratings (weighted = Σ weight × score / Σ weight):",
         empty="no ratings yet")
    click.echo()
    result = f"{doc['score']} (rank {doc['rank']})" if doc["status"] == "ranked" else \
        f"pending: {len(doc['ratings'])} of {doc['needed']} ratings"
    echo_fields([("steps", doc["steps"]), ("result", result), ("next rating", _next(doc.get("next_rating")))])


def _next(hint: dict | None) -> str | None:  # type: ignore[type-arg]
    if not hint:
        return None
    if hint.get("ranked_after", 0) > 1:
        return f"{hint['ranked_after']} more ratings before a rank"
    if hint.get("ranked_after") == 1:
        return f"one more rating ranks it, between rank {hint['best_rank']} and {hint['worst_rank']}"
    parts = []
    if hint["up"] is not None:
        parts.append(f"a rating of {hint['up']:g} or more lifts it to rank {hint['up_rank']}")
    if hint["down"] is not None:
        parts.append(f"{hint['down']:g} or less drops it to rank {hint['down_rank']}")
    return "; ".join(parts) or "no single rating changes the rank"
