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
from p2p.errors import SchemaError
from p2p.ids import is_id, slugify
from p2p.progress import steps

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
    for line, row in steps(rows[1:], "reading rows"):
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


# -- outcomes: per-person results per period -------------------------------------------
OUTCOME_COLUMNS = {
    "p2p_id": ("p2pid", "person", "handle"),
    "crm_id": ("ownerid", "userid", "id", "opportunityownerid", "recordid"),
    "email": ("email", "owneremail", "opportunityowneremail", "useremail", "emailaddress"),
    "period": ("period", "fiscalperiod", "closemonth", "month", "quarter", "fiscalquarter", "closedate"),
    "win_rate": ("winrate", "win%", "winrate%", "winpercentage"),
    "deals_won": ("dealswon", "won", "closedwon", "wondeals", "numberofwondeals", "closedwoncount"),
    "deal_size": ("averagedealsize", "avgdealsize", "avgamount", "averageamount", "dealsize", "averageamountwon"),
}


def parse_outcomes(data: bytes, people: dict[str, Any]) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]]]:
    """([(line, {person, period, win_rate, deals_won, deal_size})], [(line, reason)]) from
    a CRM report of results per person and period. People are found by p2p id, CRM id
    (a Salesforce id matches in its 15- or 18-character form) or e-mail."""
    from p2p.records import check_period

    rows = read_table(data)
    if not rows:
        raise ValueError("the file is empty")
    headers = rows[0][1]
    keys = [_key(h) for h in headers]
    columns = {col: keys.index(s) for col, spellings in OUTCOME_COLUMNS.items() for s in reversed(spellings) if s in keys}
    if not {"p2p_id", "crm_id", "email"} & set(columns):
        raise ValueError(f"no column says who: expected Email, Owner ID or p2p_id among {', '.join(headers)}")
    if "period" not in columns:
        raise ValueError(f"no period column: expected Period, Close Month or Fiscal Quarter among {', '.join(headers)}")
    if not {"win_rate", "deals_won", "deal_size"} & set(columns):
        raise ValueError("no result column: expected Win Rate, Deals Won or Average Deal Size")
    by_email = {p.email.lower(): p.id for p in people.values()}
    by_crm = {p.crm_id[:15]: p.id for p in people.values() if p.crm_id}
    found, skipped = [], []
    for line, row in steps(rows[1:], "reading rows"):
        if not any(cell.strip() for cell in row):
            continue
        cell = lambda col: row[columns[col]].strip() if col in columns and columns[col] < len(row) else ""  # noqa: E731
        pid = (cell("p2p_id") if cell("p2p_id") in people else None) or by_crm.get(cell("crm_id")[:15]) \
            or by_email.get(cell("email").lower())
        if pid is None:
            who = cell("email") or cell("crm_id") or cell("p2p_id") or "an empty cell"
            skipped.append((line, f"{who} is not in people/"))
            continue
        try:
            period = check_period(_period(cell("period")), "period")
            doc: dict[str, Any] = {"person": pid, "period": period}
            for col in ("win_rate", "deals_won", "deal_size"):
                if cell(col):
                    doc[col] = _amount(cell(col), col)
            if len(doc) == 2:  # a blank row must not replace results recorded before
                raise ValueError("no results: Win Rate, Deals Won and Average Deal Size are all empty")
            if doc.get("win_rate") is not None:
                doc["win_rate"] = doc["win_rate"] / 100 if doc["win_rate"] > 1 or cell("win_rate").endswith("%") else doc["win_rate"]
                if doc["win_rate"] > 1:
                    raise ValueError(f"win rate {cell('win_rate')!r} is over 100%")
        except (ValueError, SchemaError) as exc:
            skipped.append((line, str(getattr(exc, "message", exc))))
            continue
        found.append((line, doc))
    return found, skipped


def _period(text: str) -> str:
    """2026-10, 2026-Q4, Q4 2026, Q4-2026, FY2026-Q4 or a date (its month)."""
    text = text.strip().upper().removeprefix("FY")
    quarter = re.fullmatch(r"Q([1-4])[\s\-/]*(\d{4})", text)
    if quarter:
        return f"{quarter[2]}-Q{quarter[1]}"
    day = re.fullmatch(r"(\d{4})-(\d{2})-\d{2}", text)
    if day:
        return f"{day[1]}-{day[2]}"
    return text


def _amount(text: str, column: str) -> float:
    """A number from a CRM cell: currency signs, thousands separators and % dropped.
    A formula (`=…`) is refused, never evaluated."""
    if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not re.fullmatch(r"-[\d.,]+", text)):
        raise ValueError(f"{column} {text!r} is a formula, not a number")
    cleaned = re.sub(r"[\s$€£¥%]", "", text)
    if "," in cleaned and "." in cleaned:  # the later one is the decimal mark: 1,250.50 or 1.250,50
        thousands = "," if cleaned.rindex(".") > cleaned.rindex(",") else "."
        cleaned = cleaned.replace(thousands, "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+", cleaned):  # 12,500: thousands
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:  # 34,5: a decimal comma
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a number") from None
    if value < 0 or value != value or value in (float("inf"),):
        raise ValueError(f"{column} {text!r} must be 0 or more")
    return value
