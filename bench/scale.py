"""Speed at scale (not a test): p2p against plain git, SQLite and orjson, side by side.

    .venv/bin/python bench/scale.py [--sizes small,large] [--runs 5] [--work .bench]

Runs p2p as installed from this checkout into --work/venv (a regular install, as users
get it). Generates the `small` and `large` stores once (bench/gen_store.py; kept in --work
for the next run) and prints the median wall time and peak memory (max RSS) of
each command, each run a fresh process, plus the ratios the issue sets targets on:

- submit: `p2p submit` on each store vs `git add && git commit` of one file in a
  1k-file repository; on `large` also in a sparse clone (people/ and challenges/
  checked out, sparse index), the set-up the README recommends for reps, and, on its
  own row, a clone's first write (from git's index as `git clone` writes it, which that
  write converts once);
- leaderboard of one challenge: cold (no .git/p2p: no parse cache, no tallies, as in
  a fresh clone) and warm (caches present, one new entry since: a rating, the
  commonest entry, see new_entry) vs the same rows from SQLite
  (GROUP BY over every entry of the store, through Python's sqlite3) and vs the
  challenge's entries as JSON lines parsed with orjson;
- the season leaderboard (every challenge of the store), warm after one new entry: no
  target of its own, but its peak memory counts in the large one;
- publish: on small, full (empty output folder) and after one new entry; on large, after one
  new entry (a full publish of its 5,556 pages runs once first, untimed).

On a terminal, a bar on stderr counts each command's runs (drawn between runs, never
while one is timed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from p2p.cli import progress_bars
from p2p.progress import steps

HERE = Path(__file__).resolve().parent
CHALLENGE = "c07"
TIME = "/usr/bin/time"
ENV = {**os.environ, "P2P_NOW": "2026-11-10T12:00:00Z", "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.com",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@example.com", "P2P_SYNC": "0"}
SQLITE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT person, COUNT(*), AVG(score) FROM ratings WHERE challenge = ? GROUP BY person "
                  "ORDER BY AVG(score) DESC", (sys.argv[2],)).fetchall()
print(len(rows))
"""
ORJSON = """
import orjson, sys
scores = {}
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        entry = orjson.loads(line)
        if entry["kind"] == "rating":
            scores.setdefault(entry["person"], []).append(sum(entry["scores"].values()) / len(entry["scores"]))
print(len(sorted(scores.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))))
"""


def rating_plan(p2p: list[str], root: Path, slug: str) -> tuple[list[str], list[str], list[str]]:
    """(raters, rated, criterion ids) for new_entry's ratings in challenge `slug`:
    150 reps, and 150 others with a submission to rate."""
    show = [*p2p, "--store", str(root), "challenge", "show", slug, "--format", "json"]
    board = [*p2p, "--store", str(root), "leaderboard", slug, "--format", "json"]
    doc, rows = (json.loads(subprocess.run(argv, check=True, env=ENV, capture_output=True, text=True).stdout)
                 for argv in (show, board))
    raters = [f"r{i:05d}" for i in range(150)]
    rated = sorted({row["person"] for row in rows["rows"]} - set(raters))[:150]
    return raters, rated, [c["id"] for c in doc["rubric"]["criteria"]]


def measure(argv: list[str], cwd: Path | None = None, before=None) -> tuple[float, float]:  # noqa: ANN001
    """(seconds, peak MB) of one process; `before` runs first, untimed."""
    if before:
        before()
    # GNU time reports the command's own peak: a child forked from this (bigger)
    # process would count our memory too.
    started = time.perf_counter()
    proc = subprocess.run([TIME, "-f", "MAXRSS %M", *argv], cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr}")
    return seconds, int(proc.stderr.rsplit("MAXRSS ", 1)[1]) / 1024


def installed(work: Path) -> Path:
    """The bin folder of a virtualenv with this checkout's p2p installed as users get
    it: a regular install, bytecode compiled, not the editable one of `make test`,
    whose import hook costs every Python process ~15 ms. Made once with the
    dependencies; p2p itself is reinstalled on every run, so the figures are of this
    checkout. The baselines run on the same Python."""
    venv = work / "venv"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([*pip, f"{HERE.parent}[bench]"], check=True)
    else:
        subprocess.run([*pip, "--no-deps", "--force-reinstall", str(HERE.parent)], check=True)
    return venv / "bin"


def gnu_time() -> str:
    """/usr/bin/time, installed from Debian when missing."""
    if not Path("/usr/bin/time").exists():
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "time"], check=True, capture_output=True)
    return "/usr/bin/time"


def median_of(label: str, runs: int, argv: list[str], cwd: Path | None = None,
              before=None) -> tuple[float, float]:  # noqa: ANN001
    results = [measure(argv, cwd, before) for _ in steps(range(runs), label)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def store(work: Path, size: str) -> Path:
    root = work / size
    if not (root / ".git").exists():
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([sys.executable, str(HERE / "gen_store.py"), size, str(root)], check=True, env=ENV)
    return root


def small_git_repo(work: Path) -> Path:
    root = work / "git-1k"
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True, env=ENV)
        for i in range(1000):
            (root / f"f{i:04d}.yaml").write_text(f"n: {i}\n")
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=ENV)
        subprocess.run(["git", "commit", "-qm", "1k files"], cwd=root, check=True, env=ENV)
    return root


def sparse_clone(work: Path, root: Path) -> Path:
    """A rep's clone of a big store: only people/ and challenges/ in the working tree."""
    clone = work / f"{root.name}-sparse"
    if not (clone / ".git").exists():
        shutil.rmtree(clone, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", "--no-checkout", str(root), str(clone)], check=True, env=ENV)
        subprocess.run(["git", "sparse-checkout", "set", "--cone", "--sparse-index", "people", "challenges"],
                       cwd=clone, check=True, env=ENV)
        subprocess.run(["git", "checkout", "-q"], cwd=clone, check=True, env=ENV)
    # Measured as a local write, like the git commit it is compared with: with origin
    # set, every submit would also try to push to the bench's non-bare store (refused).
    subprocess.run(["git", "remote", "remove", "origin"], cwd=clone, env=ENV, capture_output=True)
    return clone


def as_cloned(root: Path) -> None:
    """The index as `git clone` writes it (format 2, not split), with none of the
    settings p2p's first write adds to a clone's config."""
    for key in ("core.splitIndex", "index.version"):
        subprocess.run(["git", "config", "--unset", key], cwd=root, env=ENV, capture_output=True)
    subprocess.run(["git", "update-index", "--no-split-index", "--index-version", "2"], cwd=root, env=ENV, check=True)
    for shared in (root / ".git").glob("sharedindex.*"):  # unused now; git would keep each 91 MB for two weeks
        shared.unlink()


def exports(work: Path, root: Path, size: str) -> tuple[Path, Path]:
    """The store's ratings in SQLite and the challenge's entries as JSON lines."""
    db, lines = work / f"{size}.sqlite", work / f"{size}-{CHALLENGE}.jsonl"
    if db.exists() and lines.exists():
        return db, lines
    sys.path.insert(0, str(HERE.parent))
    from p2p.store.loader import load
    from p2p.store.repo import Git

    snapshot = load(Git(root))
    import sqlite3

    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE ratings (id TEXT PRIMARY KEY, challenge TEXT, submission TEXT, by TEXT, person TEXT, "
                 "score REAL)")
    conn.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?)",
                     ((e.id, e.challenge, e.submission, e.by, e.person, sum(e.scores.values()) / len(e.scores))
                      for e in snapshot.entries if e.kind == "rating"))
    conn.commit()
    conn.close()
    with open(lines, "w") as handle:
        for entry in snapshot.entries:
            if entry.challenge == CHALLENGE:
                handle.write(json.dumps({"kind": entry.kind, "by": entry.by, "id": entry.id,
                                         "person": getattr(entry, "person", None),
                                         "scores": dict(getattr(entry, "scores", {}) or {})}) + "\n")
    return db, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=HERE.parent / ".bench")
    args = parser.parse_args()
    args.work.mkdir(exist_ok=True)
    global TIME
    TIME = gnu_time()
    bin_ = installed(args.work)
    python = str(bin_ / "python")
    p2p = [str(bin_ / "p2p")]
    rows: list[tuple[str, float, float]] = []
    # From a point of its own in each run: the ratings below are then by and of pairs
    # the store has seldom seen (a rating again replaces the rater's earlier one).
    counter = itertools.count(random.randrange(10**6))
    plans: dict[Path, tuple[list[str], list[str], list[str]]] = {}

    def new_entry(root: Path) -> None:
        """One new rating, the commonest entry (four in five of a store's): a rep in turn
        rates another in turn, with scores that differ from one rating to the next. It
        moves the rated rep's score, and the ranks and pages that follow from it, as
        a real one does, and does so in every run of the bench. (A resubmission by a
        rep in turn, this bench's entry before, moved ~250 of the small store's
        pages the first time each rep resubmitted and none after: the figure
        depended on how often the bench had run on the store.)"""
        n = next(counter)
        if root not in plans:
            plans[root] = rating_plan(p2p, root, CHALLENGE)
        raters, rated, criteria = plans[root]
        scores = [f"--score={c}={1 + (n + i) % 5}" for i, c in enumerate(criteria)]
        subprocess.run([*p2p, "--store", str(root), "--as", raters[n % len(raters)], "rate", CHALLENGE,
                        rated[(n + n // len(raters)) % len(rated)], *scores], check=True, env=ENV, capture_output=True)

    git_1k = small_git_repo(args.work)

    def git_commit() -> tuple[float, float]:
        name = f"new-{time.time_ns()}.yaml"  # unique across runs of the bench
        return measure(["sh", "-c", f"echo 'n: 1' > {name} && git add {name} && git commit -qm 'one file'"], git_1k)

    # Every submit ratio divides by this one, and it costs ~20 ms: at least 11 runs, so
    # one slow run on a busy machine does not move every ratio.
    runs = [git_commit() for _ in steps(range(max(args.runs, 11)), "git commit")]
    base = statistics.median(r[0] for r in runs), max(r[1] for r in runs)
    rows.append(("git add && git commit (1k files)", *base))
    results = {}
    for size in args.sizes.split(","):
        root = store(args.work, size)
        db, lines = exports(args.work, root, size)
        caches = root / ".git" / "p2p"  # the parse cache, tallies and the rest: as in a fresh clone
        if size == "large":
            # A clone's first write on a big index converts it once (format 4, split:
            # p2p's Git._split_big_index), reading the million-entry index as git
            # first wrote it. Timed on its own, from the index as a fresh clone has
            # it, so the submit row is what every later write costs.
            n = next(counter)
            results[size, "first"] = measure([*p2p, "--store", str(root), "--as", f"r{n % 200:05d}", "submit",
                                              CHALLENGE, "--link", "https://bench.example/first"],
                                             before=lambda: as_cloned(root))
        n = next(counter)
        results[size, "submit"] = median_of(f"{size}: submit", args.runs, [
            *p2p, "--store", str(root), "--as", f"r{n % 200:05d}", "submit", CHALLENGE, "--link", "https://bench.example/s"])
        if size == "large":
            clone = sparse_clone(args.work, root)
            results[size, "submit-sparse"] = median_of(f"{size}: sparse submit", args.runs, [
                *p2p, "--store", str(clone), "--as", "r00001", "submit", CHALLENGE, "--link", "https://bench.example/s"])
        board = [*p2p, "--store", str(root), "leaderboard", CHALLENGE, "--format", "json"]
        results[size, "cold"] = median_of(f"{size}: cold", args.runs, board,
                                          before=lambda: shutil.rmtree(caches, ignore_errors=True))
        subprocess.run(board, env=ENV, capture_output=True, check=True)
        results[size, "warm"] = median_of(f"{size}: warm", args.runs, board, before=lambda: new_entry(root))
        season = [*p2p, "--store", str(root), "leaderboard", "--format", "json"]
        subprocess.run(season, env=ENV, capture_output=True, check=True)  # every challenge's tally, once
        results[size, "season"] = median_of(f"{size}: season", max(1, args.runs // 3), season,
                                            before=lambda: new_entry(root))
        results[size, "sqlite"] = median_of(f"{size}: sqlite", args.runs,
                                            [python, "-c", SQLITE, str(db), CHALLENGE])
        results[size, "orjson"] = median_of(f"{size}: orjson", args.runs, [python, "-c", ORJSON, str(lines)])
        out = Path(tempfile.mkdtemp(prefix="p2p-publish-"))
        publish = [*p2p, "--store", str(root), "publish", str(out)]
        if size == "small":
            results[size, "publish"] = median_of(f"{size}: publish", max(1, args.runs // 2), publish,
                                                 before=lambda: shutil.rmtree(out, ignore_errors=True))
        else:  # 5,556 pages, 130 MB: a full publish takes minutes; after one new entry is what CI runs
            subprocess.run(publish, env=ENV, capture_output=True, check=True)
        # Small: as many runs as the leaderboards, whose time it is divided by (with two,
        # one slow run moved the ratio by half); large: 14 s a run.
        results[size, "publish+1"] = median_of(f"{size}: publish+1", args.runs if size == "small" else
                                               max(1, args.runs // 2), publish, before=lambda: new_entry(root))
        shutil.rmtree(out, ignore_errors=True)
        # A rep's everyday reads, warm: each once took the whole store into memory
        # (log and status 45-49 s and 2.1 GB, todo and challenge list 10-13 s and 1.4 GB on large).
        # And the leaderboard as a rep sees it: the terminal table (the default format).
        everyday = {"log": ["log", "--limit", "50"], "status": ["status"], "todo": ["--as", "r00009", "todo"],
                    "challenges": ["challenge", "list"], "table": ["leaderboard", CHALLENGE, "--format", "table"]}
        for key, argv in everyday.items():
            command = [*p2p, "--store", str(root), *argv, *(["--format", "json"] if "--format" not in argv else [])]
            subprocess.run(command, env=ENV, capture_output=True, check=True)
            results[size, key] = median_of(f"{size}: {key}", args.runs, command)
        labels = {"first": "p2p submit, a clone's first write (once)", "submit": "p2p submit", "submit-sparse": "p2p submit, sparse clone", "cold": f"leaderboard {CHALLENGE} cold", "warm": f"leaderboard {CHALLENGE} warm",
                  "season": "season leaderboard warm (every challenge)",
                  "sqlite": "sqlite3 GROUP BY (whole process)", "orjson": "orjson over JSON lines (whole process)",
                  "publish": "publish, full", "publish+1": "publish after one new entry",
                  "log": "log --limit 50", "status": "status", "todo": "todo",
                  "challenges": "challenge list", "table": f"leaderboard {CHALLENGE} warm, as a table"}
        for key, label in labels.items():
            if (size, key) in results:
                rows.append((f"{size}: {label}", *results[size, key]))
    print(f"\nmedians of {args.runs} runs, each a fresh process ({os.cpu_count()} cores)")
    width = max(len(r[0]) for r in rows)
    for label, seconds, peak in rows:
        print(f"{label:{width}}  {seconds * 1000:8.0f} ms  {peak:6.0f} MB")
    print("\nratios (targets from issue 6)")
    for size in args.sizes.split(","):
        ratio = lambda a, b: results[size, a][0] / (base[0] if b == "git" else results[size, b][0])  # noqa: E731
        sparse = f" (sparse clone {ratio('submit-sparse', 'git'):.1f}x)" if (size, "submit-sparse") in results else ""
        print(f"{size}: submit / git commit {ratio('submit', 'git'):.1f}x{sparse} (large target ≤ 4) · "
              f"warm / sqlite {ratio('warm', 'sqlite'):.1f}x (≤ 1.5) · cold / orjson {ratio('cold', 'orjson'):.1f}x (≤ 10)"
              + f" · publish+1 / warm {ratio('publish+1', 'warm'):.1f}x (≤ 3)")
    peaks = {key: result[1] for (size, key), result in results.items() if size == "large"}
    if peaks:  # every command counts, a clone's first write too
        top = max(peaks, key=peaks.__getitem__)
        print(f"large: peak memory {peaks[top]:.0f} MB, {labels[top]} (≤ 300)")


if __name__ == "__main__":
    with progress_bars(minimum=2):  # on a terminal, a bar per timed command
        main()
