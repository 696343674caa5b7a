"""Git, through its command line: create or adopt a repository, read trees and blobs
at any revision, and commit exactly the given files as a given author.

Commits are built with plumbing (blobs, the changed trees, commit-tree, and a
compare-and-swap update of the branch) instead of `git add && git commit`: the cost
stays flat as the store grows, whatever the user has staged stays staged and out of
p2p's commit, and a concurrent writer on the same clone can never be overwritten."""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from p2p.errors import StoreError
from p2p.progress import steps
from p2p.store import catfile
from p2p.store.catfile import NO_GIT

if TYPE_CHECKING:
    from p2p.store.objects import Loose

ZERO = "0" * 40
FILE_MODE = "100644"  # every file p2p commits: a plain, not executable, file
FOLDER_MODE = "040000"
_FLAGS = r"^(core\.sparsecheckout|core\.sparsecheckoutcone|index\.sparse)$"  # what _config_true is asked
_CAS_ATTEMPTS = 40  # with backoff: a few seconds of contention on one clone
# Past this many trees, diff_trees asks `git diff-tree` instead of reading them one
# by one (~0.1 ms each): a write's diff reads two, a leaderboard's after a new entry four.
_DIFF_READS = 32
_FEW_BLOBS = 16  # read one by one through the Reader; more stream through a git of their own
_MEMO = 256  # objects Git keeps by name (the trees on a write's paths), before starting afresh


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


@dataclass(frozen=True)
class Change:
    status: str  # A added, M modified, D deleted, T type changed
    path: str
    blob: str  # the new blob (the old one for a deletion)


class Changes:
    """A commit's files as git printed them, parsed only as they are read, from
    either end: each file is `per` NUL-terminated fields, made a Change by `parse`
    (None: not a file to report).

    A bulk commit (an import, or a store made from a spreadsheet) adds a million
    files: as Change objects that is ~700 MB, as git's text ~150 MB. `log` wants
    the newest few (the record's last ones), so reading backwards is as cheap as
    forwards. By default the text is git's `-z --raw` diff: `:META\0PATH\0` per file."""

    __slots__ = ("_raw", "_per", "_parse")

    def __init__(self, raw: bytes | bytearray, per: int = 2,
                 parse: Callable[..., Change | None] | None = None) -> None:
        self._raw, self._per, self._parse = raw, per, parse or _change

    def __iter__(self) -> Iterator[Change]:
        raw, pos = self._raw, 0
        while pos < len(raw):
            fields = []
            for _ in range(self._per):
                end = raw.index(b"\0", pos)
                fields.append(raw[pos:end])
                pos = end + 1
            change = self._parse(*fields)
            if change is not None:
                yield change

    def __reversed__(self) -> Iterator[Change]:
        raw, end = self._raw, len(self._raw) - 1  # the last NUL
        while end > 0:
            fields = []
            for _ in range(self._per):
                start = raw.rfind(b"\0", 0, end) + 1
                fields.append(raw[start:end])
                end = start - 1
            change = self._parse(*reversed(fields))
            if change is not None:
                yield change


@dataclass(frozen=True)
class Commit:
    id: str
    author: Identity
    committer: Identity
    time: int  # committer time, seconds since the epoch
    signature: str  # git's %G?: G good, N none, B bad, U unknown validity, …
    changes: Changes
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class TreeItem:
    mode: str
    kind: str
    oid: str
    path: str


@dataclass(frozen=True)
class Committed:
    id: str
    files: tuple[TreeItem, ...]  # each file committed, as the commit's tree holds it: what to `stage`
    # each folder on their paths ("" the root): (its tree in the parent commit or None, in this one)
    trees: Mapping[str, tuple[str | None, str]] = field(default_factory=dict)


# ~250,000 files, where git's rewrite of the whole index costs a write ~0.1 s. From 1
# MB (~8,000 files) a small store's submit was 15 ms faster, but a split index is one
# that libgit2-based tools (GitKraken, NodeGit, pygit2) cannot read, and each write
# drops its untracked cache: for that few ms, not worth a rep's other tools.
SPLIT_INDEX_BYTES = 32 << 20


class Git:
    """A repository at `root`, driven through the `git` executable."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._flags: set[str] | None = None  # boolean config keys set to true, read once
        self._listed: dict[tuple[str, tuple[str, ...]], list[TreeItem]] = {}
        self._commits: set[str] = set()  # full commit ids resolve() had git name
        self._roots: dict[str, str] = {}  # their root trees
        self._objects: dict[str, tuple[str, str, bytes] | None] = {}  # by a name that cannot move

    @cached_property
    def _reader(self) -> catfile.Reader:
        """The git answering this repository's small reads (p2p.store.catfile.Reader)."""
        return catfile.Reader(self.root)

    def git_dir(self) -> Path:
        dot = self.root / ".git"
        if dot.is_file():  # a worktree or submodule: "gitdir: PATH"
            return (self.root / dot.read_text().split(":", 1)[1].strip()).resolve()
        return dot

    def close(self) -> None:
        """End the Reader's git, if one was started (the next small read starts another)."""
        if "_reader" in self.__dict__:
            self._reader.close()

    # -- running git -----------------------------------------------------------------
    def run(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
            check: bool = True, config: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        """git `args` in the store; `config`: settings for this one command (`git -c`)."""
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        settings = [part for key, value in (config or {}).items() for part in ("-c", f"{key}={value}")]
        try:
            proc = subprocess.run(
                ["git", "-C", str(self.root), *settings, *args], input=input, capture_output=True, env=full_env
            )
        except FileNotFoundError:
            raise StoreError(NO_GIT) from None
        if check and proc.returncode != 0:
            raise _failed(args[0], proc.stderr)
        return proc

    def out(self, *args: str, **kwargs: object) -> str:
        return self.run(*args, **kwargs).stdout.decode("utf-8").strip()  # type: ignore[arg-type]

    # -- repository state ------------------------------------------------------------
    def is_repo(self) -> bool:
        import shutil  # here, like random below: a read imports neither

        if shutil.which("git") is None:
            raise StoreError(NO_GIT)
        proc = self.run("rev-parse", "--show-toplevel", check=False)
        return proc.returncode == 0 and Path(proc.stdout.decode().strip()).resolve() == self.root.resolve()

    def init(self) -> None:
        import shutil

        if shutil.which("git") is None:  # before any folder is made: nothing is left behind
            raise StoreError(NO_GIT)
        self.root.mkdir(parents=True, exist_ok=True)
        self.run("init", "--quiet")

    def head_ref(self) -> str:
        """The branch HEAD points at (it may not exist yet); refuse a detached HEAD."""
        proc = self.run("symbolic-ref", "--quiet", "HEAD", check=False)
        if proc.returncode != 0:
            raise StoreError("HEAD is detached; check out a branch (git switch main) before writing")
        return proc.stdout.decode().strip()

    def resolve(self, rev: str) -> str | None:
        """The commit id of `rev`, or None when it does not exist (an unborn branch).

        A commit id git named here names that commit for good: asked again (a second
        read at the commit the first one resolved) it costs nothing. A name that
        can move (HEAD, a branch) is asked of git every time."""
        if rev in self._commits:
            return rev
        found = self._reader.get(f"{rev}^{{commit}}")
        if found is None:
            return None
        commit, _, content = found
        self._commits.add(commit)
        self._roots[commit] = _root_of(content)
        return commit

    def local_identity(self) -> Identity | None:
        proc = self.run("var", "GIT_COMMITTER_IDENT", check=False, env={"GIT_CONFIG_PARAMETERS": "'user.useconfigonly=true'"})
        if proc.returncode != 0:
            return None
        ident = proc.stdout.decode("utf-8", "replace").strip()
        name, _, rest = ident.partition(" <")
        email = rest.split(">", 1)[0]
        return Identity(name, email) if name and email else None

    # -- reading ---------------------------------------------------------------------
    def ls_tree(self, rev: str, paths: Iterable[str] = (), recursive: bool = True) -> list[TreeItem]:
        """Every blob below `paths` (all when empty) in the tree of `rev`; without
        `recursive`, the items named (a folder as a tree; "folder/" lists its children)."""
        key = (rev, tuple(paths))
        if not recursive and key in self._listed:  # a commit's folders never change: a write lists them twice
            return self._listed[key]
        if not recursive and key[1]:
            items = self._items(rev, key[1])
        else:
            raw = self.run("ls-tree", *(["-r"] if recursive else []), "-z", "--full-tree", rev, "--", *paths).stdout
            items = [TreeItem(*_tree_record(record)) for record in raw.split(b"\0") if record]
        if not recursive and _is_id(rev):
            self._listed[key] = items
        return items

    def _items(self, rev: str, paths: tuple[str, ...]) -> list[TreeItem]:
        """ls_tree's items, not recursive, read through the Reader, in git's order:
        each path as itself, a "folder/" as its children. A top-level name is found
        in the root's listing (a few entries: people/'s own is 5,000); a deeper one
        is asked for by path, and its mode, not in cat-file's answer, given as a
        plain file's (p2p stages only files it wrote)."""
        from p2p.store.objects import KINDS, tree_entries

        items: dict[str, TreeItem] = {}
        modes = {kind.decode(): mode.decode() for mode, kind in KINDS.items()}

        def listed(folder: str, found: tuple[str, str, bytes] | None) -> Iterator[TreeItem]:
            if found is not None and found[1] == "tree":
                for mode, name, binary in tree_entries(found[2], len(found[0]) // 2):
                    padded = mode.rjust(6, b"0")
                    yield TreeItem(padded.decode(), KINDS.get(padded, b"blob").decode(), binary.hex(),
                                   folder + name.decode("utf-8", "surrogateescape"))

        for path in paths:
            if path.endswith("/"):
                items.update((item.path, item) for item in listed(path, self._object(rev, path[:-1])))
            elif "/" not in path:
                items.update((item.path, item) for item in listed("", self._object(rev, "")) if item.path == path)
            else:
                found = self._object(rev, path)
                if found is not None:
                    items[path] = TreeItem(modes.get(found[1], FILE_MODE), found[1], found[0], path)
        # git lists a tree's entries by name, a folder's as if it ended in "/"
        return sorted(items.values(), key=lambda i: i.path.encode("utf-8", "surrogateescape") + (
            b"/" if i.kind == "tree" else b""))

    def _object(self, rev: str, path: str) -> tuple[str, str, bytes] | None:
        """(id, type, content) of what `path` ("" the root folder) holds in `rev`,
        None when nothing; kept while `rev` is an id (a commit's paths never change)."""
        base = self._roots.get(rev, rev)
        spec = f"{base}:{path}" if path else f"{base}^{{tree}}"
        if spec in self._objects:
            return self._objects[spec]
        found = self._reader.get(spec)
        if _is_id(base):
            if len(self._objects) >= _MEMO:
                self._objects.clear()
            self._objects[spec] = found
        return found

    def object_at(self, rev: str, path: str) -> str | None:
        """The id of what `path` holds in `rev` (a folder's tree), None when nothing;
        without asking git when a listing of that commit already named it (a write's
        read lists every challenge's entries folder at the commit it checks)."""
        for (listed, _), items in self._listed.items():  # commit ids only: HEAD is never kept
            if listed == rev:
                named = next((item.oid for item in items if item.path == path), None)
                if named is not None:
                    return named
        found = self._object(rev, path)
        return found[0] if found is not None else None

    def diff_trees(self, old: str, new: str) -> list[tuple[str, str | None]]:
        """(path inside the trees, new blob id or None when gone) of every file that
        differs between two trees: the cost of one new entry, not of the folder."""
        changes = self._diff_read(old, new)
        if changes is not None:
            return changes
        # diff-tree reads the index although comparing two trees needs none: in a
        # million-file checkout that is 0.2 s and 300 MB. Point it at no index at all.
        no_index = {"GIT_INDEX_FILE": str(self.git_dir() / "p2p" / "no-index" / "index")}
        raw = self.run("diff-tree", "-r", "-z", "--no-renames", old, new, env=no_index).stdout.split(b"\0")
        changes = []
        for meta, path in zip(raw[0::2], raw[1::2]):
            _, new_mode, _, oid, status = meta.decode().split(" ")
            name = path.decode("utf-8", "surrogateescape")
            # gone, or a submodule (not a blob, as ls-tree's listing would leave it out)
            changes.append((name, None if status == "D" or new_mode == "160000" else oid))
        return changes

    def _diff_read(self, old: str, new: str) -> list[tuple[str, str | None]] | None:
        """diff_trees through the Reader, for the few changed folders a command's diff
        meets; None past _DIFF_READS trees, where `git diff-tree` is quicker. As
        git's `diff-tree -r`: the files of a folder added or removed, each; a file
        that became a folder (or the reverse), removed and its files added."""
        from p2p.store.objects import FOLDER_MODES, entry_set, tree_entries

        reads = 0

        def read(spec: str) -> tuple[str, bytes]:
            nonlocal reads
            reads += 1
            if reads > _DIFF_READS:
                raise _TooMany
            found = self._reader.get(spec)
            if found is None or found[1] != "tree":
                raise StoreError(f"git diff-tree failed: {spec} is not a tree in this repository")
            return found[0], found[2]

        def keyed(entries: set[bytes], hash_len: int) -> dict[bytes, tuple[bytes, bytes, bytes]]:
            return {name + b"/" if mode in FOLDER_MODES else name: (mode, name, binary)
                    for mode, name, binary in tree_entries(b"".join(entries), hash_len)}

        changes: list[tuple[str, str | None]] = []

        def walk(before: bytes | None, after: bytes | None, prefix: str, hash_len: int) -> None:
            # Only the entries that differ byte for byte are parsed: one of a folder's 4,000.
            old_entries, new_entries = entry_set(before or b"", hash_len), entry_set(after or b"", hash_len)
            left, right = keyed(old_entries - new_entries, hash_len), keyed(new_entries - old_entries, hash_len)
            for key in sorted(left.keys() | right.keys()):
                was, now = left.get(key), right.get(key)
                if was is not None and now is not None and was[2] == now[2] and (was[0] == now[0] or key[-1:] == b"/"):
                    continue
                path = prefix + (was or now)[1].decode("utf-8", "surrogateescape")  # type: ignore[index]
                if key[-1:] == b"/":
                    walk(read(was[2].hex())[1] if was else None, read(now[2].hex())[1] if now else None,
                         f"{path}/", hash_len)
                else:  # gone, or a submodule (not a blob, as ls-tree's listing would leave it out)
                    changes.append((path, None if now is None or now[0] == b"160000" else now[2].hex()))

        try:
            old_id, before = read(f"{old}^{{tree}}")
            new_id, after = read(f"{new}^{{tree}}")
            if old_id != new_id:
                walk(before, after, "", len(new_id) // 2)
        except _TooMany:
            return None
        return changes

    def sizes(self, oids: list[str]) -> dict[str, int]:
        """The size in bytes of each object of `oids` that exists: one `cat-file --batch-check`."""
        out = self.run("cat-file", "--batch-check", input="".join(f"{oid}\n" for oid in oids).encode()).stdout
        found = (line.split() for line in out.decode().splitlines())
        return {parts[0]: int(parts[2]) for parts in found if len(parts) == 3}  # else "<oid> missing"

    def read_blobs(self, oids: list[str]) -> dict[str, bytes]:
        """Contents of many blobs through one `git cat-file --batch`."""
        return dict(self.iter_blobs(oids))

    def iter_blobs(self, oids: list[str]) -> Iterator[tuple[str, bytes]]:
        """(id, content) of each blob, in order, as git reads them: a caller that parses
        each one as it comes does so while git reads the next. A few are asked of
        the Reader, one by one."""
        few = len(oids) <= _FEW_BLOBS
        for oid, found in zip(oids, (self._reader.get(oid) for oid in oids) if few else catfile.stream(self.root, oids)):
            if found is None:
                raise StoreError(f"git object {oid} is missing from the repository; run git fsck")
            yield oid, found[2]

    def commits(self, revs: Iterable[str], paths: Iterable[str], signers: str | None = None,
                oldest_first: bool = False, roots_below: Sequence[str] = ()) -> Iterator[Commit]:
        """The commits `git log REVS -- PATHS` lists (newest first, unless `oldest_first`),
        with their file changes, parsed as git writes them: a caller that stops after
        the newest few reads a few, not the million of a big store's history. With
        `roots_below` (folders: no pathspec magic), a commit with no parent comes
        with its files below those folders as git lists them, not as git diffs them:
        git holds a whole diff in memory, 440 MB for an import of a million files."""
        config = ["-c", f"gpg.ssh.allowedSignersFile={signers}"] if signers else []
        config += ["-c", "log.showRoot=false"] if roots_below else []
        fmt = "%x01%H%x00%an%x00%ae%x00%cn%x00%ce%x00%ct%x00%P%x00" + ("%G?" if signers else "N")

        def parsed(record: bytearray) -> Commit:
            commit = _commit(record)
            if not roots_below or commit.parents:
                return commit
            listed = self.run("ls-tree", "-r", "-z", "--full-tree", commit.id, "--", *roots_below).stdout
            return replace(commit, changes=Changes(listed, 1, _listed))

        args = [*config, "log", *(["--reverse"] if oldest_first else []), "--raw", "--no-renames", "--no-abbrev",
                "-z", f"--format={fmt}", *revs, "--", *paths]
        import tempfile  # git's complaints go to a file: a full stderr pipe would stall it

        errors = tempfile.TemporaryFile()
        try:
            proc = subprocess.Popen(["git", "-C", str(self.root), *args], stdout=subprocess.PIPE, stderr=errors)
        except FileNotFoundError:
            errors.close()
            raise StoreError(NO_GIT) from None
        assert proc.stdout is not None
        try:
            # A commit's record grows in one buffer: adding each read to a pending
            # bytes copies a bulk commit's 150 MB for every 64 KB read, and joining
            # a list of reads holds it twice.
            record = bytearray()
            for chunk in iter(lambda: proc.stdout.read1(1 << 16), b""):  # type: ignore[union-attr, attr-defined]
                first, *records = chunk.split(b"\x01")
                record += first
                if records:
                    *complete, last = records
                    yield from (parsed(r) for r in (record, *map(bytearray, complete)) if r)
                    record = bytearray(last)
            if record:
                yield parsed(record)
            if proc.wait() != 0:
                errors.seek(0)
                raise _failed("log", errors.read())
        finally:  # also when the caller stops early: git is not left writing to a closed pipe
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            errors.close()

    # -- writing ---------------------------------------------------------------------
    def commit_files(self, ref: str, files: Mapping[str, bytes], message: str, author: Identity,
                     committer: Identity) -> Committed:
        """Commit exactly `files` (path -> content) on top of branch `ref`.

        p2p writes the files into the working tree first (atomically), unless a
        sparse checkout leaves their folder out. The index is not touched here:
        `stage` them after, from the returned commit's `files`."""
        blobs = dict(zip(files, self._hash_objects(list(files.values()))))
        env = {
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email,
        }
        for attempt in range(_CAS_ATTEMPTS):
            if attempt:
                import random

                time.sleep(random.uniform(0.005, 0.02) * min(attempt, 10))  # jittered backoff
            head = self._reader.get(f"{ref}^{{commit}}")
            parent, base_tree = (head[0], _root_of(head[2])) if head is not None else (None, None)
            trees: dict[str, tuple[str | None, str]] = {}
            tree = self.tree_with(base_tree, blobs, trees)
            args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
            commit = self.out(*args, env=env)
            # Compare-and-swap: fails if another writer moved the branch meanwhile.
            proc = self.run("update-ref", "-m", message, ref, commit, parent or ZERO, check=False)
            if proc.returncode == 0:
                return Committed(commit, tuple(TreeItem(FILE_MODE, "blob", oid, path) for path, oid in blobs.items()),
                                 trees)
            if self.resolve(ref) == parent:  # the branch did not move: git failed for another reason
                detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                raise StoreError(f"git could not update {ref}: {detail[-1] if detail else 'no reason given'} "
                                 "(a full disk, a read-only .git, or a stale .lock file; `p2p doctor` checks)")
        raise StoreError(f"{ref} kept moving while committing; another p2p or git is writing, try again")

    def _hash_objects(self, contents: list[bytes]) -> list[str]:
        """Blob ids of `contents`, written to the object store: by p2p
        (p2p.store.objects), else by one git process for a whole import (3,000 people
        took 7 s at one process per file)."""
        loose = self._loose
        if loose is not None:
            return [loose.write("blob", data) for data in (steps(contents, "committing files") if len(contents) > 1
                                                           else contents)]
        if len(contents) == 1:
            return [self.out("hash-object", "-w", "--stdin", input=contents[0])]
        import tempfile  # here: a single write, the common case, does not pay for it

        with tempfile.TemporaryDirectory(prefix="p2p-blobs-") as folder:
            paths = []
            for n, data in enumerate(steps(contents, "committing files")):
                paths.append(os.path.join(folder, str(n)))
                with open(paths[-1], "wb") as handle:
                    handle.write(data)
            return self.out("hash-object", "-w", "--no-filters", "--stdin-paths",
                            input="".join(f"{p}\n" for p in paths).encode()).split()

    def tree_with(self, tree: str | None, blobs: Mapping[str, str],
                  moved: dict[str, tuple[str | None, str]] | None = None) -> str:
        """A new tree id: `tree` with each path set to its blob. Only the trees on the
        changed paths are read (in one `cat-file --batch`) and rebuilt, each by editing
        its content (p2p.store.objects.edit_tree); `moved` gets each one's id in `tree`
        (None when new) and its new id, by folder ("" the root)."""
        from p2p.store.objects import edit_tree

        # The root at least: with no paths (an empty commit replayed by sync), `tree` itself.
        folders = sorted({path.rsplit("/", 1)[0] if "/" in path else "" for path in blobs}) or [""]
        wanted = sorted({"/".join(f.split("/")[:i]) for f in folders for i in range(f.count("/") + 2 if f else 1)})
        trees = self._read_trees(tree, wanted)
        changes: dict[str, dict[str, tuple[str, str]]] = {folder: {} for folder in wanted}
        for path, oid in blobs.items():
            folder, _, name = path.rpartition("/")
            changes[folder][name] = (FILE_MODE, oid)
        root = trees[""][0]
        hash_len = len(root) // 2 if root else self._id_length()
        with self._tree_maker(hash_len) as make_tree:
            for folder in sorted(wanted, key=lambda f: -(f.count("/") + bool(f))):  # deepest first
                before, content = trees[folder]
                try:
                    oid = make_tree(edit_tree(content, changes[folder], hash_len))
                except StoreError as exc:
                    raise StoreError(f"{folder or 'the top folder'} (tree {before or 'new'}): {exc}") from None
                if moved is not None:
                    moved[folder] = (before, oid)
                if not folder:
                    return oid
                parent, _, name = folder.rpartition("/")
                changes[parent][name] = (FOLDER_MODE, oid)
        raise AssertionError("the root tree is always rebuilt")

    def _id_length(self) -> int:
        """Bytes in an object id of this repository (20 for sha1, 32 for sha256), for a
        first commit, which has no tree to measure."""
        if self._loose is not None:
            return self._loose.hash_len
        return len(self.out("hash-object", "-t", "tree", "--stdin", input=b"")) // 2

    @cached_property
    def _loose(self) -> Loose | None:
        """Where p2p writes this repository's objects itself; None: git writes them."""
        from p2p.store.objects import Loose

        return Loose.of(self.git_dir())

    @contextmanager
    def _tree_maker(self, hash_len: int) -> Iterator[Callable[[bytes], str]]:
        """A function writing one tree (its content) and returning its id: by p2p
        (p2p.store.objects), else all through one `git mktree --batch`, which checks
        each entry. A commit rebuilds every folder on its paths (four for an entry),
        at ~3 ms for each process. git answers each tree as soon as it is complete,
        so a parent can name the id of its child.

        `--missing`: every entry named is one git just gave p2p (the parent trees it
        read, the blobs it wrote, the trees this made), so git need not look each one
        up: 4,000 lookups for a challenge folder of 4,000 reps, 5-25 ms, up to 140 ms
        in a partial clone, where the entries' blobs are missing by design."""
        loose = self._loose
        if loose is not None:
            yield partial(loose.write, "tree")
            return
        from p2p.store.objects import mktree_input

        try:
            proc = subprocess.Popen(["git", "-C", str(self.root), "mktree", "--missing", "--batch", "-z"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise StoreError(NO_GIT) from None
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout

        def make_tree(content: bytes) -> str:
            try:
                stdin.write(mktree_input(content, hash_len) + b"\0")  # with --batch -z, one more NUL ends a tree
                stdin.flush()
            except BrokenPipeError:  # git stopped (a bad entry): its message says why
                pass
            line = stdout.readline()
            if not line.endswith(b"\n"):
                raise _failed("mktree", proc.communicate()[1])
            return line.decode().strip()

        try:
            yield make_tree
        finally:
            if proc.returncode is None:  # also on an error: git sees its input end and exits
                proc.communicate()

    def recommit(self, commit: str, tree: str, parent: str) -> str:
        """A copy of `commit` with another tree and parent: same author, committer,
        dates and message (how sync replays a commit onto the remote head)."""
        meta = self.out("log", "-1", "--format=%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd", "--date=raw", commit)
        an, ae, ad, cn, ce, cd = meta.split("\0")
        message = self.run("log", "-1", "--format=%B", commit).stdout
        env = {"GIT_AUTHOR_NAME": an, "GIT_AUTHOR_EMAIL": ae, "GIT_AUTHOR_DATE": ad,
               "GIT_COMMITTER_NAME": cn, "GIT_COMMITTER_EMAIL": ce, "GIT_COMMITTER_DATE": cd}
        return self.out("commit-tree", tree, "-p", parent, "-F", "-", input=message, env=env)

    def _read_trees(self, tree: str | None, folders: list[str]) -> dict[str, tuple[str | None, bytes]]:
        """{folder: (id, content)} of folders of `tree`; (None, b"") when absent."""
        found_trees: dict[str, tuple[str | None, bytes]] = {folder: (None, b"") for folder in folders}
        if tree is None:
            return found_trees
        for folder in folders:
            found = self._object(tree, folder)
            if found is None:
                continue
            oid, kind, content = found
            if kind != "tree":
                raise StoreError(f"{folder} is a {kind} in the repository, not a folder; p2p will not write below it")
            found_trees[folder] = (oid, content)
        return found_trees

    def stage(self, commit: str, files: Iterable[TreeItem],
              trees: Mapping[str, tuple[str | None, str]] | None = None) -> None:
        """Record `files` (as `commit` holds them) in the index, so `git status` shows
        them clean and whatever else the user staged stays staged. commit_files
        returns the files it committed, sparing a process to list them again, and
        the `trees` of the folders on their paths, before and after."""
        from p2p.store import gitindex

        files = list(files)
        if self.sparse_index():
            # Naming a path outside the cone would make git expand the whole index
            # (seconds at a million entries). A two-way merge from the parent moves
            # only the folders that changed and keeps the user's staged changes; when
            # those are folder entries (every write's, with the README's cone), p2p
            # moves them itself, from the parent's trees to the commit's.
            folders = {self._sparse_folder(i.path) or "" for i in files}
            # Each folder's tree and its parents' (the index's cache-tree), before and after.
            paths = {"/".join(f.split("/")[:depth]) for f in folders for depth in range(f.count("/") + 2)}
            moves = {p.encode("utf-8", "surrogateescape"): trees[p] for p in paths if trees and p in trees}
            if ("" not in folders and len(moves) == len(paths) and all(old for old, _ in moves.values())
                    and "GIT_INDEX_FILE" not in os.environ and gitindex.point_sparse_dirs(
                        self.git_dir() / "index", {f.encode("utf-8", "surrogateescape") for f in folders},
                        moves)):  # type: ignore[arg-type]
                return
            self.run("read-tree", "-m", f"{commit}^", commit)
            return
        self._split_big_index()

        # A big clone's split index is staged in by p2p, in its small part: `git
        # update-index` would read the shared part, a million entries (0.25 s, 281 MB).
        done = "GIT_INDEX_FILE" not in os.environ and gitindex.stage_in_split(self.git_dir() / "index", [
            (int(i.mode, 8), i.oid, i.path.encode("utf-8", "surrogateescape")) for i in files])
        if done:
            return
        listing = "".join(f"{i.mode} {i.oid}\t{i.path}\0" for i in files)
        # None: the split part is big; git folds it into a new shared index this once.
        fold = {"splitIndex.maxPercentChange": "0"} if done is None else None
        self.run("update-index", "--add", "-z", "--index-info", input=listing.encode("utf-8", "surrogateescape"),
                 config=fold)

    def sparse_index(self) -> bool:
        """Whether this clone keeps a sparse index (`git sparse-checkout set --cone
        --sparse-index`), the layout the README recommends for reps on a big store."""
        return self._sparse_cone is not None and self._config_true("index.sparse")

    def in_checkout(self, path: str) -> bool:
        """Whether `path` belongs in the working tree: always, unless a cone-mode
        sparse checkout leaves its folder out."""
        return self._sparse_cone is None or self._sparse_folder(path) is None

    def _sparse_folder(self, path: str) -> str | None:
        """The highest folder of `path` a cone-mode sparse checkout leaves out: the one
        a sparse index holds as one entry (`entries` for every entry, with the
        README's cone); None when `path` is in the checkout (cone mode always keeps
        the top-level files, and the files of a kept folder's parents)."""
        recursive, parents = self._sparse_cone or (frozenset(), frozenset())
        folders = path.split("/")[:-1]
        for depth in range(1, len(folders) + 1):
            prefix = "/".join(folders[:depth])
            if prefix in recursive:
                return None
            if prefix not in parents:
                return prefix
        return None

    @cached_property
    def _sparse_cone(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """(folders kept whole, folders whose own files are kept) of a cone-mode
        sparse checkout, or None when the whole tree is checked out."""
        try:
            lines = (self.git_dir() / "info" / "sparse-checkout").read_text().split()
        except OSError:
            return None  # the common case costs no git process
        if not (self._config_true("core.sparseCheckout") and self._config_true("core.sparseCheckoutCone")):
            return None
        kept = {line.strip("/") for line in lines if line.startswith("/") and line.endswith("/")}
        shallow = {line[2:-3] for line in lines if line.startswith("!/") and line.endswith("/*/")}
        return frozenset(kept - shallow), frozenset(kept & shallow)

    def _config_true(self, key: str) -> bool:
        if self._flags is None:  # one git process for every flag a write asks about
            raw = self.run("config", "-z", "--type=bool", "--get-regexp", _FLAGS, check=False).stdout
            self._flags = {item.partition(b"\n")[0].decode().lower() for item in raw.split(b"\0")
                           if item.partition(b"\n")[2] == b"true"}
        return key.lower() in self._flags

    def _split_big_index(self) -> None:
        """git rewrites the whole index on every `update-index`: 15 ms of a write at
        18,000 files (2 MB), 0.4 s at a million (100 MB). A split index writes only
        what changed, and p2p then stages in that part itself (stage); past 10,000
        entries of its own, git folds it into a new shared part. Index format 4
        (what git's own feature.manyFiles picks) compresses the paths: at a million
        entries git then reads 91 MB instead of 120 MB and peaks at 288 MB instead
        of 316. Set once per clone, in its own config, when the index passes
        SPLIT_INDEX_BYTES; the index is rewritten in format 4 then, once, a chunk at
        a time (p2p.store.gitindex: 40 MB and 2 s at a million entries)."""
        index = self.git_dir() / "index"
        try:
            if index.stat().st_size < SPLIT_INDEX_BYTES:
                return
            config = (self.git_dir() / "config").read_text().lower()
        except OSError:
            return
        if "splitindex" in config:
            return  # decided already (either way) by p2p or the user
        # The format first, and the settings only once it is done: a busy index (an
        # editor holding index.lock) leaves both for the next write to try again.
        if "[index]" not in config:  # the user's own index.version stands
            # p2p's streamed rewrite first: git's own holds the whole index, 322 MB at
            # a million files.
            from p2p.store import gitindex

            if gitindex.version(index) != 4:
                algorithm = self.run("rev-parse", "--show-object-format").stdout.decode().strip()
                if (not gitindex.rewrite_v4(index, algorithm)
                        and self.run("update-index", "--index-version", "4", check=False).returncode != 0):
                    return
            self.run("config", "index.version", "4")  # for indexes git makes from scratch
        self.run("config", "core.splitIndex", "true")

    def changed(self, paths: Iterable[str]) -> list[str]:
        """Those of `paths` whose working-tree or index version differs from HEAD."""
        raw = self.run("status", "--porcelain", "-z", "--untracked-files=all", "--", *paths).stdout
        return [record[3:].decode("utf-8", "surrogateescape") for record in raw.split(b"\0") if len(record) > 3]


class _TooMany(Exception):
    """A diff bigger than _diff_read reads."""


def _is_id(rev: str) -> bool:
    """Whether `rev` is a full object id (sha1 or sha256): a name that cannot move."""
    return len(rev) in (40, 64) and all(c in "0123456789abcdef" for c in rev)


def _root_of(commit: bytes) -> str:
    """The root tree of a commit object's content: its first line, `tree <id>`."""
    return commit[5:commit.index(b"\n")].decode()


def _failed(command: str, stderr: bytes) -> StoreError:
    """The error of a git command that failed: git's last line says why."""
    message = stderr.decode("utf-8", "replace").strip().splitlines()
    return StoreError(f"git {command} failed: {message[-1] if message else 'no message'}")


def _commit(record: bytearray) -> Commit:
    """One commit of Git.commits' log format: eight header fields, a newline, then
    the raw changes (left as they are until read, see Changes)."""
    end = record.find(b"\0\n")
    head = bytes(record[:end] if end >= 0 else record.removesuffix(b"\0"))  # no changes asked about (a merge)
    del record[:end + 2 if end >= 0 else len(record)]  # in place: no second copy of a bulk commit
    cid, an, ae, cn, ce, ct, parents, sig = head.decode("utf-8", "surrogateescape").split("\x00")
    return Commit(cid, Identity(an, ae), Identity(cn, ce), int(ct), sig.strip(), Changes(record),
                  tuple(parents.split()))


def _tree_record(record: bytes | bytearray) -> tuple[str, str, str, str]:
    """(mode, kind, id, path) of one `ls-tree -z` record: `MODE TYPE ID\tPATH`."""
    meta, _, path = record.partition(b"\t")
    mode, kind, oid = meta.decode().split(" ")
    return mode, kind, oid, path.decode("utf-8", "surrogateescape")


def _listed(record: bytes | bytearray) -> Change | None:
    """The file of one `ls-tree -r -z` record, as added; None for a submodule."""
    _, kind, oid, path = _tree_record(record)
    return Change("A", path, oid) if kind == "blob" else None


def _change(meta: bytes | bytearray, path: bytes | bytearray) -> Change:
    """One file of a raw record: `:OLDMODE NEWMODE OLD NEW STATUS` and its path."""
    _, _, old, new, status = meta.decode().lstrip(":").split(" ")
    return Change(status[0], path.decode("utf-8", "surrogateescape"), old if status[0] == "D" else new)
