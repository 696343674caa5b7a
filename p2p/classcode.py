"""The methods dataclasses writes for p2p's classes, compiled once and kept between
runs beside p2p's bytecode in __pycache__.

dataclasses makes a class's __init__, __repr__, __eq__, __hash__ and frozen
__setattr__ by writing their source text and compiling it, on every import: the ~45
classes a submit or a leaderboard imports cost ~20 ms of its ~140, more than any git
process it runs, and a publish's ~70 cost ~35 ms. The text is the same on every run,
so its compiled code is kept in one file, under the text itself and the exact Python
build. The same text always compiles to the same code, so a kept one changes
nothing but the time; a class changed by an upgrade has new text and is compiled
afresh. Only classes of p2p's own modules go through here.

The file is trusted as Python trusts the .pyc files beside it: it sits in p2p's own
__pycache__ (or under PYTHONPYCACHEPREFIX), so whoever can write it can already
write p2p's code, and an install p2p's user cannot write gets no file, as it gets no
bytecode. Like bytecode, nothing is written under PYTHONDONTWRITEBYTECODE. A
checksum guards the file against damage: a missing, damaged or foreign one only
costs the compiling again, and is replaced."""

import atexit
import builtins
import dataclasses
import marshal
import sys
import zlib
from types import CodeType
from typing import Any

# A kept file holds one Python build's code: marshal's format, and the code itself, are
# that build's. The methods of every p2p class, a few versions' worth, fit under the
# cap (each ~1 KB); past it a save keeps only what its own run used, and what other
# commands use is compiled and added again on their next run. Each method's code is
# marshalled on its own and read back only when its class is made: a submit makes a
# third of the ~400 a publish does, and reading them all back took every command ~2 ms.
_HEADER = f"p2p class code 2 for Python {sys.version}\n".encode()
_MAX = 1500
_PREFIX = len(_HEADER) + 8  # the header, then the payload's length and checksum


class _Kept:
    def __init__(self, path: str) -> None:
        self.path = path
        self.codes = _read(path)
        self.used: dict[str, bytes] = {}
        self.compiled = 0

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /, **kwargs: Any) -> None:
        """builtins.exec, with the source text of a p2p class's method compiled once
        (dataclasses always passes its namespaces). This module makes no `from
        __future__` import, so a text it compiles or passes on gets the same compiler
        flags as in dataclasses, which makes none."""
        if type(source) is str and type(globals) is dict and str(globals.get("__name__", "")).startswith("p2p."):
            source = self._code(source)
        builtins.exec(source, globals, locals, **kwargs)

    def _code(self, source: str) -> CodeType:
        kept = self.codes.get(source)
        code = _loaded(kept) if kept is not None else None
        if kept is None or code is None:  # the same as `code is None`, said so mypy knows `kept` below
            code = compile(source, "<string>", "exec", dont_inherit=True)
            kept = self.codes[source] = marshal.dumps(code)
            self.compiled += 1
        self.used[source] = kept
        return code

    def save(self) -> None:
        """Keep what was compiled in this run, when anything was and bytecode may be written."""
        if self.compiled and not sys.dont_write_bytecode:
            _write(self.path, self.codes if len(self.codes) <= _MAX else self.used)


def _loaded(kept: bytes) -> CodeType | None:
    try:
        code = marshal.loads(kept)
    except Exception:  # noqa: BLE001 - checked by the file's checksum; compiled afresh all the same
        return None
    return code if type(code) is CodeType else None


def _write(path: str, codes: dict[str, bytes]) -> None:
    from pathlib import Path  # here, as the writer: only a run that compiled writes

    from p2p.store.cache import replace_file

    payload = marshal.dumps(codes)
    try:
        replace_file(Path(path), _HEADER + len(payload).to_bytes(4, "big") + zlib.crc32(payload).to_bytes(4, "big")
                     + payload)
    except OSError:
        pass  # an install this user cannot write: compiled again next time, as its bytecode would be


def _read(path: str) -> dict[str, bytes]:
    try:
        with open(path, "rb") as kept:
            data = kept.read()
        length, checksum = int.from_bytes(data[_PREFIX - 8:_PREFIX - 4], "big"), int.from_bytes(data[_PREFIX - 4:_PREFIX], "big")
        payload = memoryview(data)[_PREFIX:]
        # Checked before marshal reads it: damaged data can make marshal allocate
        # gigabytes before it fails.
        if not data.startswith(_HEADER) or len(payload) != length or zlib.crc32(payload) != checksum:
            return {}
        found = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - any file that does not read back is compiled afresh, and replaced
        return {}
    if type(found) is not dict:
        return {}
    return {text: code for text, code in found.items() if type(text) is str and type(code) is bytes}


def path() -> str | None:
    """The kept file, named as this module's bytecode is: in p2p's __pycache__, or its
    mirror under sys.pycache_prefix (PYTHONPYCACHEPREFIX); None where Python keeps no
    bytecode."""
    from importlib.util import cache_from_source

    try:
        return cache_from_source(__file__, optimization="").removesuffix(".pyc") + ".marshal"
    except NotImplementedError:  # sys.implementation.cache_tag is None
        return None


def install() -> None:
    """Route dataclasses' compiling of p2p's methods through the kept file, once per process."""
    where = path()
    if where is None or "exec" in vars(dataclasses):  # installed already (or by someone else): leave it
        return
    kept = _Kept(where)
    dataclasses.exec = kept.exec  # type: ignore[attr-defined]  # found before builtins.exec there
    atexit.register(kept.save)
