"""Terminal tables (`--format table`): long cells wrap at the column width; a column
with none skips tabulate's per-cell wrapping (0.5 s for a 4,000-row leaderboard, 8 s
for the 30,000 rows of `badges`) and must print exactly what wrapping would have."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from p2p.commands.output import CELL_WIDTH, _may_wrap, _plain, emit

COLUMNS = (("person", "person"), ("notes", "notes"))


def test_a_cell_of_whitespace_prints_empty(capsys):
    emit("table", {}, [{"person": "ava", "notes": "\n"}], COLUMNS)  # tabulate 0.10 fails to wrap it
    assert capsys.readouterr().out.splitlines()[-1].rstrip() == "ava"


def test_a_long_cell_wraps_at_the_column_width(capsys):
    emit("table", {}, [{"person": "ava", "notes": "word " * 30}], COLUMNS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 3  # header, rule, and the row over several lines
    assert all(len(line.rstrip()) <= len("person  ") + CELL_WIDTH for line in lines)


cells = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=2 * CELL_WIDTH)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=4))
def test_columns_not_wrapped_print_what_wrapping_them_would_have(rows):
    """Only columns with a cell that _may_wrap are given a width."""
    body = [[_plain(cell) for cell in row] for row in rows]
    headers = [h for _, h in COLUMNS]
    wrapped = tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True, maxcolwidths=[CELL_WIDTH] * 2)
    widths = [CELL_WIDTH if any(_may_wrap(cell) for cell in column) else None for column in zip(*body)]
    assert tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True, maxcolwidths=widths) == wrapped
