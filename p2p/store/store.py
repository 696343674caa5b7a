"""A store: a git repository with p2p's layout. Finds it, creates or adopts it, reads
it through the loader and writes files as exactly one commit each."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from p2p.errors import SchemaError, StoreError
from p2p.progress import steps
from p2p.settings import Settings
from p2p.snapshot import Snapshot
from p2p.store import layout, loader, yamlio
from p2p.store.repo import Git, Identity

CONFIG_HEADER = "p2p store settings: see the README for every key"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding p2p.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / layout.CONFIG).is_file():
            return folder
    return None


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.git = Git(root)
        self.wrote = False  # a commit was made: the CLI syncs afterwards
        self.notes: list[str] = []  # things the CLI tells the user on stderr (recovered entries)

    @classmethod
    def open(cls, path: Path | None) -> Store:
        """The store at `path` (exactly), or the nearest one above the current folder."""
        root = (path.resolve() if (path / layout.CONFIG).is_file() else None) if path else find_root(Path.cwd())
        if root is None:
            where = str(path) if path else "this folder or any parent"
            raise StoreError(f"no p2p store in {where} (no {layout.CONFIG}); run `p2p init` to create one")
        if not (root / ".git").exists():  # a repository's top level has .git (a folder, or a file for worktrees)
            raise StoreError(f"{root} has {layout.CONFIG} but is not the top level of a git repository; "
                             "a store is a repository of its own")
        return cls(root)

    def close(self) -> None:
        """Let go of the git kept running for reads (the next read starts another)."""
        self.git.close()

    # -- reading ---------------------------------------------------------------------
    def load(self, rev: str | None = "HEAD", challenges: Iterable[str] | None = None,
             authors: Iterable[str] | None = None, records: bool = False, folded: bool = False) -> Snapshot:
        return loader.load(self.git, rev, challenges, authors=authors, records=records, folded=folded)

    def newest_entry_id(self, slug: str, rev: str = "HEAD") -> str | None:
        """The latest entry id in a challenge, from its file names alone (no parsing):
        new ids are made later than it, so write order is kept even with one clock."""
        return self.newest_id(f"{layout.ENTRIES}/{slug}/", rev)

    def newest_id(self, folder: str, rev: str = "HEAD") -> str | None:
        """The latest entry or record id below `folder` at `rev`, from file names alone.

        Listing a challenge of 20,000 entries on every write would cost a rep ~40 ms,
        so the answer is kept per folder with the tree it was found in
        (`.git/p2p/newest/`), and the next write reads only what `git diff-tree`
        says was added since. Losing that file costs one full listing."""
        tree_id = self.git.object_at(rev, folder.rstrip("/"))
        if tree_id is None:
            return None  # no such folder yet
        memo = self._newest_memo(folder)
        seen_tree, seen = _read_memo(memo)
        if seen_tree == tree_id:
            return seen or None
        names: list[str] | None = None
        if seen_tree:
            try:
                names = [path for path, oid in self.git.diff_trees(seen_tree, tree_id) if oid is not None]
            except StoreError:  # the tree it saw is gone (a rewritten history): list the folder
                names = None
        if names is None:
            seen = ""
            names = self.git.out("ls-tree", "-r", "--name-only", rev, "--", folder).split()
        newest = _newest_of(names, seen)
        try:
            from p2p.store.cache import replace_file

            replace_file(memo, f"{tree_id} {newest}".encode())
        except OSError:
            pass  # read-only: the next write lists the folder again
        return newest or None

    def _newest_memo(self, folder: str) -> Path:
        """Where newest_id keeps a folder's newest id, beside the tree it was found in."""
        return self.git.git_dir() / "p2p" / "newest" / folder.strip("/").replace("/", "__")

    def load_by_folder(self, rev: str | None
                       ) -> tuple[Snapshot, list[str], Callable[[str], Snapshot], Callable[[str, Callable[[], Any]], Any]]:
        """The store at `rev`, or in the working tree when None, to check one entries
        folder at a time (loader.load_by_folder)."""
        return loader.load_by_folder(self.git, rev, None if rev else self.root)

    def entries_of_blobs(self, oids: Iterable[str]) -> dict[str, Any]:
        """{blob id: the entry or record it holds, or None when it is neither}, read
        through one `git cat-file --batch`."""
        from p2p.entries import parse_entry
        from p2p.records import KINDS, parse_record

        found = {}
        for oid, data in self.git.read_blobs(list(dict.fromkeys(oids))).items():
            try:
                doc = yamlio.loads(data)
                found[oid] = parse_record(doc) if isinstance(doc, dict) and doc.get("kind") in KINDS else parse_entry(doc)
            except (yamlio.YamlError, SchemaError):
                found[oid] = None
        return found

    def stale_schemas(self) -> list[str]:
        """The editor schema files of the working tree that are missing or differ from
        this p2p's: a store made before p2p shipped them, or by an older p2p."""
        return [rel for rel, data in schema_files().items()
                if not (self.root / rel).is_file() or (self.root / rel).read_bytes() != data]

    def commit_time(self, commit: str) -> dt.datetime:
        seconds = int(self.git.out("show", "-s", "--format=%ct", commit))
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)

    def locate(self, snapshot: Snapshot, path: str, dotted: str) -> int | None:
        """The line of a (dotted) field in a file of `snapshot`, for problem reports."""
        oid = snapshot.oids.get(path)
        if oid is None:
            return None
        if snapshot.commit is None:
            data = (self.root / path).read_bytes()
        else:
            data = self.git.read_blobs([oid])[oid]
        return yamlio.line_of(data, dotted)

    def committer(self, fallback: Identity | None = None) -> Identity:
        identity = self.git.local_identity() or fallback
        if identity is None:
            raise StoreError(
                "no git identity to commit as: set one with `git config user.name NAME` and "
                "`git config user.email EMAIL`, or pass --as ID of a person in the roster"
            )
        return identity

    # -- writing ---------------------------------------------------------------------
    def write(self, files: Mapping[str, bytes], message: str, author: Identity, committer: Identity,
              guard: bool = True) -> str:
        """Write `files` into the working tree and commit exactly them.

        With `guard`, refuse to overwrite a file the user has changed or staged. A
        failure before the commit puts the working tree back as it was; once the
        branch has moved nothing is rolled back (the entry is recorded)."""
        ref = self.git.head_ref()  # refuses a detached HEAD before the working tree is touched
        try:
            with self.lock():
                self._recover(ref)
                return self._write(ref, files, message, author, committer, guard)
        except OSError as exc:  # _write has put the working tree back: say what could not be written
            where = f" {exc.filename}" if exc.filename else ""
            raise StoreError(f"cannot write{where}: {exc.strerror or exc} (a full disk, or a read-only store?); "
                             "nothing was recorded") from None

    def _recover(self, ref: str) -> None:
        """Finish what a killed p2p left behind: an entry committed but missing from
        the index is staged again; an entry file written but never committed is
        committed as its author when it is valid and where it belongs, else reported.

        A write lists its paths in a journal first and drops it once staged, so this
        costs nothing unless a write was interrupted: no scan of a million entries."""
        from p2p.entries import parse_entry

        journal = self._journal()
        if not journal.exists():
            return
        paths = self.interrupted_write()
        if self.git.resolve("HEAD") is None or not paths:
            journal.unlink()
            return
        raw = self.git.run("status", "--porcelain", "-z", "--untracked-files=all", "--",
                           *paths).stdout.decode("utf-8", "surrogateescape")
        records = [(r[:2], r[3:]) for r in raw.split("\0") if len(r) > 3]
        lost = [path for code, path in records if code[0] == "D"]
        if lost:
            head = self.git.out("rev-parse", "HEAD")
            self.git.stage(head, self.git.ls_tree(head, lost))
        # A committed entry missing from the index shows twice, staged as deleted and as
        # untracked: it is staged again above, not committed a second time.
        orphans = [path for code, path in records if code == "??" and path.endswith(".yaml") and path not in lost]
        for rel in orphans:
            data = (self.root / rel).read_bytes()
            try:
                entry = parse_entry(yamlio.loads(data))
                people = self.load(challenges=[]).people
                author = people[entry.by]
            except (yamlio.YamlError, SchemaError, KeyError):
                self.notes.append(f"{rel} is not a valid entry and was not committed; fix or remove it")
                continue
            if rel != layout.entry_path(entry.challenge, entry.by, entry.id):
                self.notes.append(f"{rel} is not where its entry belongs and was not committed")
                continue
            identity = Identity(author.name, author.email)
            committed = self.git.commit_files(ref, {rel: data}, f"p2p: {entry.kind} {entry.challenge} by {entry.by}",
                                              identity, self.committer(fallback=identity))
            self.git.stage(committed.id, committed.files, committed.trees)
            self.wrote = True
            self.notes.append(f"recovered {rel}: written before an interruption, now committed")
        journal.unlink()

    def _journal(self) -> Path:
        return self.git_dir() / "p2p" / "journal"

    def interrupted_write(self) -> list[str]:
        """The files of a p2p write that was interrupted (its journal): the next write
        commits or stages them (see _recover)."""
        try:
            return [line for line in self._journal().read_text("utf-8", "surrogateescape").splitlines() if line]
        except OSError:
            return []

    def _write(self, ref: str, files: Mapping[str, bytes], message: str, author: Identity, committer: Identity,
               guard: bool) -> str:
        from p2p.store.sync import fault  # here: reads need no sync code

        self._check_paths(files, guard)
        previous: dict[Path, bytes | None] = {}
        made: list[Path] = []
        journal = self._journal()
        yamlio.write_atomic(journal, "".join(f"{rel}\n" for rel in files).encode("utf-8", "surrogateescape"))
        try:
            for rel, data in steps(files.items(), "writing files"):
                if not self.git.in_checkout(rel):
                    continue  # a sparse clone leaves this folder out: the commit alone records it
                path = self.root / rel
                previous[path] = path.read_bytes() if path.is_file() else None
                made.extend(p for p in reversed(path.parents) if self.root in p.parents and not p.exists())
                yamlio.write_atomic(path, data)
            fault("after-write")
            committed = self.git.commit_files(ref, files, message, author, committer)
            fault("after-commit")
        except BaseException:
            self._restore(previous, made)
            journal.unlink()
            raise
        try:
            self.git.stage(committed.id, committed.files, committed.trees)
            journal.unlink()
        except StoreError as exc:
            paths = " ".join(files)
            raise StoreError(f"recorded as commit {committed.id[:12]}, but git's index could not be updated ({exc}); "
                             f"run `git reset -q -- {paths}` so your next commit keeps it") from None
        self.wrote = True
        self._advance_newest(files, committed.trees)
        return committed.id

    def _advance_newest(self, files: Mapping[str, bytes], trees: Mapping[str, tuple[str | None, str]]) -> None:
        """Move each folder's newest-id memo (newest_id) that named the tree this
        commit replaced to the folder's new tree, with the newest of the files written
        there: the next write then needs no `git diff-tree` to learn what it wrote."""
        from p2p.store.cache import replace_file

        for folder, (old, new) in trees.items():
            memo = self._newest_memo(folder)
            seen_tree, seen = _read_memo(memo) if folder and old else ("", "")
            if not seen_tree or seen_tree != old:
                continue  # the root, a new folder, no memo, or a memo another write moved on
            newest = _newest_of((rel for rel in files if rel.startswith(f"{folder}/")), seen)
            try:
                replace_file(memo, f"{new} {newest}".encode())
            except OSError:
                pass  # read-only: the next write diffs as before

    @contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Serialise p2p processes on one clone. The OS releases the lock when a
        process dies, so a killed p2p never leaves it behind."""
        path = self.git_dir() / "p2p.lock"
        with open(path, "a+") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        handle.seek(0)
                        holder = handle.read().strip() or "another p2p process"
                        raise StoreError(f"this store is busy: {holder} has held {path.name} for over {timeout:g} s")
                    time.sleep(0.05)
            handle.seek(0)
            handle.truncate()
            handle.write(f"p2p (pid {os.getpid()}: {' '.join(sys.argv[1:])[:120]})\n")
            handle.flush()
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                fcntl.flock(handle, fcntl.LOCK_UN)

    def git_dir(self) -> Path:
        return self.git.git_dir()

    def sync(self, settings: Settings, timeout: float | None = None, fold: bool = False) -> Any:
        """Push this clone's unpushed commits, and with `fold` every commit parked in the
        remote's inbox (see p2p.store.sync); None without a remote."""
        from p2p.store import sync

        remote = sync.remote_of(self.git, settings.sync_remote)
        if remote is None:
            return None
        branch = self.git.head_ref().removeprefix("refs/heads/")
        with self.lock():
            self._recover(self.git.head_ref())
            return sync.sync(self.git, remote, branch, settings.sync_timeout if timeout is None else timeout,
                             inbox_after=settings.sync_inbox_after, fold=fold)

    def _check_paths(self, files: Mapping[str, bytes], guard: bool) -> None:
        if (self.root / ".git" / "index.lock").exists():
            age = time.time() - (self.root / ".git" / "index.lock").stat().st_mtime
            raise StoreError(f"another git process is running in this store (.git/index.lock, {age:.0f} s old); "
                             "if none is, `p2p doctor --fix` removes it")
        for rel in files:
            path = self.root / rel
            for part in (path, *path.parents):
                if part == self.root:
                    break
                if part.is_symlink():
                    raise StoreError(f"{part.relative_to(self.root)} is a symbolic link; p2p writes only real files")
        # A new entry's path is new by construction (a fresh id): only files that
        # exist, or set-up files, can hold a user's uncommitted changes to protect.
        guarded = [rel for rel in files if (self.root / rel).exists() or layout.classify(rel) != "entry"]
        if guard and guarded:
            changed = self.git.changed(guarded)
            if changed:
                raise StoreError(f"{changed[0]} has changes that are not committed; commit or discard them first "
                                 "so p2p does not overwrite them")

    @staticmethod
    def _restore(previous: Mapping[Path, bytes | None], made: list[Path]) -> None:
        for path, data in previous.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                yamlio.write_atomic(path, data)
        for folder in reversed(made):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def schema_files() -> dict[str, bytes]:
    """This p2p's JSON Schemas at their place in a store, for editors (p2p.schema)."""
    from p2p.schema import shipped

    return {f"{layout.SCHEMAS}/{name}": data for name, data in shipped().items()}


def init(root: Path, name: str | None = None) -> tuple[Store, bool]:
    """Create or adopt a store at `root`. Returns (store, created); idempotent."""
    store = Store(root)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} exists and is not a folder")
    if not (root.is_dir() and store.git.is_repo()):
        # A new or empty folder becomes a repository of its own; a folder with files
        # inside another repository is refused: p2p would commit into the wrong one.
        if root.is_dir() and any(root.iterdir()):
            outer = Git(root).run("rev-parse", "--show-toplevel", check=False)
            if outer.returncode == 0:
                top = outer.stdout.decode().strip()
                raise StoreError(f"{root} is a folder inside the git repository {top}; a store is a repository "
                                 f"of its own: use an empty folder, or run `git init {root}` first")
        store.git.init()
    store.git.head_ref()  # refuses a detached HEAD before anything is written
    config_path = root / layout.CONFIG
    if config_path.is_file() and store.git.resolve("HEAD") is not None:
        tracked = store.git.run("ls-files", "--error-unmatch", layout.CONFIG, check=False).returncode == 0
        if tracked:
            return store, False
    if config_path.is_file():  # the user wrote p2p.yaml first: keep it, once it is valid
        config = config_path.read_bytes()
        try:
            Settings.parse(yamlio.loads(config))
        except (yamlio.YamlError, SchemaError) as exc:
            raise StoreError(f"{config_path}: {exc}") from None
    else:
        settings = Settings(name=name or root.resolve().name)
        config = yamlio.dumps(settings.to_doc(), layout.header(layout.CONFIG, CONFIG_HEADER))
    files = {layout.CONFIG: config, **schema_files()}
    for folder in (layout.PEOPLE, layout.CHALLENGES, layout.ENTRIES):
        files[f"{folder}/{layout.KEEP}"] = b""
    committer = store.committer()
    store.write(files, "p2p: init store", committer, committer, guard=False)  # p2p.yaml may be the user's draft
    return store, True


def _read_memo(memo: Path) -> tuple[str, str]:
    """(tree id, newest id) of a newest-id memo; empty strings where it has none."""
    try:
        tree, _, newest = memo.read_text().partition(" ")
    except OSError:
        return "", ""
    return tree.strip(), newest.strip()


def _newest_of(paths: Iterable[str], seen: str = "") -> str:
    """The newest entry id among the entry files in `paths` (ids sort by time) and `seen`."""
    stems = [path.rsplit("/", 1)[-1][:-5] for path in paths if path.endswith(".yaml")]
    return max([stem for stem in stems if len(stem) == 26] + [seen], default="")
