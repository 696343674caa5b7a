"""Generate a realistic store in the real layout, fast (not a test).

    .venv/bin/python bench/gen_store.py small|large DEST

small: 300 reps, 12 challenges, ≈ 18k entries; large: 5,000 reps, 50 challenges,
≈ 1M entries. In each challenge every rep submits (large: 80 % of them) and each
submission gets 4 peer ratings. The files are byte for byte what p2p writes: the
settings and a challenge come from p2p's own commands, entries are checked against
p2p's own writer. The one commit is built by `git fast-import`, so a million files
take about a minute, not hours. On a terminal, a bar on stderr counts the challenges
written."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from p2p.cli import progress_bars
from p2p.ids import new_entry_id
from p2p.progress import steps
from p2p.store import yamlio

SIZES = {"small": (300, 12, 1.0), "large": (5000, 50, 0.8)}  # reps, challenges, share who submit
RATINGS_PER_SUBMISSION = 4
NOW = "2026-11-10T12:00:00Z"  # the benches run with P2P_NOW set to this: the challenges are open
COMMENTS = ["Strong opening, the proof point landed.", "Tighten the ask at the end.",
            "Great questions; let the buyer talk more.", "", "Clear value story with numbers the buyer cares about."]
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Sales Ops", "GIT_AUTHOR_EMAIL": "ops@example.com",
       "GIT_COMMITTER_NAME": "Sales Ops", "GIT_COMMITTER_EMAIL": "ops@example.com", "P2P_NOW": NOW}


def seed(dest: Path) -> tuple[bytes, bytes, list[str]]:
    """p2p.yaml and one challenge file, written by p2p itself; the rubric's criteria."""
    p2p = [sys.executable, "-m", "p2p", "--store", str(dest)]
    subprocess.run([sys.executable, "-m", "p2p", "init", str(dest)], check=True, capture_output=True, env=ENV)
    subprocess.run([*p2p, "challenge", "new", "c00", "--type", "pitch-battle", "--title", "Pitch battle 00",
                    "--opens", "2026-10-01", "--closes", "2026-12-31"], check=True, capture_output=True, env=ENV)
    challenge = (dest / "challenges" / "c00.yaml").read_bytes()
    criteria = [c["id"] for c in yamlio.loads(challenge)["rubric"]["criteria"]]
    return (dest / "p2p.yaml").read_bytes(), challenge, criteria


def person(i: int) -> tuple[str, bytes]:
    pid = f"r{i:05d}"
    doc = {"id": pid, "name": f"Rep {i:05d}", "email": f"{pid}@example.com", "role": "ae" if i % 3 else "sdr",
           "team": f"team-{i // 10:03d}", "active": True}
    return pid, yamlio.dumps(doc, "A person in the roster: see `p2p people add --help`")


def submission(entry_id: str, at: str, by: str, slug: str) -> bytes:
    return (f"v: 1\nid: {entry_id}\nkind: submission\nat: '{at}'\nby: {by}\nchallenge: {slug}\n"
            f"link: https://calls.example.com/{slug}/{by}\n").encode()


def rating(entry_id: str, at: str, by: str, slug: str, sub: str, author: str, scores: dict[str, int],
           comment: str) -> bytes:
    lines = [f"v: 1\nid: {entry_id}\nkind: rating\nat: '{at}'\nby: {by}\nchallenge: {slug}\n"
             f"submission: {sub}\nperson: {author}\nscores:\n"]
    lines += [f"  {k}: {v}\n" for k, v in scores.items()]
    if comment:
        lines.append(f"comment: {comment}\n")
    return "".join(lines).encode()


def stream(out, size: str, config: bytes, challenge: bytes, criteria: list[str]) -> int:  # noqa: ANN001
    reps, challenges, share = SIZES[size]
    rng = random.Random(7)
    skill = [rng.gauss(3.2, 0.7) for _ in range(reps)]
    count = 0

    def put(path: str, data: bytes) -> None:
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))

    out.write(b"commit refs/heads/main\ncommitter Sales Ops <ops@example.com> 1762776000 +0000\n")
    message = f"bench: {size} store".encode()
    out.write(b"data %d\n%s\n" % (len(message), message))
    put("p2p.yaml", config)
    for folder in ("people", "challenges", "entries"):
        put(f"{folder}/.gitkeep", b"")
    ids = []
    for i in range(reps):
        pid, data = person(i)
        ids.append(pid)
        put(f"people/{pid}.yaml", data)
    clock = dt.datetime(2026, 10, 1, 9, tzinfo=dt.timezone.utc)
    last = None
    checked = False
    for c in steps(range(challenges), "writing entries"):
        slug = f"c{c:02d}"
        put(f"challenges/{slug}.yaml", challenge.replace(b"c00", slug.encode()).replace(b"battle 00", f"battle {c:02d}".encode()))
        entrants = [i for i in range(reps) if rng.random() < share]
        for i in entrants:
            clock += dt.timedelta(seconds=1)
            at = clock.strftime("%Y-%m-%dT%H:%M:%SZ")
            sub = last = new_entry_id(clock, last)
            data = submission(sub, at, ids[i], slug)
            if not checked:  # the template is p2p's writer, byte for byte
                assert data == yamlio.dumps(yamlio.loads(data)), data
            put(f"entries/{slug}/{ids[i]}/{sub}.yaml", data)
            count += 1
            raters = [r for r in rng.sample(entrants, RATINGS_PER_SUBMISSION + 1) if r != i]
            for rater in raters[:RATINGS_PER_SUBMISSION]:
                rid = last = new_entry_id(clock, last)
                scores = {k: min(5, max(1, round(rng.gauss(skill[i], 0.8)))) for k in criteria}
                data = rating(rid, at, ids[rater], slug, sub, ids[i], scores, rng.choice(COMMENTS))
                if not checked:
                    assert data == yamlio.dumps(yamlio.loads(data)), data
                    checked = True
                put(f"entries/{slug}/{ids[rater]}/{rid}.yaml", data)
                count += 1
    out.write(b"\n")
    return count


def generate(size: str, dest: Path) -> int:
    started = time.monotonic()
    config, challenge, criteria = seed(dest)
    proc = subprocess.Popen(["git", "-C", str(dest), "fast-import", "--quiet", "--force"], stdin=subprocess.PIPE,
                            env=ENV)
    assert proc.stdin is not None
    with progress_bars(minimum=1):
        count = stream(proc.stdin, size, config, challenge, criteria)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(dest), "reset", "-q", "--hard", "main"], check=True, env=ENV)
    print(f"{size}: {count} entries in {dest} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    if args.dest.exists() and any(args.dest.iterdir()):
        raise SystemExit(f"{args.dest} is not empty")
    generate(args.size, args.dest)


if __name__ == "__main__":
    main()
