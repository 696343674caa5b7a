"""Sync under contention (not a test): N concurrent writers × M entries each, every
writer in its own clone and process, pushing to one remote served by `git daemon`
on loopback. For each mechanism, side by side in one run, prints entries/s,
p50/p99/max write latency (each write includes its push), the writes that parked
in the remote inbox or stayed local, and how long until every entry is on the
remote branch after the last write (the fold: one `p2p sync`, as CI would run).

    backoff  sync.inbox_after: false — retry the branch with jittered backoff until
             sync.timeout, then leave the commit local (exit 3) for the next sync
    inbox    the default — after sync.inbox_after (3 s) of a busy branch, park the
             commit in refs/p2p/inbox/<who>/<commit> (a new ref: never collides)

    .venv/bin/python bench/sync_contention.py [--writers 32] [--entries 20] [--mechanism inbox]

Target (issue 5): p99 write latency ≤ 15 s, every entry on the remote within 2
minutes of the last write."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

WRITER = textwrap.dedent("""
    import json, sys, time
    from click import ClickException
    from p2p.cli import cli
    store, me, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = []
    for i in range(n):
        started = time.monotonic()
        try:
            cli(["--store", store, "--as", me, "submit", "race", "--link", f"https://v.example/{me}/{i}"],
                standalone_mode=False)
            code = 0
        except ClickException as exc:
            code = exc.exit_code
        out.append([time.monotonic() - started, code, time.time()])
    print("RESULT" + json.dumps(out))
""")


def git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


MECHANISMS = {"backoff": "sync:\n  inbox_after: false\n", "inbox": ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--mechanism", choices=sorted(MECHANISMS), action="append",
                        help="Measure only this one (repeatable) [default: all].")
    args = parser.parse_args()
    print(f"{args.writers} writers × {args.entries} entries against git daemon on loopback ({os.cpu_count()} cores)")
    for mechanism in args.mechanism or sorted(MECHANISMS):
        run(mechanism, args.writers, args.entries)


def run(mechanism: str, writers: int, entries: int) -> None:
    p2p = [str(Path(sys.executable).parent / "p2p")]
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="p2p-bench-") as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        (home / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n"
                                         "[init]\n\tdefaultBranch = main\n")
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("P2P_")}, "HOME": str(home),
               "GIT_CONFIG_NOSYSTEM": "1", "P2P_NOW": "2026-11-10T12:00:00Z"}
        os.environ.clear()
        os.environ.update(env)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        git("init", "-q", "--bare", str(root / "remote.git"))
        daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                                   f"--base-path={root}", "--listen=127.0.0.1", f"--port={port}", str(root)],
                                  stderr=subprocess.DEVNULL)
        url = f"git://127.0.0.1:{port}/remote.git"
        try:
            time.sleep(0.5)
            seed = root / "seed"
            subprocess.run([*p2p, "init", str(seed)], check=True, capture_output=True)
            people = [f"w{i:02d}" for i in range(writers)]
            for pid in people:
                subprocess.run([*p2p, "--store", str(seed), "people", "add", pid, "--name", pid, "--email",
                                f"{pid}@example.com", "--role", "ae", "--team", "east"], check=True, capture_output=True)
            subprocess.run([*p2p, "--store", str(seed), "challenge", "new", "race", "--type", "pitch-battle", "--title",
                            "Race", "--opens", "2026-11-09", "--closes", "2026-11-15"], check=True, capture_output=True)
            with open(seed / "p2p.yaml", "a") as config:
                config.write(MECHANISMS[mechanism])
            git("commit", "-q", "--allow-empty", "-am", f"bench: {mechanism}", cwd=seed)
            git("remote", "add", "origin", url, cwd=seed)
            git("push", "-q", "origin", "main", cwd=seed)
            for pid in people:
                git("clone", "-q", url, str(root / pid))
            started = time.monotonic()
            procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(root / pid), pid, str(entries)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for pid in people]
            outputs = [p.communicate() for p in procs]
            results = [json.loads(out.split("RESULT", 1)[1]) for out, _ in outputs]
            parked = sum(err.count("refs/p2p/inbox/") for _, err in outputs)
            writing = time.monotonic() - started
            last_write = max(r[2] for rs in results for r in rs)
            check = root / "check"
            git("clone", "-q", url, str(check))
            subprocess.run([*p2p, "--store", str(check), "sync", "--timeout", "120"], capture_output=True)  # the fold
            for pid in people:  # what a busy remote left local goes out with the next sync
                if any(r[1] == 3 for r in results[people.index(pid)]):
                    subprocess.run([*p2p, "--store", str(root / pid), "sync", "--timeout", "60"], capture_output=True)
            git("fetch", "-q", "origin", cwd=check)
            git("reset", "-q", "--hard", "origin/main", cwd=check)
            on_remote = len(list((check / "entries" / "race").rglob("*.yaml")))
            settled = time.time() - last_write
        finally:
            daemon.terminate()
            os.environ.clear()
            os.environ.update(saved)
    latencies = sorted(r[0] for rs in results for r in rs)
    local = sum(1 for rs in results for r in rs if r[1] == 3)
    total = writers * entries
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(f"{mechanism:8} entries/s {total / writing:.1f} · write latency p50 {pct(0.5):.2f} s, p99 {pct(0.99):.2f} s, "
          f"max {latencies[-1]:.2f} s · {parked} parked in the inbox, {local} left local (exit 3)")
    print(f"{'':8} {on_remote} of {total} entries on the branch; all there {settled:.1f} s after the last write")


if __name__ == "__main__":
    main()
