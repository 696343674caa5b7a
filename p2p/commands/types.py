from __future__ import annotations

import click

from p2p.cli import Session, pass_session
from p2p.commands.output import echo_fields, emit, format_option

TYPE_COLUMNS = (("type", "type"), ("title", "title"), ("mode", "mode"), ("format", "format"),
                ("skills", "skills"), ("roles", "roles"), ("duration_days", "days"))
CRITERIA_COLUMNS = (("id", "criterion"), ("name", "name"), ("weight", "weight"), ("low", "what a low score looks like"),
                    ("high", "what a high score looks like"))


@click.group(invoke_without_command=True)
@format_option()
@click.pass_context
def types(ctx: click.Context, fmt: str) -> None:
    """The built-in challenge types and their rubrics.

    \b
    Example:
      p2p types
      p2p types show pitch-battle
    """
    if ctx.invoked_subcommand is None:
        from p2p import views

        doc = views.types_doc()
        emit(fmt, doc, doc["types"], TYPE_COLUMNS)


@types.command("show")
@click.argument("type_name", metavar="TYPE")
@format_option()
@pass_session
def show(session: Session, type_name: str, fmt: str) -> None:
    """Show one type: what it trains, how it is scored, and its rubric.

    \b
    Example:
      p2p types show objection-handling --format json
    """
    from p2p import catalog, views

    doc = views.type_doc(catalog.get_type(type_name))
    if fmt != "table":
        emit(fmt, doc, criteria_rows(doc["rubric"]), CRITERIA_COLUMNS)
        return
    echo_fields((k, doc[k]) for k in ("type", "title", "description", "mode", "format", "skills", "roles",
                                      "duration_days", "review_days", "min_ratings"))
    echo_scoring(doc)


def echo_scoring(doc: dict) -> None:  # type: ignore[type-arg]
    """The metric (if any) and the rubric of a type or challenge, as text."""
    if doc["metric"]:
        echo_fields([("metric", f"{doc['metric']['name']} ({doc['metric']['direction']} is better)")])
    click.echo()
    scale = doc["rubric"]["scale"]
    emit("table", doc, criteria_rows(doc["rubric"]), CRITERIA_COLUMNS, title=f"Rubric (scale {scale['min']}-{scale['max']}):")


def criteria_rows(rubric: dict) -> list[dict]:  # type: ignore[type-arg]
    """One row per criterion with the lowest and highest level descriptions."""
    rows = []
    for criterion in rubric["criteria"]:
        levels = criterion["levels"]
        rows.append({**criterion, "low": levels.get(str(rubric["scale"]["min"]), ""),
                     "high": levels.get(str(rubric["scale"]["max"]), "")})
    return rows
