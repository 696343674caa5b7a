"""p2p.classcode: the methods dataclasses compiles for p2p's classes are kept between
runs beside p2p's bytecode, change nothing but the time, and a bad kept file only
costs the compiling again. Each test keeps its bytecode, and so the kept file, under
its own PYTHONPYCACHEPREFIX."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from p2p import classcode

# Makes p2p's entry, settings and model classes, then shows what they do and what
# went through the kept code: how many methods were compiled, how many were used.
PROBE = """
import dataclasses
from p2p import entries, model, settings
kept = dataclasses.exec.__self__
doc = {"v": 1, "kind": "submission", "id": "01JB0000000000000000000000", "challenge": "pitch", "by": "ava",
       "at": "2026-11-05T10:00:00Z", "link": "https://v.example/a"}
sub = entries.parse_entry(doc)
print(repr(sub), sub == entries.parse_entry(dict(doc)), hash(sub) == hash(entries.parse_entry(dict(doc))))
try:
    sub.by = "ben"
except dataclasses.FrozenInstanceError:
    print("frozen")
used = len(kept.used)
@dataclasses.dataclass
class Outside:  # made by dataclasses alone: p2p's are annotated alike, and it is not kept
    x: int
print("outside kept", len(kept.used) - used)
print("returns", Outside.__init__.__annotations__["return"], entries.Submission.__init__.__annotations__["return"])
print("compiled", kept.compiled, "used", len(kept.used))
"""


def probe(cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                          env={**environ, "PYTHONPYCACHEPREFIX": str(cache), **env})
    assert proc.returncode == 0 and not proc.stderr, proc.stderr  # nor a failed save at exit
    return proc


def kept_file(cache: Path) -> Path:
    """Where the probe keeps it: p2p's folder mirrored under the prefix, as its bytecode."""
    import p2p

    folder = Path(p2p.__file__).resolve().parent
    return cache.joinpath(*folder.parts[1:], f"classcode.{sys.implementation.cache_tag}.marshal")


def counts(proc: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    words = proc.stdout.split()
    return int(words[words.index("compiled") + 1]), int(words[words.index("used") + 1])


def test_a_second_run_compiles_nothing_and_its_classes_behave_the_same(tmp_path: Path) -> None:
    first = probe(tmp_path)
    compiled, used = counts(first)
    assert compiled == used > 20  # every p2p method, and none of the probe's own class
    assert kept_file(tmp_path).is_file()
    second = probe(tmp_path)
    assert counts(second) == (0, used)
    assert second.stdout.splitlines()[:2] == first.stdout.splitlines()[:2]
    assert "frozen" in second.stdout and " True True" in second.stdout
    assert "returns None None" in first.stdout and "returns None None" in second.stdout
    assert "outside kept 0" in first.stdout


def test_nothing_is_written_when_python_writes_no_bytecode(tmp_path: Path) -> None:
    probe(tmp_path, PYTHONDONTWRITEBYTECODE="1")
    assert not kept_file(tmp_path).exists()


@pytest.mark.parametrize("damage", ["empty", "not marshal", "garbage after the header", "another build's",
                                    "a changed byte"])
def test_a_bad_or_foreign_kept_file_is_compiled_afresh_and_replaced(tmp_path: Path, damage: str) -> None:
    kept = kept_file(tmp_path)
    probe(tmp_path)
    good = kept.read_bytes()
    header = classcode._HEADER
    assert good.startswith(header)
    version = sys.version.encode()
    kept.write_bytes({
        "empty": b"",
        "not marshal": b"not marshal at all",
        "garbage after the header": header + b"\xff\x00garbage",
        # the same code under another Python's name, of the same length: not trusted
        "another build's": header.replace(version, b"x" * len(version)) + good[len(header):],
        # still marshal's data, but one method's text is another: the checksum tells
        "a changed byte": good.replace(b"__create_fn__", b"__create_fX__", 1),
    }[damage])
    compiled, used = counts(probe(tmp_path))
    assert compiled == used > 20
    assert counts(probe(tmp_path)) == (0, used)


def test_a_kept_file_that_cannot_be_written_only_costs_the_compiling(tmp_path: Path) -> None:
    folder = kept_file(tmp_path).parent
    folder.parent.mkdir(parents=True)
    folder.write_text("a file where the folder would go")
    assert counts(probe(tmp_path))[0] > 20
    assert counts(probe(tmp_path))[0] > 20
    assert not list(tmp_path.glob("**/*.tmp"))


def test_a_full_kept_file_keeps_only_what_the_last_run_used(tmp_path: Path) -> None:
    kept = kept_file(tmp_path)
    code = marshal.dumps(compile("pass", "<string>", "exec"))
    stale = {f"def stale_{n}(): pass": code for n in range(classcode._MAX)}
    classcode._write(str(kept), stale)
    assert len(classcode._read(str(kept))) == classcode._MAX
    compiled, used = counts(probe(tmp_path))
    assert compiled == used
    assert len(classcode._read(str(kept))) == used


def test_a_method_whose_kept_code_does_not_read_back_is_compiled_afresh(tmp_path: Path) -> None:
    kept = kept_file(tmp_path)
    probe(tmp_path)
    codes = classcode._read(str(kept))
    # a whole file, checksum and all, whose methods are each not code: another
    # marshalled object, or bytes marshal cannot read
    classcode._write(str(kept), {text: (marshal.dumps(1) if n % 2 else b"\xff") for n, text in enumerate(codes)})
    compiled, used = counts(probe(tmp_path))
    assert compiled == used == len(codes)
    assert counts(probe(tmp_path)) == (0, used)
