"""Reading a CRM user export (Salesforce, HubSpot, a spreadsheet) into people records.
Pure: text in, person documents and skipped rows out.

Headers are matched loosely, so both API names (`Id, FirstName, LastName, Email,
UserRole, IsActive`) and labels (`Full Name, Email, Role, Active`) work."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from p2p import fields
from p2p.ids import is_id, slugify

# Canonical column -> header spellings (compared lowercase with spaces, '_' and '.' removed).
COLUMNS = {
    "p2p_id": ("p2pid", "handle", "alias", "username", "nickname"),
    "crm_id": ("id", "userid", "ownerid", "recordid", "employeeid"),
    "name": ("name", "fullname", "displayname"),
    "first": ("firstname", "givenname"),
    "last": ("lastname", "surname", "familyname"),
    "email": ("email", "emailaddress", "workemail"),
    "role": ("role", "userrole", "userrolename", "title", "jobtitle", "position"),
    "team": ("team", "teamname", "department", "division", "squad", "pod"),
    "region": ("region", "territory", "geo", "market"),
    "manager": ("manager", "managerid", "manageremail", "reportsto", "managername"),
    "hired": ("hired", "hiredate", "startdate", "datehired"),
    "active": ("active", "isactive", "status"),
}

# Role labels seen in CRMs -> p2p role ids; matched as whole words, first match wins.
# Leadership words come first ("SDR Team Lead" manages); then the individual-contributor
# titles that contain "manager" ("Customer Success Manager", "Account Manager"); then
# "manager" itself ("Sales Manager"); then the other individual roles.
ROLE_WORDS = (
    (r"\b(director|head of|vp|vice president|team lead|chief)\b", "manager"),
    (r"\b(csm|customer success|renewals?)\b", "csm"),
    (r"\b(am|account manager)\b", "am"),
    (r"\b(manager|mgr|lead)\b", "manager"),
    (r"\b(sdr|bdr|sales development|business development|lead development)\b", "sdr"),
    (r"\b(se|sales engineer|solutions? (engineer|consultant|architect)|presales)\b", "se"),
    (r"\b(ae|account executive|closer|sales executive)\b", "ae"),
)

TRUE = {"true", "1", "yes", "y", "active", "t"}
FALSE = {"false", "0", "no", "n", "inactive", "f", "disabled", "deactivated"}


@dataclass
class Parsed:
    people: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, person document)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    inactive: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, {id, email})


def _key(header: str) -> str:
    return re.sub(r"[\s_.\-]", "", header.strip().lower())


def map_headers(headers: list[str]) -> dict[str, int]:
    keys = [_key(h) for h in headers]
    found = {}
    for column, spellings in COLUMNS.items():
        for spelling in spellings:
            if spelling in keys:
                found[column] = keys.index(spelling)
                break
    return found


def role_of(label: str, roles: tuple[str, ...]) -> str | None:
    text = label.strip().lower()
    if text in roles:
        return text
    for pattern, role in ROLE_WORDS:
        if role in roles and re.search(pattern, text):
            return role
    return None


def read_table(data: bytes) -> list[tuple[int, list[str]]]:
    """(first line, cells) of each record of a CSV export: UTF-8 with or without BOM,
    ',' ';' or tab delimited. Line numbers count quoted multi-line cells."""
    text = data.decode("utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    line = 1
    for row in reader:
        records.append((line, row))
        line = reader.line_num + 1
    return records


def parse_people(data: bytes, roles: tuple[str, ...], default_team: str | None = None,
                 default_role: str | None = None) -> Parsed:
    rows = read_table(data)
    if not rows:
        raise ValueError("the file is empty")
    headers = rows[0][1]
    columns = map_headers(headers)
    if "email" not in columns:
        raise ValueError(f"no e-mail column among the headers {', '.join(headers)}; expected e.g. Email")
    if "name" not in columns and "first" not in columns:
        raise ValueError("no name column; expected Name, Full Name, or FirstName and LastName")
    result = Parsed()
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        cell = lambda col: row[columns[col]].strip() if col in columns and columns[col] < len(row) else ""  # noqa: E731
        if cell("active").lower() in FALSE:  # only needs to say who: it deactivates a known person
            ident, reason = _identity(cell)
            (result.inactive.append((line, ident)) if ident else result.skipped.append((line, reason)))
            continue
        doc, reason = _person(cell, roles, default_team, default_role)
        (result.people.append((line, doc)) if doc else result.skipped.append((line, reason)))
    return result


def _identity(cell: Any) -> tuple[dict[str, Any] | None, str]:
    email = cell("email")
    if not fields.EMAIL.fullmatch(email):
        return None, f"e-mail {email!r} is not an address" if email else "no e-mail"
    pid = cell("p2p_id").lower() or slugify(email.split("@")[0])
    if not is_id(pid):
        return None, f"cannot make an id from {email!r}; add a p2p_id column"
    return {"id": pid, "email": email}, ""


def _person(cell: Any, roles: tuple[str, ...], default_team: str | None,
            default_role: str | None) -> tuple[dict[str, Any] | None, str]:
    ident, reason = _identity(cell)
    if ident is None:
        return None, reason
    name = cell("name") or " ".join(p for p in (cell("first"), cell("last")) if p)
    if not name:
        return None, "no name"
    label = cell("role")
    role = (role_of(label, roles) if label else None) or default_role
    if role is None:
        return None, (f"role {label!r} is not one of {', '.join(roles)} (pass --role to import such rows as one role)"
                      if label else "no role (pass --role to set a default)")
    team = slugify(cell("team")) or default_team
    if not team:
        return None, "no team (pass --team to set a default)"
    doc: dict[str, Any] = {**ident, "name": name, "role": role, "team": team}
    for column in ("region", "crm_id"):
        if cell(column):
            doc[column] = cell(column)
    if cell("hired"):
        hired = _date(cell("hired"))
        if hired is None:
            return None, f"hire date {cell('hired')!r} is not a date (YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)"
        doc["hired"] = hired
    if cell("manager"):
        doc["manager"] = cell("manager")  # resolved to a person id once everyone is known
    return doc, ""


def _date(text: str) -> str | None:
    for form in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None
