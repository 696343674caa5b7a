"""Cold tallies made in parallel: before a read of every challenge (publish, stats,
the season table, badges) folds the challenges no cache holds, worker processes
fold them and keep the result, each tally and its folder's parse, in the caches
under .git/p2p. The read then finds them there, as after any earlier run.

A cold read of a big store is almost all parsing and folding, one challenge after
another on one core: 50 challenges of 20,000 entries took ~45 s of the ~80 s of a
publish from nothing (a CI job that lost its cache, or the first run after an
upgrade). The challenges are independent, and the caches are already safe under
concurrent processes: files are written whole and renamed. So the workers only
warm the caches, and nothing else changes: a worker that fails or is killed leaves
a miss, which the read then folds itself, as before.

Workers are `python -m p2p.store.warmup` processes, not multiprocessing's: a script
using p2p's API needs no `if __name__ == "__main__"` guard, and nothing is forked
from a process that has git readers and their threads running. `P2P_JOBS` sets how
many; by default two (each holds ~100 MB while it folds a challenge of 20,000
entries: two stay within a big read's memory budget), and only for a store big
enough to gain (a small one folds in about the time two workers take to start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

from p2p.errors import InvalidInput
from p2p.progress import steps
from p2p.store.repo import Git

DEFAULT_JOBS = 2
# The challenges' entries folders, as git stores their trees: ~34 bytes per person
# folder. Below this (~30,000 people's folders, some 100,000 entries) the folding a
# worker would save is about what starting it costs.
MIN_TREE_BYTES = 1 << 20


def jobs() -> tuple[int, bool]:
    """(how many workers to start, whether P2P_JOBS chose it): P2P_JOBS (1 for none),
    else DEFAULT_JOBS, at most one per CPU. An empty P2P_JOBS is no choice."""
    value = os.environ.get("P2P_JOBS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise InvalidInput(f"P2P_JOBS must be a whole number of processes, 1 for none; not {value!r}")
        return int(value), True
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(DEFAULT_JOBS, cpus), False


def _interpreter() -> str | None:
    """The Python to run workers with: this one, unless p2p runs inside a program
    that is not a Python interpreter (a frozen app, a server embedding it)."""
    name = os.path.basename(sys.executable or "")
    return sys.executable if name.startswith("python") and not getattr(sys, "frozen", False) else None


def warm(git: Git, commit: str, folders: dict[str, str]) -> None:
    """Fold the challenges of `folders` ({slug: tree of its entries folder}, none of
    them cached) in worker processes, when there are enough of them to gain."""
    (count, chosen), python = jobs(), _interpreter()
    if count < 2 or len(folders) < 2 or python is None:
        return
    sizes = git.sizes(list(folders.values()))
    if not chosen and sum(sizes.values()) < MIN_TREE_BYTES:  # P2P_JOBS set: whatever the size (tests, say)
        return
    shares: list[list[str]] = [[] for _ in range(min(count, len(folders)))]
    loads = [0] * len(shares)
    for slug in sorted(folders, key=lambda s: -sizes.get(folders[s], 0)):  # the biggest first, each to the least loaded
        least = loads.index(min(loads))
        shares[least].append(slug)
        loads[least] += sizes.get(folders[slug], 0)
    workers = []
    try:
        for share in shares:
            workers.append(subprocess.Popen([python, "-m", "p2p.store.warmup", str(git.root), commit, *share],
                                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL))
        for _ in steps(_finished(workers), "folding challenges", len(folders)):
            pass
    except OSError:
        pass  # no worker could start (no interpreter at sys.executable, say): the read folds them itself
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()


def _finished(workers: list[subprocess.Popen[bytes]]) -> Iterator[str]:
    """The challenges the workers report done, one line each, as they finish."""
    import selectors

    with selectors.DefaultSelector() as selector:
        for worker in workers:
            assert worker.stdout is not None
            selector.register(worker.stdout.fileno(), selectors.EVENT_READ, bytearray())
        while selector.get_map():
            for key, _ in selector.select():
                data = os.read(key.fd, 4096)  # not readline: a buffered reader would hide lines from select
                if not data:
                    selector.unregister(key.fd)
                    continue
                key.data.extend(data)
                *done, rest = key.data.split(b"\n")
                key.data[:] = rest
                yield from (line.decode() for line in done)


def _fold(root: Path, commit: str, slugs: list[str]) -> None:
    """A worker: fold each challenge of `slugs` at `commit` and keep its tally and the
    problems of its folder, as the read would (p2p.store.loader._Tallies)."""
    import gc

    from p2p.store import layout, loader
    from p2p.store.tallies import TallyCache

    gc.disable()  # as the read it stands in for does (p2p.cli): a fold makes many objects and frees few
    git = Git(root)
    snapshot = loader.load(git, commit, ())
    trees = {item.path: item.oid for item in loader._top(git, commit, False)}
    cache = TallyCache(git.git_dir())
    for slug in slugs:
        challenge, tree = snapshot.challenges.get(slug), trees.get(f"{layout.ENTRIES}/{slug}")
        if challenge is not None and challenge.race is None and tree is not None:
            state = loader._tally_state(git, cache, commit, challenge, tree, keep=False)
            cache.put_problems(slug, tree, state.problems)
        print(slug, flush=True)


if __name__ == "__main__":
    _fold(Path(sys.argv[1]), sys.argv[2], sys.argv[3:])
