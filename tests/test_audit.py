"""`p2p log` and `p2p audit`: history as the audit trail, and the checks that make it
trustworthy (entry author = commit author, append-only, signed commits)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import drop_blob, git, scores
from p2p.cli import cli

P2P = str(Path(sys.executable).parent / "p2p")


def audit(p2p):
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "audit", "--format", "json"])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def entries(p2p):
    out = json.loads(p2p("submit", "pitch", "--link", "https://v.example/a", "--format", "json", as_="ava").stdout)
    p2p("rate", "pitch", "ava", *scores(4), as_="ben")
    return p2p, out["path"]


def test_a_store_written_by_p2p_audits_clean_and_log_lists_each_entry_with_its_commit(entries):
    p2p, path = entries
    code, doc = audit(p2p)
    assert code == 0 and doc["violations"] == []
    rows = json.loads(p2p("log", "--format", "json").stdout)["entries"]
    assert [(r["kind"], r["by"], r["author"]) for r in rows] == [("rating", "ben", "ben@example.com"),
                                                                   ("submission", "ava", "ava@example.com")]
    assert rows[1]["commit"] == git(p2p.root, "log", "-1", "--format=%H", "--", path)[:12]
    assert [r["by"] for r in json.loads(p2p("log", "--person", "ava", "--format", "json").stdout)["entries"]] == ["ava"]


def test_log_reads_only_the_entries_it_shows(entries):
    """A big store's history is a million commits: `log --limit 1` must read the
    newest, not every entry (48 s and 2.2 GB on the bench store when it did)."""
    p2p, path = entries
    drop_blob(p2p.root, path)  # ava's submission, the older of the two entries
    rows = json.loads(p2p("log", "--limit", "1", "--format", "json").stdout)["entries"]
    assert [(r["kind"], r["by"]) for r in rows] == [("rating", "ben")]
    assert [r["by"] for r in json.loads(p2p("log", "--person", "ben", "--format", "json").stdout)["entries"]] == ["ben"]
    assert "is missing from the repository" in p2p.refused("log")  # the older one: a clear error


def test_log_names_a_bad_challenge_or_person_id(entries):
    p2p, _ = entries
    assert "--person 'Ava*' is not a valid id" in p2p.refused("log", "--person", "Ava*")
    assert "--challenge 'pitch/ava' is not a valid id" in p2p.refused("log", "--challenge", "pitch/ava")


def test_an_entry_committed_under_another_persons_name_is_caught(entries, tmp_path):
    p2p, path = entries
    forged = p2p.root / "entries" / "pitch" / "cal" / "01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    forged.parent.mkdir(parents=True)
    text = (p2p.root / path).read_text().replace("by: ava", "by: cal").replace(path.split("/")[-1][:-5],
                                                                                   "01M72N8MG0DT7R6J0P5VQRC5KX")
    forged.write_text(text)
    git(p2p.root, "add", str(forged))
    git(p2p.root, "-c", "user.name=Mallory", "-c", "user.email=mallory@example.com", "commit", "-qm", "sneaky")
    code, doc = audit(p2p)
    assert code == 1
    [violation] = doc["violations"]
    assert violation["path"] == "entries/pitch/cal/01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    assert "entry by cal <cal@example.com> was committed as Mallory <mallory@example.com>" == violation["message"]
    assert violation["commit"] == git(p2p.root, "rev-parse", "HEAD")


@pytest.mark.parametrize("batch", [5000, 1])  # one batch, or one per entry: oldest first either way
def test_a_rewritten_or_deleted_entry_in_history_is_caught(entries, batch, monkeypatch):
    monkeypatch.setattr("p2p.commands.audit.AUDIT_BATCH", batch)
    p2p, path = entries
    (p2p.root / path).write_text((p2p.root / path).read_text().replace("https://v.example/a", "https://evil.example"))
    git(p2p.root, "commit", "-qam", "edit history")
    git(p2p.root, "rm", "-q", path)
    git(p2p.root, "commit", "-qm", "and delete it")
    code, doc = audit(p2p)
    assert code == 1
    assert [v["message"] for v in doc["violations"]] == [
        "a committed entry was modified; entries are append-only",
        "a committed entry was deleted; entries are append-only"]
    assert all(v["path"] == path for v in doc["violations"])


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen for SSH commit signatures")
def test_where_the_store_requires_signed_commits_unsigned_entry_commits_are_caught(p2p, tmp_path):
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = (tmp_path / "key.pub").read_text().split()
    (p2p.root / "allowed_signers").write_text(f"ava@example.com {public[0]} {public[1]}\n")
    (p2p.root / "p2p.yaml").write_text((p2p.root / "p2p.yaml").read_text() + "audit: {signed: true}\n")
    git(p2p.root, "add", "-A")
    git(p2p.root, "commit", "-qm", "require signatures")
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")  # p2p's own commit: unsigned
    code, doc = audit(p2p)
    assert code == 1 and "not signed by a key in allowed_signers (git says N)" in doc["violations"][0]["message"]
    # A signed commit of a (hand-made) entry by ava passes.
    git(p2p.root, "config", "gpg.format", "ssh")
    git(p2p.root, "config", "user.signingkey", str(key))
    entry = p2p.root / "entries" / "pitch" / "ava" / "01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    entry.write_text("v: 1\nid: 01M72N8MG0DT7R6J0P5VQRC5KX\nkind: submission\nat: '2026-11-10T12:00:00Z'\n"
                     "by: ava\nchallenge: pitch\n")
    git(p2p.root, "add", str(entry))
    git(p2p.root, "-c", "user.name=Ava", "-c", "user.email=ava@example.com", "commit", "-S", "-qm", "signed")
    code, doc = audit(p2p)
    assert [v["path"] for v in doc["violations"]] == [doc["violations"][0]["path"]]  # only the unsigned one


def test_records_are_audited_like_entries(p2p):
    """An action item is the acting person's too: forging one or editing it is caught."""
    out = json.loads(p2p("action", "add", "ava", "Quantify the ROI", "--format", "json", as_="mia").stdout)
    code, doc = audit(p2p)
    assert code == 0 and doc["violations"] == []
    forged = p2p.root / "records" / "action" / "ben" / "01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    forged.parent.mkdir(parents=True)
    forged.write_text((p2p.root / out["path"]).read_text().replace("by: mia", "by: ben").replace(
        out["record"]["id"], "01M72N8MG0DT7R6J0P5VQRC5KX"))
    git(p2p.root, "add", str(forged))
    git(p2p.root, "-c", "user.name=Mallory", "-c", "user.email=mallory@example.com", "commit", "-qm", "sneaky")
    (p2p.root / out["path"]).write_text((p2p.root / out["path"]).read_text().replace("ROI", "nothing"))
    git(p2p.root, "commit", "-qam", "edit an action")
    code, doc = audit(p2p)
    assert code == 1
    assert [(v["path"].split("/")[2], v["message"]) for v in doc["violations"]] == [
        ("ben", "entry by ben <ben@example.com> was committed as Mallory <mallory@example.com>"),
        ("mia", "a committed entry was modified; entries are append-only")]


@pytest.mark.parametrize("batch", [5000, 2])
def test_a_bulk_commit_is_audited_in_batches_with_the_same_findings(p2p, batch, monkeypatch):
    """A bulk commit (an import) is read a batch of entries at a time, not whole: a
    million-entry commit held them all (2.2 GB). Splitting it changes no finding, and
    its missing signature is reported once, after its other findings."""
    monkeypatch.setattr("p2p.commands.audit.AUDIT_BATCH", batch)
    (p2p.root / "p2p.yaml").write_text((p2p.root / "p2p.yaml").read_text() + "audit: {signed: true}\n")
    git(p2p.root, "commit", "-qam", "require signatures")
    ids = ["01M72N8MG0DT7R6J0P5VQRC5K" + c for c in "VWXYZ"]
    for n, (by, entry_id) in enumerate(zip(["ava", "ben", "cal", "ava", "ben"], ids)):
        path = p2p.root / "entries" / "pitch" / by / f"{entry_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"v: 1\nid: {entry_id}\nkind: submission\nat: '2026-11-10T12:0{n}:00Z'\nby: {by}\n"
                        "challenge: pitch\n")
    git(p2p.root, "add", "-A")
    git(p2p.root, "-c", "user.name=Ava", "-c", "user.email=ava@example.com", "commit", "-qm", "import")
    from p2p.store.store import Store

    read, sizes = Store.entries_of_blobs, []

    def reading(self, oids):
        oids = list(oids)
        sizes.append(len(oids))
        return read(self, oids)

    monkeypatch.setattr(Store, "entries_of_blobs", reading)
    code, doc = audit(p2p)
    assert code == 1 and max(sizes) == min(batch, 5) and sum(sizes) == 5
    assert [(v["path"].split("/")[2], v["message"].split(" <")[0]) for v in doc["violations"]] == [
        ("ben", "entry by ben"), ("ben", "entry by ben"), ("cal", "entry by cal"),  # in git's (path) order
        ("ava", "commit is not signed by a key in allowed_signers (git says N)")]
    assert doc["commits"] == int(git(p2p.root, "rev-list", "--count", "HEAD", "--", "entries", "records"))


def test_log_lists_the_entries_of_a_root_commit_newest_first(entries):
    """A store that starts with an import has its entries in its first commit: log
    lists that commit's files (git's diff of a million-file commit holds 440 MB),
    newest first, with the same filters."""
    p2p, _ = entries
    p2p("submit", "pitch", "--link", "https://v.example/c", as_="cal")
    git(p2p.root, "checkout", "-q", "--orphan", "imported")
    git(p2p.root, "commit", "-qm", "import")  # one root commit holding every file
    p2p("rate", "pitch", "cal", *scores(3), as_="ava")  # and one ordinary commit on top
    files = [path for path in git(p2p.root, "ls-tree", "-r", "--name-only", "HEAD~1", "--", "entries").split()
             if not path.split("/")[-1].startswith(".")]

    def rows(*args):
        out = json.loads(p2p("log", "--format", "json", *args).stdout)["entries"]
        return [(r["by"], r["id"], r["commit"]) for r in out]

    root = git(p2p.root, "rev-parse", "HEAD~1")[:12]
    listed = [(path.split("/")[2], path.split("/")[3][:-5], root) for path in reversed(files)]
    newest = rows()[0]
    assert newest[0] == "ava" and newest[2] == git(p2p.root, "rev-parse", "HEAD")[:12]
    assert rows()[1:] == listed and len(listed) == 3
    assert rows("--limit", "2")[1:] == listed[:1]
    assert rows("--person", "ben") == [row for row in listed if row[0] == "ben"]
    assert rows("--challenge", "pitch", "--person", "cal") == [row for row in listed if row[0] == "cal"]


def test_an_imported_root_commit_is_audited_from_its_listing_with_every_entry_and_record(entries, monkeypatch):
    """A store that starts with an import by someone else: every entry and record in
    its root commit is a finding, read from git's listing of that commit (its diff
    of a million files holds 440 MB in git), in path order."""
    from p2p.store.repo import Git

    p2p, _ = entries
    p2p("action", "add", "ava", "Quantify the ROI", as_="mia")
    git(p2p.root, "checkout", "-q", "--orphan", "imported")
    git(p2p.root, "-c", "user.name=Mallory", "-c", "user.email=mallory@example.com", "commit", "-qm", "import")
    files = [path for path in git(p2p.root, "ls-tree", "-r", "--name-only", "HEAD", "--", "entries", "records").split()
             if not path.split("/")[-1].startswith(".")]
    run, listed = Git.run, []

    def spying(self, *args, **kwargs):
        listed.extend([args[0]] if args and args[0] == "ls-tree" else [])
        return run(self, *args, **kwargs)

    monkeypatch.setattr(Git, "run", spying)
    code, doc = audit(p2p)
    assert code == 1 and doc["commits"] == 1 and listed
    assert [v["path"] for v in doc["violations"]] == files and len(files) == 3
    assert all(v["message"].endswith("was committed as Mallory <mallory@example.com>") for v in doc["violations"])


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "table"])
def test_a_file_named_in_bytes_that_are_not_utf8_is_reported_in_every_format(entries, fmt):
    """git names it in bytes, which p2p reads as lone surrogates: the finding is
    printed (as the terminal's encoding can), not an internal error."""
    p2p, _ = entries
    odd = p2p.root / "entries" / "pitch" / "ava" / "\udcff.yaml"
    odd.write_text("not an entry\n")
    git(p2p.root, "add", "-A")
    git(p2p.root, "commit", "-qm", "an odd file")
    odd.write_text("changed\n")
    git(p2p.root, "commit", "-qam", "and changed")
    # A process of its own: CliRunner's output stream refuses what a terminal's replaces.
    result = subprocess.run([P2P, "--store", str(p2p.root), "audit", "--format", fmt], capture_output=True)
    out, err = result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    assert result.returncode == 1 and "internal error" not in out + err
    assert "a committed entry was modified; entries are append-only" in out
