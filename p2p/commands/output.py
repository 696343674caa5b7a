"""Output for every command: the `--format` option family and one `emit` that prints
a result as a terminal table, JSON, CSV or a Markdown table. tabulate is imported
only when a table is actually printed."""

from __future__ import annotations

import io
import sys
from dataclasses import asdict
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

import click


READ_FORMATS = ("table", "json", "csv", "markdown")
# Write commands print a short text report, or JSON; they accept the read formats too
# (as text) so one P2P_FORMAT works for a whole script.
WRITE_FORMATS = ("text", "json", "table", "csv", "markdown")
F = TypeVar("F", bound=Callable[..., Any])
CELL_WIDTH = 48  # a table cell wraps past this many columns


def _remember(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from p2p.cli import Session

    session = ctx.find_object(Session)
    if session is not None:
        session.format = value
    return value


def format_option(choices: Sequence[str] = READ_FORMATS) -> Callable[[F], F]:
    """`--format` for read commands (table|json|csv|markdown) or writes (text|json)."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], envvar="P2P_FORMAT", show_envvar=True,
        is_eager=True, callback=_remember, help="Output format; json is stable and documented in the README.",
    )


def at_option(command: F) -> F:
    """`--at REV` for read commands: the store as it was at any git revision."""
    return click.option("--at", metavar="REV", envvar="P2P_AT", show_envvar=True,
                        help="Read the store as of this git revision (a tag, a commit, main@{2026-10-01}).")(command)


Columns = Sequence[tuple[str, str]]  # (key in the row dict, header)


def emit(fmt: str, document: Any, rows: Iterable[dict[str, Any]] = (), columns: Columns = (),
         title: str | None = None, empty: str = "nothing to show") -> None:
    """Print `document` as JSON, or `rows` (dicts) in the chosen tabular format."""
    if fmt == "json":
        import json  # here, like csv and tabulate: a write in text mode needs none of them

        # Indented for a person at a terminal; compact for a pipe, where Python's C
        # encoder is ~8x faster (the indenting encoder is pure Python).
        indent = 2 if sys.stdout.isatty() else None
        click.echo(json.dumps(document, indent=indent, ensure_ascii=False, default=str))
        return
    rows = list(rows)
    if fmt == "csv":
        click.echo("".join(_csv_lines(rows, columns)), nl=False)
        return
    if fmt == "markdown":
        click.echo(_markdown(rows, columns, title, empty), nl=False)
        return
    if title:
        click.echo(title)
    if not rows:
        click.echo(empty)
        return
    # Long cells are wrapped here, not by tabulate's `maxcolwidths`: that wraps every
    # cell of the column (0.5 s of a 4,000-row leaderboard, 8 s of the 30,000 rows of
    # `badges`), and in tabulate 0.10 it also prints a "False" beside a long cell as
    # True and fails on "1,234".
    body = [[_fitted(_plain(row.get(k))) for k, _ in columns] for row in rows]
    click.echo(simple_table(body, [h for _, h in columns]))


def emit_many(fmt: str, head: dict[str, Any], key: str, rows: Iterable[dict[str, Any]], columns: Columns = (),
              empty: str = "nothing to show") -> None:
    """emit(fmt, {**head, key: [rows]}, rows, columns) for rows too many to hold: the
    JSON, CSV or Markdown is written as the rows come, byte for byte what emit
    writes. A terminal table, as wide as its widest cell, holds them."""
    if fmt == "table":
        emit(fmt, head, list(rows), columns, empty=empty)
    elif fmt == "markdown":
        click.echo(_markdown(rows, columns, None, empty), nl=False)
    else:
        _echo_all(_csv_lines(rows, columns) if fmt == "csv" else _json_pieces(head, key, rows))


def _echo_all(pieces: Iterable[str]) -> None:
    """Echo `pieces` a thousand at a time: one call each would flush a million times."""
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) == 1000:
            click.echo("".join(batch), nl=False)
            batch.clear()
    click.echo("".join(batch), nl=False)


def _json_pieces(head: dict[str, Any], key: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """json.dumps({**head, key: list(rows)}) as emit prints it, a row at a time."""
    import json

    indent = 2 if sys.stdout.isatty() else None
    opened = json.dumps({**head, key: []}, indent=indent, ensure_ascii=False, default=str)
    cut = opened.rindex("[]") + 1  # the rows go between these brackets: `key` is the last key
    # How json.dumps starts each row and ends the list, at the list's depth.
    start, end = ("\n" + " " * 2 * indent, "\n" + " " * indent) if indent else ("", "")
    yield opened[:cut]
    written = False
    for row in rows:
        text = json.dumps(row, indent=indent, ensure_ascii=False, default=str)
        if indent:
            text = start + text.replace("\n", start)
        yield ("," if indent else ", ") + text if written else text
        written = True
    yield (end if written else "") + opened[cut:] + "\n"


def _csv_lines(rows: Iterable[dict[str, Any]], columns: Columns) -> Iterator[str]:
    """The header, then each row, as CSV lines."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([h for _, h in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(k)) for k, _ in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def simple_table(body: list[list[str]], headers: list[str]) -> str:
    """tabulate's "simple" table of text cells (`disable_numparse`: every column is text,
    left-aligned), laid out here as tabulate lays it out when its cells are printable
    text, each line as wide as it is long: tabulate takes ~25 µs a row (0.1 s of a
    4,000-row leaderboard, 0.8 s of `badges`) and ~15 ms to import. Each column is as
    wide as its widest line of a stripped cell, and at least its header and two; no
    line ends in spaces. Once a cell has several lines, tabulate lays the table out
    line by line: a shorter cell is followed by blank lines, and a row of empty cells
    has no line at all. Any other table (tabs, control codes, several lines in a
    header, rows of another length than the header, or text other than ASCII where
    wcwidth would measure it) is tabulate's.
    tests/test_output_tables.py checks the two agree."""
    cells = "".join("".join(row) for row in body)
    multiline = "\n" in cells
    text = "".join(headers) + (cells.replace("\n", "") if multiline else cells)
    width = len(headers)
    if not (width and all(len(row) == width for row in body) and text.isprintable()
            and (text.isascii() or not _wcwidth_installed())):
        from tabulate import tabulate

        return tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True)
    columns = [[cell.strip() for cell in column] for column in zip(*body)]
    if multiline:
        split = [[cell.split("\n") if cell else [] for cell in column] for column in columns]
        widths = [max(len(header) + 2, max((len(line) for cell in column for line in cell), default=0))
                  for header, column in zip(headers, split)]
    else:
        widths = [max(len(header) + 2, max(map(len, column))) for header, column in zip(headers, columns)]
    lines = ["  ".join(header.ljust(width) for header, width in zip(headers, widths)).rstrip(),
             "  ".join("-" * width for width in widths)]
    # One line a row apart from the line-by-line loop below, which would cost a 4,000-row
    # table ~10 ms more (7 against 17).
    if not multiline:
        lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in zip(*columns)]
        return "\n".join(lines)
    for row in zip(*split):
        for n in range(max(map(len, row))):
            lines.append("  ".join((cell[n] if n < len(cell) else "").ljust(width)
                                   for cell, width in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _wcwidth_installed() -> bool:
    """tabulate measures text by wcwidth, where it is installed (wide characters take
    two columns, combining ones none), and by its length where not."""
    from importlib.util import find_spec

    return find_spec("wcwidth") is not None


def _fitted(cell: str) -> str:
    """`cell` in lines of at most CELL_WIDTH characters, as tabulate wraps (each of its
    own lines on its own, blank ones dropped, tabs and other whitespace as spaces);
    as it is when it is short and on one line (a non-ASCII character may be two
    columns wide)."""
    if len(cell) <= (CELL_WIDTH if cell.isascii() else CELL_WIDTH // 2) and cell.isprintable():
        return cell
    return _wrapped(cell)


@lru_cache(maxsize=1024)
def _wrapped(cell: str) -> str:
    """Memoised: a long cell is mostly a description repeated down its column (the
    20,000 badge descriptions of a big store's `badges` take a few dozen values, and
    wrapping them one by one took 0.45 s)."""
    import textwrap

    return "\n".join("\n".join(textwrap.wrap(line, CELL_WIDTH)) for line in cell.splitlines() if line.strip())


def _markdown(rows: Iterable[dict[str, Any]], columns: Columns, title: str | None, empty: str) -> str:
    """A snippet for a wiki or $GITHUB_STEP_SUMMARY: escaped cells, under 1 MiB. The
    rows are read only as far as that: what is cut off is not made."""
    from p2p.render.markdown import MAX_MARKDOWN_BYTES, table_cell, truncate  # only markdown output needs them

    head = f"### {table_cell(title)}\n\n" if title else ""
    lines = ["| " + " | ".join(table_cell(h) for _, h in columns) + " |",
             "|" + "|".join(" --- " for _ in columns) + "|"]
    size = len(head) + len(lines[0]) + len(lines[1])
    for row in rows:
        lines.append("| " + " | ".join(table_cell(_plain(row.get(k))) for k, _ in columns) + " |")
        size += len(lines[-1]) + 1
        if size > MAX_MARKDOWN_BYTES:  # characters: at least as many bytes, so truncate cuts within these
            break
    if len(lines) == 2:
        return head + f"_{table_cell(empty)}_\n"
    return truncate(head + "\n".join(lines) + "\n")


def emit_changes(fmt: str, changes: object, noun: str, dry_run: bool = False) -> None:
    """Print what a set-up command created, updated, left unchanged or skipped."""
    from p2p.cli import info

    doc = asdict(changes)  # type: ignore[call-overload]
    doc["skipped"] = [{"line": line, "reason": reason} for line, reason in doc["skipped"]]
    doc["notes"] = [{"line": line, "note": note} for line, note in doc["notes"]]
    doc["dry_run"] = dry_run
    if fmt == "json":
        import json

        click.echo(json.dumps(doc, ensure_ascii=False))
        return
    for state in ("created", "updated", "unchanged"):
        for ident in doc[state]:
            click.echo(f"{state + (' (dry run)' if dry_run and state != 'unchanged' else '')}: {noun} {ident}")
    for item in doc["skipped"]:
        info(f"skipped: line {item['line']}: {item['reason']}")
    for item in doc["notes"]:
        info(f"note: line {item['line']}: {item['note']}")
    click.echo(changes.summary() + (" (dry run: nothing written)" if dry_run else ""))  # type: ignore[attr-defined]


def echo_fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """Aligned `key: value` lines for a single record in text mode."""
    pairs = [(k, v) for k, v in pairs if v not in (None, "", [], ())]
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        click.echo(f"{key + ':':<{width + 1}} {_plain(value)}")


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _csv_cell(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise text ones."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ";".join(map(str, value))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
