from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import person_ids
from p2p.commands.output import WRITE_FORMATS, at_option, echo_fields, emit, emit_changes, format_option

PEOPLE_COLUMNS = (("id", "id"), ("name", "name"), ("email", "email"), ("role", "role"), ("team", "team"),
                  ("region", "region"), ("manager", "manager"), ("hired", "hired"), ("active", "active"))


@click.group()
def people() -> None:
    """The roster: who can submit, rate and be ranked."""


@people.command("add")
@click.argument("person_id", metavar="ID")
@click.option("--name", required=True, help="Full name, shown on leaderboards.")
@click.option("--email", required=True, help="Work e-mail; matches `git config user.email` to know who acts.")
@click.option("--role", required=True, help="One of the store's roles (default: sdr, ae, se, am, csm, manager).")
@click.option("--team", required=True, metavar="ID", help="Team id, e.g. east or smb-1.")
@click.option("--region", help="Region or territory.")
@click.option("--manager", metavar="ID", help="The manager's person id (must already be in the roster).")
@click.option("--hired", type=click.DateTime(["%Y-%m-%d"]), help="Hire date, YYYY-MM-DD (for ramp-time analytics).")
@click.option("--inactive", is_flag=True, help="Add as inactive (kept for history, cannot submit).")
@click.option("--update", is_flag=True, help="Allow changing an existing person's details.")
@format_option(WRITE_FORMATS)
@pass_session
def add(session: Session, person_id: str, name: str, email: str, role: str, team: str, region: str | None,
        manager: str | None, hired: dt.datetime | None, inactive: bool, update: bool, fmt: str) -> None:
    """Add a person (or, with --update, change one). Adding the same person again
    with the same details changes nothing.

    \b
    Example:
      p2p people add ava --name "Ava Lee" --email ava@example.com --role ae --team east --hired 2026-09-01
    """
    from p2p import roster

    doc = {"id": person_id, "name": name, "email": email, "role": role, "team": team, "region": region,
           "manager": manager, "hired": hired.date() if hired else None, "active": not inactive}
    emit_changes(fmt, roster.add_person(session.store(), session.as_id, doc, update=update), "person")


@people.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", "default_team", metavar="ID", help="Team for rows without a team column.")
@click.option("--role", "default_role", help="Role for rows without a role column.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@format_option(WRITE_FORMATS)
@pass_session
def import_(session: Session, file: Path, default_team: str | None, default_role: str | None, dry_run: bool,
            fmt: str) -> None:
    """Import people from a CRM user export (CSV, UTF-8 with or without BOM, ',' or ';').

    Headers may be API names (Id, FirstName, LastName, Email, UserRole, IsActive)
    or labels (Full Name, Email, Role, Team, Active). The id is the e-mail's local
    part unless a p2p_id column gives one. Rows that are inactive deactivate people
    already in the roster; rows that cannot be imported are listed as skipped.

    \b
    Example:
      p2p people import salesforce-users.csv --team east
    """
    from p2p import roster
    from p2p.cli import progress_bars

    with progress_bars():
        changes = roster.import_people(session.store(), session.as_id, file, default_team, default_role, dry_run)
    emit_changes(fmt, changes, "person", dry_run)


@people.command("list")
@click.option("--team", metavar="ID", help="Only this team.")
@click.option("--role", help="Only this role.")
@at_option
@format_option()
@pass_session
def list_(session: Session, team: str | None, role: str | None, at: str | None, fmt: str) -> None:
    """List the roster.

    \b
    Example:
      p2p people list --team east --format csv
    """
    from p2p import views

    doc = views.people_doc(session.read(at, [])[0], team, role)
    emit(fmt, doc, doc["people"], PEOPLE_COLUMNS, empty="no people yet: add some with `p2p people add`")


@people.command("show")
@click.argument("person_id", metavar="ID", shell_complete=person_ids)
@at_option
@format_option()
@pass_session
def show(session: Session, person_id: str, at: str | None, fmt: str) -> None:
    """Show one person.

    \b
    Example:
      p2p people show ava --format json
    """
    from p2p import views

    doc = views.person_doc(session.read(at, [])[0].person(person_id))
    if fmt == "table":
        echo_fields(doc.items())
    else:
        emit(fmt, doc, [doc], PEOPLE_COLUMNS)
