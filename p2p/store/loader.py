"""The one read path: `load(store, rev)` folds the files of a store at a git revision
(or in the working tree, for `check`) into a Snapshot of plain records plus the
problems found on the way. Nothing else reads store files, so the parse cache keyed
by git blob id lives here: a blob never changes, so it is parsed at most once.

Problems are values, not exceptions: a broken file is reported with its path and
line and left out, and every other file still loads."""

from __future__ import annotations

import operator
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, NamedTuple

from p2p import model
from p2p.entries import Entry, parse_entry
from p2p.settings import Settings
from p2p.errors import SchemaError, StoreError
from p2p.snapshot import Problem, Snapshot
from p2p.store import canonical, layout, yamlio
from p2p.store.cache import TreeCache, Unit
from p2p.store.kept_people import KeptPeople
from p2p.store.repo import Git, TreeItem

if TYPE_CHECKING:
    from p2p.records import Record


# Parsed documents by blob id (or an exception to re-raise). Blobs are immutable.
_parsed: dict[str, Any] = {}
# Valid entries by blob id: parse_entry depends on the document alone, so its
# result is cached with it (validating 20,000 entries costs more than reading them).
_entries: dict[str, Entry] = {}
# People and challenges by (blob id, roles): they depend on p2p.yaml's roles too.
_models: dict[tuple[str, tuple[str, ...]], Any] = {}
# Valid records by blob id, like _entries.
_records: dict[str, Record] = {}
# Tally states (p2p.store.tallies) by (challenge, entries folder tree): --compare reads twice.
_tallies: dict[tuple[str, str], Any] = {}


class _File(NamedTuple):  # a tuple: a warm read lists 25,000 of them
    path: str
    oid: str


class _Base(NamedTuple):
    """p2p.yaml, people/ and challenges/ folded: what every read starts from. Kept
    whole in the parse cache under their three ids, so a read does not walk 5,000
    people again (~25 ms) while none of them changed."""

    settings: Settings
    people: KeptPeople  # read back whole for a read, one by one for a write
    challenges: dict[str, model.Challenge]
    problems: list[Problem]  # of those files
    files: list[_File]


_BASE = (layout.CONFIG, layout.PEOPLE, layout.CHALLENGES)


def load(git: Git, rev: str | None = "HEAD", challenges: Iterable[str] | None = None,
         worktree: Path | None = None, authors: Iterable[str] | None = None, records: bool = False,
         folded: bool = False) -> Snapshot:
    """Read the store at `rev` (a commit-ish), or the files under `worktree` when given.

    `challenges` limits which challenges' entries are read (all when None), and
    `authors` which people's entries in them: a write reads its own folder and
    its target's, not a challenge of 20,000 entries. With `authors` (even none),
    the people are read back from the cache one by one as asked for: a write
    looks up two of 5,000 (p2p.store.kept_people). `records` (action items,
    activity, outcomes, pairings) are read only when asked for; the working tree
    is always read whole. `folded` gives the challenges' entries as scoring tallies
    (snapshot.tallies) instead, where it can: all a leaderboard needs. Folded with
    every challenge, each tally is read when asked for and not kept (see _Tallies)."""
    if folded and challenges is None and worktree is None and authors is None:
        return _folded_all(git, rev, records)
    if folded and challenges is not None and worktree is None and authors is None:
        snapshot = _folded(git, rev, list(challenges), records)
        if snapshot is not None:
            return snapshot
    scope = None if challenges is None else set(challenges)
    base, base_key = None, ""  # the working tree is folded whole
    if worktree is not None:
        listing, reader, commit = _worktree_files(worktree, scope)
        contents = reader([f.oid for f in listing if f.oid not in _parsed])
        for oid, data in contents.items():
            _parsed[oid] = _parse(data)
    else:
        commit = git.resolve(rev or "HEAD")
        if commit is None and rev in (None, "HEAD"):
            raise StoreError(f"the store at {git.root} has no commits yet; run `p2p init` there")
        if commit is None:
            raise StoreError(f"revision {rev!r} does not exist in this store")
        listing, contents, units, base, base_key = _tree_files(git, commit, scope,
                                                               None if authors is None else set(authors), records)
        reader = git.read_blobs  # _tree_files has parsed every blob it listed

    def fetch(oid: str) -> bytes:  # only on the error path, to point at a line
        return contents[oid] if oid in contents else reader([oid])[oid]

    snapshot = _fold(commit, listing, fetch, base, few_people=authors is not None)
    if worktree is None:
        _remember_models(git, units, tuple(snapshot.settings.roles))
        if base is None:
            _remember_base(git, base_key, snapshot, listing)
    return snapshot


def _tree_files(git: Git, commit: str, scope: set[str] | None, authors: set[str] | None, records: bool = False,
                entries_only: bool = False) -> tuple[list[_File], dict[str, bytes], dict[str, tuple[str, Unit]], _Base | None, str]:
    """Every file p2p reads at `commit` (or only the entries in scope), filling
    `_parsed` from the tree cache: a folder whose tree is cached is not even listed,
    and a folder that changed is diffed against its last cached tree, so one new
    entry costs one parse. Returns the listing, the contents read on the way, the
    units by folder, and the folded base when it is cached (its folders are then
    neither listed nor read) with the key it is cached under."""
    top = _top(git, commit, records)
    # A folder is cached under its tree id, a top-level file (p2p.yaml) under its blob id.
    units = {item.path: item.oid for item in top if _in_scope(item.path, scope)
             and (not entries_only or item.path.startswith(f"{layout.ENTRIES}/"))}
    trees = {item.path for item in top if item.kind == "tree"}
    if authors is not None:  # one challenge's folder splits into its people's folders
        challenges = [name for name in units if name.startswith(f"{layout.ENTRIES}/")]
        for name in challenges:
            del units[name]
        if challenges and authors:
            # Only their folders, named: listing a challenge of 4,000 reps to pick two
            # costs a write ~12 ms of parsing.
            named = [f"{c}/{a}" for c in challenges for a in sorted(authors)]
            split = [item for item in git.ls_tree(commit, named, recursive=False)
                     if item.path.split("/")[-1] in authors]
            units.update({item.path: item.oid for item in split})
            trees.update(item.path for item in split if item.kind == "tree")
    cache = TreeCache(git.git_dir())
    base_key = "folded-" + "-".join(units.get(name, "0") for name in _BASE)
    base = None if entries_only else cache.get_folded(base_key)
    if isinstance(base, _Base) and _zone_known(base.settings.timezone):
        for name in _BASE:
            units.pop(name, None)
    else:
        base = None
    cached = {name: cache.get(tree) for name, tree in units.items()}
    contents: dict[str, bytes] = {}
    misses = [name for name, unit in cached.items() if unit is None]
    if misses:
        for name, (before, unit) in _changed_units(git, cache, commit, {n: units[n] for n in misses}, trees,
                                                   contents).items():
            cache.put(name, units[name], unit, before)
            cached[name] = unit
    listing: list[_File] = []
    for name, unit in cached.items():
        models = name in (layout.PEOPLE, layout.CHALLENGES)
        for path, (oid, doc, parsed) in (unit or {}).items():
            if path.rsplit("/", 1)[-1].startswith("."):
                continue
            listing.append(_File(path, oid))
            if oid not in _parsed:
                _parsed[oid] = _from_cache(doc)
            if parsed is None:
                continue
            if models:  # (roles, person or challenge): parsed under p2p.yaml's roles
                _models.setdefault((oid, parsed[0]), parsed[1])
            else:
                _entries.setdefault(oid, parsed)
    return listing, contents, {name: (units[name], unit) for name, unit in cached.items() if unit}, base, base_key


def _zone_known(name: str) -> bool:
    """Whether this machine knows the time zone a kept fold was made with: its zone
    data (or the tzdata package) is not part of the key."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except Exception:  # noqa: BLE001 - unknown here, or a malformed name: fold p2p.yaml again
        return False
    return True


def _remember_base(git: Git, key: str, snapshot: Snapshot, listing: list[_File]) -> None:
    """Keep the fold of p2p.yaml, people/ and challenges/ this load made (see _Base),
    unless p2p.yaml has a problem: whether its time zone is known depends on the
    machine's zone data, not only on the file."""
    if any(p.path == layout.CONFIG for p in snapshot.problems):
        return

    def in_base(path: str) -> bool:
        return path == layout.CONFIG or path.startswith((f"{layout.PEOPLE}/", f"{layout.CHALLENGES}/"))

    base = _Base(snapshot.settings, KeptPeople.of(snapshot.people), dict(snapshot.challenges),
                 [p for p in snapshot.problems if in_base(p.path)], [f for f in listing if in_base(f.path)])
    TreeCache(git.git_dir()).put_folded(key, base)


def _top(git: Git, commit: str, records: bool) -> list[TreeItem]:
    """p2p.yaml, people/, challenges/ and each challenge's entries folder (and records'
    folders): one `ls-tree`, memoised by Git for the commit."""
    folders = [layout.CONFIG, layout.PEOPLE, layout.CHALLENGES, f"{layout.ENTRIES}/"] + ([f"{layout.RECORDS}/"] if records else [])
    return [item for item in git.ls_tree(commit, folders, recursive=False)
            if not item.path.rsplit("/", 1)[-1].startswith(".")]


def _folded(git: Git, rev: str | None, slugs: list[str], records: bool) -> Snapshot | None:
    """The store at `rev` with the entries of `slugs` as scoring tallies; None when a
    challenge cannot be (unknown here, or a race, which is scored from its entries)."""
    from p2p.store.tallies import TallyCache

    snapshot = load(git, rev, (), records=records)
    chosen = [snapshot.challenges.get(slug) for slug in slugs]
    if snapshot.commit is None or any(c is None or c.race is not None for c in chosen):
        return None
    trees = {item.path: item.oid for item in _top(git, snapshot.commit, records)}
    cache = TallyCache(git.git_dir())
    tallies = {}
    for challenge in filter(None, chosen):
        state = _tally_state(git, cache, snapshot.commit, challenge, trees.get(f"{layout.ENTRIES}/{challenge.slug}"))
        tallies[challenge.slug] = state.tally
        snapshot.problems.extend(state.problems)
    snapshot.tallies = tallies
    return snapshot


def _folded_all(git: Git, rev: str | None, records: bool) -> Snapshot:
    """The store at `rev` with every challenge's entries as tallies, read one at a
    time when asked for (see _Tallies); a race's entries, which a tally cannot score,
    are read. The problems of every entries folder are reported as a full read would."""
    snapshot = load(git, rev, (), records=records)
    races = [slug for slug, challenge in snapshot.challenges.items() if challenge.race is not None]
    if races:
        snapshot = load(git, snapshot.commit, races, records=records)
    assert snapshot.commit is not None  # load refuses a store without commits
    top = _top(git, snapshot.commit, records)
    trees = {item.path: item.oid for item in top}
    tallies = _Tallies(git, snapshot, trees)
    snapshot.problems.extend(tallies.folder_problems())
    snapshot.tallies, snapshot.played, snapshot.read_folder = tallies, tallies.played, tallies.from_entries
    snapshot.folders = sorted(item.path.partition("/")[2] for item in top
                              if item.kind == "tree" and item.path.startswith(f"{layout.ENTRIES}/"))
    return snapshot


class _Tallies(Mapping[str, Any]):
    """The scoring tallies of a snapshot's challenges (not races), each read from the
    tally cache when asked for and not kept: the 50 tallies of a million-entry season
    take ~330 MB together, one ~7 MB."""

    def __init__(self, git: Git, snapshot: Snapshot, trees: dict[str, str]) -> None:
        from p2p.store.tallies import TallyCache

        self._git, self._snapshot, self._trees = git, snapshot, trees
        self._cache = TallyCache(git.git_dir())
        self._slugs = sorted(slug for slug, c in snapshot.challenges.items() if c.race is None)
        self._last: tuple[str, Any] | None = None  # the last state read: its problems, then its tally

    def __getitem__(self, slug: str) -> Any:
        challenge = self._snapshot.challenges.get(slug)
        if challenge is None or challenge.race is not None:
            raise KeyError(slug)
        return self._state(challenge).tally

    def __contains__(self, slug: object) -> bool:  # without reading the tally, as Mapping's would
        return slug in self._slugs

    def __iter__(self) -> Iterator[str]:
        return iter(self._slugs)

    def __len__(self) -> int:
        return len(self._slugs)

    def played(self, challenge: model.Challenge, variant: tuple[Any, ...], play: Callable[[Any], Any],
               kind: str = "played", made: Callable[[], Any] | None = None) -> Any:
        """`play` of the challenge's tally (snapshot.played), kept in the tally cache
        as `kind` under the trees of its entries, people and challenges, p2p.yaml's
        blob and `variant`: after one new entry a season reads 49 kept results and
        plays one challenge, not 50. `made`, when given, makes the same result
        without the tally (from what the caller has in hand)."""
        return self._kept(challenge.slug, kind, variant, made or (lambda: play(self._state(challenge).tally)))

    def from_entries(self, folder: str, variant: tuple[Any, ...] | None, make: Callable[[list[Entry]], Any],
                     fits: Callable[[Any], bool] | None = None, held: list[Entry] | None = None,
                     grows: Callable[[Any, list[Entry]], Any] | None = None) -> Any:
        """`make` of the entries of one entries folder (snapshot.read_folder), read
        without keeping them in memory (or `held`: the caller's, in hand); kept like
        `played` under `variant` when given, and then used only when `fits` it
        (TallyCache.recall). With `grows`, a result kept for an earlier tree of the
        folder is used too when all that changed since is entries added, newer than
        every one it was made from: as `grows(result, added)` gives it, if it `fits`."""
        assert self._snapshot.commit is not None
        commit = self._snapshot.commit

        def entries() -> list[Entry]:
            return held if held is not None else _folder_entries(self._git, commit, folder, keep=False)[0]

        if variant is None:
            return make(entries())
        if grows is None:
            return self._kept(folder, "read", variant, lambda: make(entries()), fits)
        tree = self._trees.get(f"{layout.ENTRIES}/{folder}", "0")

        def made() -> _Since:
            found = entries()
            return _Since(tree, max((e.id for e in found), default=""), make(found))

        def renew(kept: Any) -> _Since | None:
            if not isinstance(kept, _Since):
                return None
            if kept.tree == tree:
                return kept
            added = _added(self._git, folder, kept.tree, tree, kept.newest, keep=False)
            if added is None:
                return None
            return _Since(tree, added[-1].id if added else kept.newest, grows(kept.result, added))

        # Keyed without the folder's own tree: the kept result holds the tree it stands for.
        key = "-".join([*(self._trees.get(name, "0") for name in _BASE), *map(str, variant)])
        kept = _recall(self._cache, self._snapshot, folder, "grown", key, made,
                       None if fits is None else lambda k: fits(k.result), renew)
        return kept.result

    def _kept(self, folder: str, kind: str, variant: tuple[Any, ...], compute: Callable[[], Any],
              fits: Callable[[Any], bool] | None = None) -> Any:
        """`compute()`, kept under the trees of the entries folder, people and
        challenges, p2p.yaml's blob and `variant` (see _recall)."""
        parts = [self._trees.get(name, "0") for name in (f"{layout.ENTRIES}/{folder}", *_BASE)]
        return _recall(self._cache, self._snapshot, folder, kind, "-".join([*parts, *map(str, variant)]), compute, fits)

    def folder_problems(self) -> list[Problem]:
        """The problems of the files of every entries folder but races' (read with their
        entries), kept by folder tree beside the tallies: a read lists 50 small files
        instead of reading 50 tallies to say how many files it left out."""
        assert self._snapshot.commit is not None
        _warm(self._git, self._snapshot, self._snapshot.commit, {path.partition("/")[2]: tree for path, tree
                                                                 in self._trees.items() if path.startswith(f"{layout.ENTRIES}/")})
        found = []
        for path, tree in self._trees.items():
            if not path.startswith(f"{layout.ENTRIES}/"):
                continue
            name = path.partition("/")[2]
            challenge = self._snapshot.challenges.get(name)
            if challenge is not None and challenge.race is not None:
                continue  # read with its entries
            kept = self._cache.get_problems(name, tree)
            if kept is None:
                if challenge is not None:
                    kept = self._state(challenge).problems
                else:  # a folder (or file) of no challenge: read as a full read reads it
                    kept = _folder_entries(self._git, self._snapshot.commit, name, keep=False)[1]
                self._cache.put_problems(name, tree, kept)
            found.extend(kept)
        return found

    def _state(self, challenge: model.Challenge) -> Any:
        from p2p.store.tallies import TallyCache

        if self._last is not None and self._last[0] == challenge.slug:
            return self._last[1]
        assert self._snapshot.commit is not None
        # A cache per challenge: one remembers how each tally it read was stored.
        state = _tally_state(self._git, TallyCache(self._git.git_dir()), self._snapshot.commit, challenge,
                             self._trees.get(f"{layout.ENTRIES}/{challenge.slug}"), keep=False)
        self._last = (challenge.slug, state)
        return state


def _warm(git: Git, snapshot: Snapshot, commit: str, folders: dict[str, str]) -> None:
    """Have worker processes fold the challenges of `folders` ({name: its tree at
    `commit`}) whose tally no cache holds, when there are enough to gain
    (p2p.store.warmup): the read that follows finds them kept."""
    from p2p.store import warmup
    from p2p.store.tallies import TallyCache

    cache = TallyCache(git.git_dir())
    warmup.warm(git, commit, {name: tree for name, tree in folders.items() if name in snapshot.challenges
                              and snapshot.challenges[name].race is None and not cache.holds(name, tree)})


def _tally_state(git: Git, cache: Any, commit: str, challenge: model.Challenge, tree: str | None,
                 keep: bool = True) -> Any:
    """The challenge's tally at its entries folder `tree`: cached; else the last cached
    one plus the entries added since; else folded from a full read of the folder.
    Without `keep`, neither the tally nor the entries read for it stay in memory."""
    from p2p import scoring
    from p2p.store.tallies import State

    slug = challenge.slug
    if tree is None:  # no entries yet
        return State(challenge, scoring.tally(challenge, ()), [])
    state = _tallies.get((slug, tree))
    if state is not None and state.challenge == challenge:
        return state
    state = cache.get(slug, tree)
    if state is None or state.challenge != challenge:
        base_tree, base = cache.latest(slug)
        added = None
        if base is not None and base_tree != tree and base.challenge == challenge:
            added = _advance(git, base_tree, tree, base, keep)
        if added is not None:
            state = base
            cache.put(slug, tree, state, base_tree, added)
        else:
            entries, problems = _folder_entries(git, commit, slug, keep)
            state = State(challenge, scoring.tally(challenge, entries), problems)
            cache.put(slug, tree, state)
    if not keep:
        return state
    if len(_tallies) >= 8:  # a process that writes and reads in turn (p2p.api) makes one per write
        del _tallies[next(iter(_tallies))]
    _tallies[slug, tree] = state
    return state


def _folder_entries(git: Git, commit: str, slug: str, keep: bool = True) -> tuple[list[Entry], list[Problem]]:
    """A challenge's entries and the problems of its folder's files, read as `load`
    reads them but without folding people and challenges again (a tally needs neither).
    Without `keep`, what was parsed is not remembered for the next read."""
    snapshot = _folder_snapshot(git, commit, slug, keep)
    return snapshot.entries, snapshot.problems


def _folder_snapshot(git: Git, commit: str, name: str, keep: bool = True) -> Snapshot:
    """The files of one entries folder (or a stray file in entries/) at `commit`,
    folded by themselves: no settings, people or challenges."""
    held = set() if keep else TreeCache.remembered()
    listing, contents, _, _, _ = _tree_files(git, commit, {name}, None, entries_only=True)
    snapshot = _fold(commit, listing, lambda oid: contents[oid] if oid in contents else git.read_blobs([oid])[oid])
    if not keep:
        for item in listing:
            _parsed.pop(item.oid, None)
            _entries.pop(item.oid, None)
        TreeCache.forget(TreeCache.remembered() - held)
        # And the lines the canonical reader remembers: kept past the read, they would
        # hold on to the memory it used (a big store's cold publish peaks ~20 MB higher).
        canonical.forget()
    return snapshot


def load_by_folder(git: Git, rev: str | None, worktree: Path | None = None
                   ) -> tuple[Snapshot, list[str], Callable[[str], Snapshot], Callable[[str, Callable[[], Any]], Any]]:
    """For `p2p check`: the store at `rev` (or in `worktree`) without its entries, with
    its records; the name of everything in entries/ (each challenge's folder, and any
    stray file); a reader of one of them: a snapshot of just its files (entries,
    their paths and blob ids, the files' problems), which nothing keeps (in the
    working tree, a folder git calls clean is read from HEAD's objects); and a
    keeper, `recall(name, check)`: check() kept under the folder's tree and the ids
    of p2p.yaml, people/ and challenges/ (checks.Recall). A million entries are then
    checked one folder at a time, and a folder unchanged since the last check is not
    read at all."""
    base = load(git, rev, (), records=True, worktree=worktree)
    if worktree is None:
        assert base.commit is not None
        commit = base.commit
        top = _top(git, commit, True)
        trees = {item.path.partition("/")[2]: item.oid for item in top if item.path.startswith(f"{layout.ENTRIES}/")}
        key = "-".join(item.oid for item in top if item.path in _BASE)
        _warm(git, base, commit, trees)  # their tallies, and so their files parsed and kept
        return (base, list(trees), lambda name: _folder_snapshot(git, commit, name, keep=False),
                _keeper(git, base, trees, key))
    folder = worktree / layout.ENTRIES
    names = sorted(child.name for child in os.scandir(folder) if child.is_dir(follow_symlinks=False)
                   or (child.is_file() and not child.name.startswith("."))) if folder.is_dir() else []

    def read(name: str) -> Snapshot:
        if name in trees and head is not None:  # clean: its files are HEAD's
            return _folder_snapshot(git, head, name, keep=False)
        listing, reader, _ = _worktree_files(worktree, {name}, entries_only=True)
        new = [item.oid for item in listing if item.oid not in _parsed]
        for oid, data in reader(new).items():
            _parsed[oid] = _parse(data)
        try:
            return _fold(None, listing, lambda oid: reader([oid])[oid])
        finally:
            for oid in new:
                _parsed.pop(oid, None)
                _entries.pop(oid, None)

    # A folder git calls clean is checked again (its kept result does not fit, after a
    # roster change, say) from git's objects, not its files: a million entry files
    # take minutes to read from disk, their parsed blobs seconds.
    head, trees = _clean_folders(git) if names else (None, {})
    if head is not None:
        _warm(git, base, head, trees)
    key = _sha1("".join(f"{path}\0{oid}\0" for path, oid in sorted(base.oids.items())
                        if not path.startswith(f"{layout.RECORDS}/")))
    return base, names, read, _keeper(git, base, trees, key)


def _clean_folders(git: Git) -> tuple[str | None, dict[str, str]]:
    """(HEAD, {entries folder: its tree at HEAD}) for each folder git calls clean in
    the working tree (nothing changed, staged, untracked or ignored in it): its
    files are HEAD's."""
    head = git.resolve("HEAD")
    if head is None:
        return None, {}
    try:
        raw = git.run("status", "--porcelain", "-z", "--untracked-files=all", "--ignored", "--", layout.ENTRIES).stdout
    except StoreError:  # a damaged index, say: every folder is then read
        return head, {}
    dirty = set()
    for record in raw.split(b"\0"):
        for path in (record, record[3:]):  # "XY path", or a rename's bare source path
            if path.startswith(f"{layout.ENTRIES}/".encode()):
                dirty.add(path.split(b"/")[1].decode("utf-8", "surrogateescape"))
    return head, {item.path.partition("/")[2]: item.oid for item in _top(git, head, True)
                  if item.path.startswith(f"{layout.ENTRIES}/") and item.path.partition("/")[2] not in dirty}


def _sha1(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()


def _keeper(git: Git, base: Snapshot, trees: dict[str, str], key: str) -> Callable[[str, Callable[[], Any]], Any]:
    """load_by_folder's `recall`: a folder's check kept under its tree (in `trees`,
    else checked now) and `key` (the base files)."""
    from p2p.store.tallies import TallyCache

    cache = TallyCache(git.git_dir())

    def recall(name: str, check: Callable[[], Any]) -> Any:
        tree = trees.get(name)
        return check() if tree is None else _recall(cache, base, name, "checked", f"{tree}-{key}", check)

    return recall


def _recall(cache: Any, snapshot: Snapshot, folder: str, kind: str, key: str, compute: Callable[[], Any],
            fits: Callable[[Any], bool] | None = None, renew: Callable[[Any], Any] | None = None) -> Any:
    """`compute()` for an entries folder, kept in the tally cache under a digest of
    `key`. Nothing is kept while p2p.yaml has a problem: its settings then fall back to
    defaults that depend on this machine (a time zone it does not know)."""
    if any(problem.path == layout.CONFIG for problem in snapshot.problems):
        return compute()
    return cache.recall(folder, kind, _sha1(key), compute, fits, renew)


def _advance(git: Git, base_tree: str, tree: str, base: Any, keep: bool = True) -> list[Entry] | None:
    """Fold into `base` (a tally state, changed in place) the entries added since
    `base_tree`, and return them; None, before any change, when anything else
    changed (a file edited, removed, broken or out of place, or an entry not newer
    than all folded): then the folder is read. Without `keep`, what was parsed is
    not remembered for the next read."""
    from p2p import scoring

    added = _added(git, base.challenge.slug, base_tree, tree, base.tally.newest[0], {p.path for p in base.problems},
                   keep)
    if added is None:
        return None
    for entry in added:
        scoring.fold(base.tally, base.challenge, entry)
    return added


def _added(git: Git, slug: str, before: str, tree: str, newest: str, broken: set[str] | frozenset[str] = frozenset(),
           keep: bool = True) -> list[Entry] | None:
    """The entries in challenge folder `slug`'s tree `tree` that its tree `before`
    did not hold, in id order, each newer than `newest` (the newest id in `before`);
    None when anything else changed: a file removed, one of `broken` changed, a
    changed file that is not an entry in its place, or an entry not newer than
    `newest` (an edited one keeps its id) or than the one before it (one id in two
    files). Without `keep`, what was parsed is not remembered for the next read."""
    try:
        changes = git.diff_trees(before, tree)
    except StoreError:  # the tree is gone from git (a rewritten history)
        return None
    prefix = f"{layout.ENTRIES}/{slug}/"
    if any(oid is None or prefix + path in broken for path, oid in changes):
        return None
    unknown = sorted({oid for _, oid in changes if oid not in _entries and oid not in _parsed})
    for oid, data in (git.read_blobs(unknown) if unknown else {}).items():
        _parsed[oid] = _parse(data)
    try:
        added = []
        for path, oid in changes:
            path = prefix + path
            entry = _entry_of(oid, _parsed.get(oid)) if layout.classify(path) == "entry" else None
            if entry is None or path != f"{layout.ENTRIES}/{entry.challenge}/{entry.by}/{entry.id}.yaml":
                return None
            added.append(entry)
        added.sort(key=_by_id)
        ids = [newest] + [entry.id for entry in added]
        return None if any(earlier >= later for earlier, later in zip(ids, ids[1:])) else added
    finally:
        if not keep:
            for oid in unknown:
                _parsed.pop(oid, None)
                _entries.pop(oid, None)


class _Since(NamedTuple):
    """A result kept for an entries folder (from_entries' `grows`), with the tree it
    stands for and the newest entry id in that tree."""

    tree: str
    newest: str
    result: Any


def _changed_units(git: Git, cache: TreeCache, commit: str, misses: dict[str, str], trees: set[str],
                   contents: dict[str, bytes]) -> dict[str, tuple[str | None, Unit]]:
    """{folder: (the cached tree it was made from, its unit at its tree in `misses`)}:
    the folder's last cached version plus what `git diff-tree` says changed, or, for
    a folder never cached, its listing (all such folders in one `ls-tree`)."""
    made: dict[str, tuple[str | None, Unit]] = {}
    changed: list[_File] = []
    reuse: dict[str, Any] = {}
    unlisted = []
    for name, tree in misses.items():
        before_tree, before = cache.latest(name) if name in trees else (None, {})
        try:
            changes = git.diff_trees(before_tree, tree) if before_tree is not None else None
        except StoreError:  # the cached tree is gone from git (a rewritten history)
            changes = None
        if changes is None:
            unlisted.append(name)
            made[name] = (None, {})
            continue
        made[name] = (before_tree, dict(before))
        for path, oid in changes:
            if oid is None:
                made[name][1].pop(f"{name}/{path}", None)
            else:
                changed.append(_File(f"{name}/{path}", oid))
        for oid, doc, parsed in before.values():  # a valid entry's document is not kept: its Entry is
            if doc is not None:
                reuse[oid] = doc
            elif parsed is not None and not isinstance(parsed, tuple):
                _entries.setdefault(oid, parsed)
    if unlisted:
        changed += [_File(i.path, i.oid) for i in git.ls_tree(commit, unlisted) if i.kind == "blob"]  # a file lists as itself
    unknown = sorted({item.oid for item in changed
                      if item.oid not in _parsed and item.oid not in reuse and item.oid not in _entries})
    for oid, data in git.iter_blobs(unknown):  # each parsed while git reads the next
        contents[oid] = data
        _parsed[oid] = _parse(data)
    folders: dict[str, str] = {}  # folder -> its unit: 20,000 entries share 5,000 folders
    for item in changed:
        doc = _parsed.get(item.oid, reuse.get(item.oid))
        entry = _entry_of(item.oid, doc) if layout.classify(item.path) == "entry" else None
        # A valid entry is kept as its Entry alone: the document would double the
        # pickle and is needed only to point at the line of a problem.
        unit = _unit_of(item.path, misses, folders)
        made[unit][1][item.path] = (item.oid, None if entry is not None else _to_cache(doc), entry)
    return made


def _remember_models(git: Git, units: dict[str, tuple[str, Unit]], roles: tuple[str, ...]) -> None:
    """Keep the people and challenges this load parsed in their cached units, so the
    next process does not parse 5,000 people again."""
    cache = None
    for name in (layout.PEOPLE, layout.CHALLENGES):
        if name not in units:
            continue
        tree, unit = units[name]
        stale = {path: (oid, doc, (roles, _models[oid, roles])) for path, (oid, doc, parsed) in unit.items()
                 if (parsed is None or parsed[0] != roles) and (oid, roles) in _models}
        if stale:
            unit.update(stale)
            cache = cache or TreeCache(git.git_dir())
            cache.put(name, tree, unit)


def _in_scope(path: str, scope: set[str] | None) -> bool:
    parts = path.split("/")
    return scope is None or parts[0] != layout.ENTRIES or parts[1] in scope


def _unit_of(path: str, units: dict[str, str], folders: dict[str, str]) -> str:
    """The unit `path` belongs to: itself (a top-level file), or the deepest of its
    first three folders that is one; remembered in `folders` by folder."""
    if path in units:
        return path
    folder = path.rpartition("/")[0]
    unit = folders.get(folder)
    if unit is None:
        parts = path.split("/")
        unit = folders[folder] = next(name for name in ("/".join(parts[:n]) for n in (3, 2, 1)) if name in units)
    return unit


def _entry_of(oid: str, doc: Any) -> Entry | None:
    if oid not in _entries and isinstance(doc, dict):
        try:
            _entries[oid] = parse_entry(doc)
        except SchemaError:
            return None  # reported by _fold, with its line
    return _entries.get(oid)


def _to_cache(doc: Any) -> Any:
    return ("!error", doc.message, doc.line) if isinstance(doc, yamlio.YamlError) else doc


def _from_cache(doc: Any) -> Any:
    return yamlio.YamlError(doc[1], doc[2]) if isinstance(doc, tuple) else doc


def _worktree_files(root: Path, scope: set[str] | None, entries_only: bool = False
                    ) -> tuple[list[_File], Callable[[list[str]], dict[str, bytes]], None]:
    """The files p2p reads in the working tree, with their blob ids; of entries/, only
    what `scope` names (each a folder or file in it) when given, and only that with
    `entries_only`."""
    import hashlib  # here: only `check` reads the working tree, and hashlib costs every read a few ms

    data: dict[str, bytes] = {}
    listing = []
    candidates = [layout.CONFIG] if (root / layout.CONFIG).is_file() and not entries_only else []
    top = len(str(root)) + 1
    folders = (layout.ENTRIES,) if entries_only else (layout.PEOPLE, layout.CHALLENGES, layout.ENTRIES, layout.RECORDS)
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        starts = [str(base)] if folder != layout.ENTRIES or scope is None else [str(base / n) for n in sorted(scope)]
        # in path order, as pathlib sorts: by parts
        found = [path[top:].replace(os.sep, "/") for start in starts
                 for path in (_files_below(start) if os.path.isdir(start) else [start] if os.path.isfile(start) else [])
                 if not os.path.basename(path).startswith(".")]
        candidates.extend(sorted(found, key=lambda rel: rel.split("/")))
    for rel in candidates:
        with open(os.path.join(root, rel), "rb") as handle:
            blob = handle.read()
        oid = hashlib.sha1(b"blob %d\0" % len(blob) + blob).hexdigest()  # git's blob id
        data[oid] = blob
        listing.append(_File(rel, oid))
    return listing, lambda oids: {o: data[o] for o in oids}, None


def _files_below(folder: str) -> Iterator[str]:
    """Every file below `folder`, as pathlib's rglob finds them (a link to a file
    counts, a link to a folder is not followed, an unreadable folder is skipped), with
    os.scandir: a million entries cost pathlib ~35 µs each in Path objects alone."""
    try:
        with os.scandir(folder) as found:
            children = list(found)
    except PermissionError:
        return
    for child in children:
        if child.is_dir(follow_symlinks=False):
            yield from _files_below(child.path)
        elif child.is_file():
            yield child.path


def _parse(data: bytes) -> Any:
    try:
        return yamlio.loads(data)
    except yamlio.YamlError as exc:
        return exc


def _fold(commit: str | None, listing: list[_File], fetch: Callable[[str], bytes], base: _Base | None = None,
          few_people: bool = False) -> Snapshot:
    """The snapshot of the files in `listing`, starting from `base` when given (the
    listing then holds no file of p2p.yaml, people/ or challenges/); with
    `few_people` (a write), base's people are read back one by one as asked for."""
    problems: list[Problem] = list(base.problems) if base else []
    by_kind: dict[str, list[tuple[_File, Any]]] = {}
    for item in listing:
        kind = layout.classify(item.path)
        if kind is None:
            continue
        if kind == "stray":
            problems.append(Problem(item.path, None, "not where p2p expects a file (store files are "
                                    "people/ID.yaml, challenges/SLUG.yaml, entries/SLUG/PERSON/ID.yaml)"))
            continue
        by_kind.setdefault(kind, []).append((item, _parsed[item.oid]))

    def parse(item: _File, doc: Any, parser: Callable[[Any], Any]) -> Any:
        if isinstance(doc, yamlio.YamlError):
            problems.append(Problem(item.path, doc.line, doc.message))
            return None
        try:
            return parser(doc)
        except SchemaError as exc:
            line = yamlio.line_of(fetch(item.oid), exc.field) if exc.field else None
            problems.append(Problem(item.path, line, exc.message))
            return None

    settings = base.settings if base else Settings()
    for item, doc in by_kind.get("config", []):
        settings = parse(item, doc, Settings.parse) or settings
        newer = [p for p in problems if p.path == item.path and "newer than this p2p understands" in p.message]
        if newer:  # defaults would silently misread everything: refuse every command
            raise StoreError(f"{item.path}: {newer[0].message}")
    roles = tuple(settings.roles)

    def record(item: _File, doc: Any, parser: Callable[[Any, Any], Any]) -> Any:
        key = (item.oid, roles)
        if key in _models:
            return _models[key]
        parsed = parse(item, doc, lambda d: parser(d, roles))
        if parsed is not None:  # a broken file is parsed again, so each load reports it
            _models[key] = parsed
        return parsed

    if base and few_people and not by_kind.get("person"):
        people: Any = base.people.by_one()
    else:
        people = base.people.all() if base else {}
    for item, doc in by_kind.get("person", []):
        person = record(item, doc, model.Person.parse)
        if person is not None and _named_as(item, person.id, "id", fetch, problems):
            people[person.id] = person
    challenges: dict[str, model.Challenge] = dict(base.challenges) if base else {}
    for item, doc in by_kind.get("challenge", []):
        challenge = record(item, doc, model.Challenge.parse)
        if challenge is not None and _named_as(item, challenge.slug, "slug", fetch, problems):
            challenges[challenge.slug] = challenge
    entries: list[Entry] = []
    entry_paths: dict[str, list[str]] = {}
    again: dict[str, Entry] = {}  # an id in two files: the entry of the first path, in path order
    for item, doc in by_kind.get("entry", []):
        entry = _entries.get(item.oid) or parse(item, doc, parse_entry)
        if entry is None:
            continue
        _entries[item.oid] = entry
        if item.path != f"{layout.ENTRIES}/{entry.challenge}/{entry.by}/{entry.id}.yaml":
            _misplaced(item, entry, problems)
            continue
        paths = entry_paths.get(entry.id)
        if paths is None:
            entry_paths[entry.id] = [item.path]
            entries.append(entry)
        else:
            # Which file wins goes by path, not by the listing's order: a listing
            # read back from the caches has a changed folder's new files last.
            paths.append(item.path)
            paths.sort()
            if paths[0] == item.path:
                again[entry.id] = entry
    if again:
        entries = [again.get(entry.id, entry) for entry in entries]
    entries.sort(key=_by_id)
    records: list[Record] = []
    if "record" in by_kind:  # only `records=True` reads lists them
        from p2p.records import parse_record
    for item, doc in by_kind.get("record", []):
        record = _records.get(item.oid) or parse(item, doc, parse_record)
        if record is not None:
            _records[item.oid] = record
            if _record_in_place(item, record, problems):
                records.append(record)
    records.sort(key=lambda r: r.id)
    files = listing + base.files if base else listing
    return Snapshot(commit, settings, people, challenges, entries, problems, len(files), entry_paths,
                    {item.path: item.oid for item in files}, records)


def _named_as(item: _File, ident: str, key: str, fetch: Callable[[str], bytes], problems: list[Problem]) -> bool:
    stem = item.path.rsplit("/", 1)[-1][: -len(".yaml")]
    if stem != ident:
        line = yamlio.line_of(fetch(item.oid), key)
        problems.append(Problem(item.path, line, f"{key} {ident!r} does not match the file name {stem!r}"))
        return False
    return True


def _record_in_place(item: _File, record: Record, problems: list[Problem]) -> bool:
    expected = layout.record_path(record.kind, record.by, record.id)
    if item.path != expected:
        problems.append(Problem(item.path, 1, f"{record.kind} {record.id} by {record.by} belongs at {expected}"))
        return False
    return True


def _misplaced(item: _File, entry: Entry, problems: list[Problem]) -> None:
    expected = f"{layout.ENTRIES}/{entry.challenge}/{entry.by}/{entry.id}.yaml"
    problems.append(Problem(item.path, 1, f"entry {entry.id} by {entry.by} in {entry.challenge} belongs at {expected}"))


_by_id = operator.attrgetter("id")
