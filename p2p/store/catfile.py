"""Reading git objects through `git cat-file --batch`: many at once (stream), or a
few, one question at a time, from one git kept running for the command (Reader).

stream: one git for a list known in advance, its objects handed over one by one as
git writes them, so a caller parses each blob while git reads the next (on a cold
read of 25,000 files git's 0.2 s overlaps p2p's parsing instead of coming before
it). subprocess.communicate would hand over the output only whole, polling it 32 KB
at a time; here threads feed git its input and drain its errors, so no pipe fills
up while the caller reads."""

from __future__ import annotations

import subprocess
import threading
import weakref
from pathlib import Path
from typing import IO, Iterator

from p2p.errors import StoreError

NO_GIT = "git is not installed or not on PATH; p2p needs git 2.25 or newer"


def stream(root: Path, specs: list[str]) -> Iterator[tuple[str, str, bytes] | None]:
    """(id, type, content) of each object spec (an id, or `tree:path`) of the
    repository at `root`, None if absent, in order, as git writes them."""
    if not specs:
        return
    try:
        proc = subprocess.Popen(["git", "-C", str(root), "cat-file", "--batch", "--buffer"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise StoreError(NO_GIT) from None
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    stdin, stdout, stderr = proc.stdin, proc.stdout, proc.stderr
    errors: list[bytes] = []
    feed = threading.Thread(target=_feed, args=(stdin, "".join(f"{s}\n" for s in specs).encode(
        "utf-8", "surrogateescape")), daemon=True)
    drain = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
    feed.start()
    drain.start()
    try:
        yield from _records(stdout, len(specs))
    except EOFError:
        proc.wait()
        drain.join()
        message = errors[0].decode("utf-8", "replace").strip().splitlines() if errors else []
        raise StoreError(f"git cat-file failed: {message[-1] if message else 'no message'}") from None
    finally:
        if proc.poll() is None and feed.is_alive():  # the caller stopped early
            proc.kill()
        stdout.close()
        proc.wait()
        feed.join()
        drain.join()
        stderr.close()


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
    except OSError:  # git is gone: the reader reports it
        pass
    finally:
        try:
            pipe.close()
        except OSError:  # the rest of the buffer, to a git that is gone
            pass


def _records(stdout: IO[bytes], count: int) -> Iterator[tuple[str, str, bytes] | None]:
    """`count` records of `git cat-file --batch` output, read as it comes (and a big
    blob in one read); EOFError when git stops early."""
    buf, pos = b"", 0
    for _ in range(count):
        end = buf.find(b"\n", pos)
        while end < 0:
            buf, pos = buf[pos:] + _chunk(stdout), 0
            end = buf.find(b"\n")
        header = buf[pos:end].split(b" ")
        if len(header) < 3 or header[-1] in (b"missing", b"ambiguous"):
            pos = end + 1
            yield None
            continue
        start = end + 1
        stop = start + int(header[2])
        if len(buf) < stop + 1:  # the rest of the content and its newline, in one read
            more = stdout.read(stop + 1 - len(buf))
            if len(more) < stop + 1 - len(buf):
                raise EOFError
            buf, start, stop = buf[pos:] + more, start - pos, stop - pos
        yield header[0].decode(), header[1].decode(), buf[start:stop]
        pos = stop + 1


def _chunk(stdout: IO[bytes]) -> bytes:
    data = stdout.read1(1 << 20)  # type: ignore[attr-defined]  # what the pipe holds, up to 1 MB
    if not data:
        raise EOFError
    return data


class Reader:
    """One `git cat-file --batch` for the small reads of a command, asked one object
    at a time as the answers are needed: a commit, the trees on a path, the few
    blobs added since the cache. A write asked git seven such questions, each a
    process of its own (~2-3 ms to start); to a git already running, each costs
    ~0.1 ms. Every answer is read fresh from the repository (refs included: git
    reads a branch's file again for each question), so a branch moved by another
    process meanwhile is seen as moved."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._proc: subprocess.Popen[bytes] | None = None

    def get(self, spec: str) -> tuple[str, str, bytes] | None:
        """(id, type, content) of an object spec (an id, `rev^{commit}`, `tree:path`),
        None when it names no object."""
        if "\n" in spec:  # one question per line: such a name cannot be asked, or exist
            return None
        proc = self._proc or self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            return next(_records(proc.stdout, 1))  # git answers, then waits: nothing is read past it
        except (OSError, EOFError):
            self.close()
            raise StoreError(f"git cat-file stopped while reading {spec}; run git fsck") from None

    def _start(self) -> subprocess.Popen[bytes]:
        try:
            # Its errors go nowhere: a name that is not there is answered "missing".
            proc = subprocess.Popen(["git", "-C", str(self.root), "cat-file", "--batch"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except FileNotFoundError:
            raise StoreError(NO_GIT) from None
        self._proc = proc
        self._stop = weakref.finalize(self, _stop, proc)  # when dropped, or at exit
        return proc

    def close(self) -> None:
        if self._proc is not None:
            self._proc = None
            self._stop()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a Reader's git: it exits when its input ends."""
    for pipe in (proc.stdin, proc.stdout):
        try:
            pipe.close()  # type: ignore[union-attr]
        except OSError:
            pass
    proc.wait()
