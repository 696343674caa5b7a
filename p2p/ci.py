"""Run p2p commands in CI: what the GitHub Action (action.yml) and the GitLab
template (ci/p2p.gitlab-ci.yml) execute, so both behave the same and a test can run
exactly what they run.

    P2P_COMMANDS   p2p commands, one per line, without the leading `p2p`
                   (`challenge apply specs/`, `check --fairness`, `publish wiki/`)
    P2P_SUMMARY    one read command whose Markdown goes to the job summary
                   (`leaderboard`): $GITHUB_STEP_SUMMARY on GitHub, else the file
                   P2P_SUMMARY_FILE (default p2p-summary.md, a GitLab artifact)

Inputs arrive through the environment and are split like a shell would split them
(quotes work) but never run by a shell, so no input can inject a command. The first
command that fails stops the run with its exit code."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys


def _argv(line: str) -> list[str]:
    args = shlex.split(line)
    return args[1:] if args and args[0] == "p2p" else args


def main() -> int:
    for line in os.environ.get("P2P_COMMANDS", "").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        print(f"$ p2p {line.strip()}", flush=True)
        code = subprocess.run([sys.executable, "-m", "p2p", *_argv(line)]).returncode
        if code:
            print(f"p2p {line.strip()} exited {code}", file=sys.stderr)
            return code
    summary = os.environ.get("P2P_SUMMARY", "").strip()
    if summary:
        proc = subprocess.run([sys.executable, "-m", "p2p", *_argv(summary), "--format", "markdown"],
                              capture_output=True, text=True)
        sys.stderr.write(proc.stderr)
        if proc.returncode:
            return proc.returncode
        target = os.environ.get("GITHUB_STEP_SUMMARY") or os.environ.get("P2P_SUMMARY_FILE") or "p2p-summary.md"
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(proc.stdout + "\n")
        print(f"summary: p2p {summary} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
