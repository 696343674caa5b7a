"""The root command: global options, the session object every command receives, the
lazy command table (so `p2p submit` never imports what `p2p publish` needs), and the
one place where errors become exit codes."""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generator, Iterable, Iterator

import click

from p2p import __version__
from p2p.errors import EXIT_INTERNAL, P2PError

COMMANDS = {
    "init": "p2p.commands.init:init",
    "people": "p2p.commands.people:people",
    "types": "p2p.commands.types:types",
    "challenge": "p2p.commands.challenge:challenge",
    "submit": "p2p.commands.entries:submit",
    "rate": "p2p.commands.entries:rate",
    "leaderboard": "p2p.commands.leaderboard:leaderboard",
    "explain": "p2p.commands.explain:explain",
    "badges": "p2p.commands.badges:badges",
    "vote": "p2p.commands.entries:vote",
    "rate-feedback": "p2p.commands.entries:rate_feedback",
    "feature": "p2p.commands.entries:feature",
    "check": "p2p.commands.check:check",
    "publish": "p2p.commands.publish:publish",
    "notify": "p2p.commands.notify:notify",
    "assign": "p2p.commands.assign:assign",
    "todo": "p2p.commands.assign:todo",
    "sync": "p2p.commands.sync:sync",
    "doctor": "p2p.commands.doctor:doctor",
    "status": "p2p.commands.sync:status",
    "log": "p2p.commands.audit:log",
    "audit": "p2p.commands.audit:audit",
    "stats": "p2p.commands.stats:stats",
    "action": "p2p.commands.coaching:action",
    "activity": "p2p.commands.coaching:activity",
    "outcomes": "p2p.commands.coaching:outcomes",
    "match": "p2p.commands.coaching:match",
    "completion": "p2p.commands.complete:completion",
    "race": "p2p.commands.race:race",
    "bracket": "p2p.commands.bracket:bracket",
    "clinic": "p2p.commands.coaching:clinic",
    "schema": "p2p.commands.schema:schema",
}


@dataclass
class Session:
    """What every command needs: where the store is, who acts, what time it is."""

    store_path: Path | None
    as_id: str | None
    autosync: bool = True
    format: str = "table"
    verbosity: int = 0  # -1 with --quiet, 1 with --verbose
    started: float = field(default_factory=time.monotonic)
    _store: Any = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)  # about files left out of a read

    def store(self) -> Any:
        if self._store is None:
            from p2p.store.store import Store

            self._store = Store.open(self.store_path)
        return self._store

    def read(self, at: str | None, challenges: Any = None, records: bool = False,
             folded: bool = False) -> tuple[Any, dt.datetime]:
        """(snapshot, now) at revision `at` (HEAD when None). A past revision is read
        as of its commit time, so time rules (flexible minimums, seasons, states)
        give the same answer they gave then."""
        store = self.store()
        began = time.monotonic()
        with _collector_paused():
            snapshot = store.load(at or "HEAD", challenges, records=records, folded=folded)
        debug(f"read {snapshot.files} files at {(snapshot.commit or '')[:12]} in {(time.monotonic() - began) * 1000:.0f} ms")
        if snapshot.problems and not self._warned:  # every read command says so, once
            self._warned = True
            info(f"warning: {len(snapshot.problems)} store files have problems and were left out; run `p2p check`")
        return snapshot, store.commit_time(snapshot.commit) if at else self.now()

    def now(self) -> dt.datetime:
        """The current time; P2P_NOW pins it (scripted demos, reproducible tests)."""
        pinned = os.environ.get("P2P_NOW")
        if pinned:
            from p2p.fields import parse_timestamp

            return parse_timestamp(pinned, "P2P_NOW")
        return dt.datetime.now(dt.timezone.utc)


pass_session = click.make_pass_decorator(Session)


# Whether a read's frozen objects are unfrozen when the command ends: main() runs one
# command and exits, and an exit walks every object not frozen (0.06 s after a big read).
_unfreeze_after_command = True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A read makes a million objects and frees almost none. Python's cyclic collector
    walks every live object each time enough new ones pile up: 0.25 s of a cold read
    of a big store. It is paused while loading, and what the read made is frozen after
    (left out of later collections: the snapshot lives as long as the command), then
    unfrozen when the command ends, in a process that runs many (tests, the API).
    Nothing is paused or frozen when objects are frozen already: gc.unfreeze would
    also thaw what a host program froze, or what an earlier read of the command did."""
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    with collector_off():
        try:
            yield
        finally:
            gc.freeze()
    context = click.get_current_context(silent=True)
    if context is not None and _unfreeze_after_command:
        context.find_root().call_on_close(gc.unfreeze)


@contextmanager
def collector_off() -> Iterator[None]:
    """Python's cyclic collector off, then back as it was: for work that builds many
    objects that all live till it ends (a read, a publish), which the collector
    would walk over and over to free next to nothing. Refcounting still frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CliError(click.ClickException):
    """A P2PError (or a bug) on its way out: one line on stderr, and in JSON mode one
    `{"error": …}` document on stdout so scripts always get JSON."""

    def __init__(self, message: str, exit_code: int, code: str, as_json: bool) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.code = code
        self.as_json = as_json

    def show(self, file: Any = None) -> None:
        if self.as_json:
            import json

            click.echo(json.dumps({"error": {"code": self.code, "message": self.message}}))
        click.echo(f"{paint('error:', 'red')} {self.message}", err=True)


class RootGroup(click.Group):
    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Click's own errors (an unknown option, a missing argument) in p2p's form:
        one `error:` line naming the problem and where help is, exit 2, and in JSON
        mode an `{"error": …}` document on stdout."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "p2p"
            message = f"{exc.format_message()} (see `{where} --help`)"
            if _json_requested(exc.ctx, argv):
                import json

                click.echo(json.dumps({"error": {"code": "usage", "message": message}}))
            click.echo(f"{paint('error:', 'red')} {message}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._run(ctx)
        finally:  # a process that runs many commands (tests, a host program) keeps no git running
            store = getattr(ctx.obj, "_store", None)
            if store is not None:
                store.close()

    def _run(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except P2PError as exc:
            raise CliError(exc.message, exc.exit_code, exc.code, _json_mode(ctx)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader stopped (`p2p schema rating | head`): not an error of ours
            _stop_on_closed_pipe()
        except Exception as exc:  # a bug: say so in one line, keep the traceback for P2P_DEBUG
            if os.environ.get("P2P_DEBUG"):
                raise
            message = f"internal error ({type(exc).__name__}: {exc}); rerun with P2P_DEBUG=1 and report it"
            raise CliError(message, EXIT_INTERNAL, "internal", _json_mode(ctx)) from None
        store = getattr(ctx.obj, "_store", None)
        for note in getattr(store, "notes", []):
            info(f"note: {note}")
        try:
            _sync_after_write(ctx.obj)
        except P2PError as exc:  # the command's own output is printed: the sync result goes to stderr only
            raise CliError(exc.message, exc.exit_code, exc.code, as_json=False) from None
        return result


def _sync_after_write(session: Any) -> None:
    """After a command that committed, push to the shared remote (when there is one
    and sync is on). The entry is already recorded: failing to push exits 3."""
    store = getattr(session, "_store", None)
    if not (session.autosync and store is not None and store.wrote):
        return
    settings = store.load(challenges=[], authors=()).settings  # no entries, no roster read back
    # sync.timeout bounds the whole command, not just the push: what is left of it.
    spent = time.monotonic() - session.started + 0.5  # and half a second to finish up after the push
    result = store.sync(settings, max(0.0, settings.sync_timeout - spent))
    if result is not None and result.parked:
        info(f"note: other writers kept the remote branch busy, so the entry is on the remote in {result.parked}; "
             "the next `p2p sync` (anyone's, or CI's) folds it into the branch")
    elif result is not None and result.pushed:
        retries = f" after {result.attempts} attempts" if result.attempts > 1 else ""
        info(f"pushed {result.pushed} commit(s){retries}")


def _person_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from p2p.commands.complete import person_ids

    return person_ids(ctx, param, incomplete)


def _verbosity() -> int:
    ctx = click.get_current_context(silent=True)
    session = ctx.find_object(Session) if ctx else None
    return session.verbosity if session else 0


def info(message: str) -> None:
    """A note or warning on stderr, unless --quiet."""
    if _verbosity() >= 0:
        click.echo(paint(message, "yellow") if message.startswith("warning:") else message, err=True)


def debug(message: str) -> None:
    """Detail on stderr with --verbose."""
    if _verbosity() > 0:
        click.echo(paint(f"p2p: {message}", "bright_black"), err=True)


def progress_allowed() -> bool:
    """Progress bars: on a terminal, and not with --quiet."""
    return _verbosity() >= 0 and sys.stderr.isatty()


@contextmanager
def progress_bars(minimum: int = 20) -> Iterator[None]:
    """Show the long steps run inside (`p2p.progress.steps`) as bars on stderr, one
    line each, when `progress_allowed()`. A step of fewer than `minimum` items is
    over before a bar could be read: it gets none. A bar cut short by an error is
    ended with its line, so the error starts on a line of its own."""
    from p2p.progress import shown_by

    if not progress_allowed():
        yield
        return
    started: list[Generator[Any, None, None]] = []

    def bar(items: Iterable[Any], label: str, count: int) -> Iterable[Any]:
        if count < minimum:
            return items
        started.append(_bar(items, label, count))
        return started[-1]

    try:
        with shown_by(bar):
            yield
    finally:
        for ticking in started:
            ticking.close()


def _bar(items: Iterable[Any], label: str, count: int) -> Generator[Any, None, None]:
    with click.progressbar(items, count, label=f"{label:<16}", file=sys.stderr) as ticking:  # stacked bars line up
        yield from ticking


def _stop_on_closed_pipe() -> None:
    """Exit as a Unix tool killed by SIGPIPE does (status 141, nothing on stderr), with
    stdout pointed at /dev/null so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    from p2p.errors import EXIT_CLOSED_PIPE

    sys.exit(EXIT_CLOSED_PIPE)


def paint(text: str, colour: str) -> str:
    """Colour on a terminal only, and never with NO_COLOR (https://no-color.org)."""
    if os.environ.get("NO_COLOR") or not sys.stderr.isatty():
        return text
    return click.style(text, fg=colour)


def _json_requested(ctx: click.Context | None, argv: list[str]) -> bool:
    """JSON mode, even when the command line did not parse far enough to say so."""
    if ctx is not None and isinstance(ctx.find_root().obj, Session) and ctx.find_root().obj.format == "json":
        return True
    pairs = zip(argv, argv[1:])
    return ("--format=json" in argv or any(a == "--format" and b == "json" for a, b in pairs)
            or os.environ.get("P2P_FORMAT") == "json")


def _json_mode(ctx: click.Context) -> bool:
    return isinstance(ctx.obj, Session) and ctx.obj.format == "json"


@click.group("p2p", cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), envvar="P2P_STORE",
              show_envvar=True, help="The store's folder [default: the nearest folder with p2p.yaml].")
@click.option("--as", "as_id", metavar="ID", envvar="P2P_AS", show_envvar=True, shell_complete=_person_ids,
              help="Act as this person [default: the person whose e-mail is git's user.email].")
@click.option("--sync/--no-sync", "autosync", default=True, envvar="P2P_SYNC", show_envvar=True,
              help="Push each write to the shared remote (p2p.yaml sync.remote, else origin) right away.")
@click.option("--quiet", "-q", is_flag=True, envvar="P2P_QUIET", show_envvar=True,
              help="Print results and errors only: no notes, warnings or progress bars.")
@click.option("--verbose", "-v", is_flag=True, envvar="P2P_VERBOSE", show_envvar=True,
              help="Also print what p2p read and how long it took, on stderr.")
@click.version_option(__version__, prog_name="p2p")
@click.pass_context
def cli(ctx: click.Context, store_path: Path | None, as_id: str | None, autosync: bool, quiet: bool,
        verbose: bool) -> None:
    """Peer-to-peer improvement challenges for sales teams, stored in git.

    Set up a round, submit, rate each other against a rubric, and see the standings;
    every write is one commit authored by the person who acted.

    \b
    Example:
      p2p init team-store && cd team-store
      p2p people add ava --name "Ava Lee" --email ava@example.com --role ae --team east
      p2p challenge new q4-pitch --type pitch-battle --title "Q4 pitch" --opens 2026-11-20 --closes 2026-11-27
      p2p --as ava submit q4-pitch --link https://example.com/ava.mp4
      p2p leaderboard q4-pitch
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other; give one")
    ctx.obj = Session(store_path, as_id, autosync, verbosity=-1 if quiet else 1 if verbose else 0)


def main() -> None:
    """The `p2p` executable: one command, then the process exits."""
    global _unfreeze_after_command
    _unfreeze_after_command = False
    cli()


if __name__ == "__main__":
    sys.exit(main())
