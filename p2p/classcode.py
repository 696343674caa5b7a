"""The methods dataclasses writes for p2p's classes, compiled once and kept between
runs, as Python keeps each module's bytecode in __pycache__.

dataclasses makes a class's __init__, __repr__, __eq__, __hash__ and frozen
__setattr__ by writing their source text and compiling it, on every import: the ~45
classes a submit or a leaderboard imports cost ~20 ms of its ~140, more than any git
process it runs, and a publish's ~70 cost ~35 ms. The text is the same on every run,
so its compiled code is kept in one file in the user's cache folder, under the text
itself and the exact Python build. The same text always compiles to the same code,
so a kept one changes nothing but the time; a class changed by an upgrade has new
text and is compiled afresh. Only classes of p2p's own modules go through here.

Like bytecode, nothing is written when Python writes none (PYTHONDONTWRITEBYTECODE),
and a missing, unreadable or foreign file only costs the compiling again."""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import sys
from types import CodeType
from typing import Any

# A kept file holds one Python build's code: marshal's format, and the code itself, are
# that build's. What dataclasses asks of several p2p versions fits well under the cap;
# past it, a save keeps only what its own run used.
_HEADER = f"p2p class code for Python {sys.version}\n".encode()
_MAX = 4000


class _Kept:
    def __init__(self, path: str) -> None:
        self.path = path
        self.codes = _read(path)
        self.used: dict[str, CodeType] = {}
        self.compiled = 0

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /, **kwargs: Any) -> None:
        """builtins.exec, with the source text of a p2p class's method compiled once.
        Text is compiled as dataclasses' own exec compiles it: without inheriting this
        module's `from __future__ import annotations` (which would leave each
        method's return annotation a string)."""
        if type(source) is str:
            ours = type(globals) is dict and str(globals.get("__name__", "")).startswith("p2p.")
            source = self._code(source) if ours else compile(source, "<string>", "exec", dont_inherit=True)
        builtins.exec(source, globals, locals, **kwargs)

    def _code(self, source: str) -> CodeType:
        code = self.codes.get(source)
        if code is None:
            code = self.codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
            self.compiled += 1
        self.used[source] = code
        return code

    def save(self) -> None:
        """Keep what was compiled in this run, when anything was and bytecode may be written."""
        if not self.compiled or sys.dont_write_bytecode:
            return
        codes = self.codes if len(self.codes) <= _MAX else self.used  # codes: the file's and this run's
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(temporary, "wb") as out:
                out.write(_HEADER + marshal.dumps(codes))
            os.replace(temporary, self.path)  # whole or not at all, for a concurrent reader
        except (OSError, ValueError):
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _read(path: str) -> dict[str, CodeType]:
    try:
        with open(path, "rb") as kept:
            data = kept.read()
        found = marshal.loads(memoryview(data)[len(_HEADER):]) if data.startswith(_HEADER) else None
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if type(found) is not dict:
        return {}
    return {text: code for text, code in found.items() if type(text) is str and type(code) is CodeType}


def path() -> str | None:
    """The kept file: in $XDG_CACHE_HOME/p2p, else ~/.cache/p2p; None without a home
    folder (a relative one would land in whatever folder p2p runs in)."""
    folder = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(folder):
        return None
    return os.path.join(folder, "p2p", f"class-code.{sys.implementation.cache_tag}.marshal")


def install() -> None:
    """Route dataclasses' compiling of p2p's methods through the kept file, once per process."""
    where = path()
    if where is None or "exec" in vars(dataclasses):  # installed already (or by someone else): leave it
        return
    kept = _Kept(where)
    dataclasses.exec = kept.exec  # type: ignore[attr-defined]  # found before builtins.exec there
    atexit.register(kept.save)
