"""The one error family. Everything a user can act on is a `P2PError`; the CLI turns
it into one line on stderr and an exit code in a single place (`p2p.cli`)."""

from __future__ import annotations

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_INVALID = 1  # invalid input or state: the user can fix it and run again
EXIT_USAGE = 2  # the command line itself is wrong (Click's own usage errors)
EXIT_NOT_PUSHED = 3  # the write is recorded in this clone but not on the shared remote; `p2p sync` later
EXIT_INTERNAL = 70  # a bug in p2p (EX_SOFTWARE); the message asks for a report
EXIT_CLOSED_PIPE = 128 + 13  # the reader of stdout went away: what a tool killed by SIGPIPE returns


class P2PError(Exception):
    """Base of the family: one sentence naming the field or value and what is allowed."""

    exit_code = EXIT_INVALID
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(P2PError):
    """Raised by p2p.actions and p2p.admin when a value the user gave is not allowed
    (a score out of range, an option that does not fit this challenge, a bad file)."""


class StoreError(P2PError):
    """Raised by p2p.store: not a store, git failed, a file cannot be read or written."""

    code = "store"


class SchemaError(P2PError):
    """Raised by p2p.model when a document does not match its kind's schema.

    `field` names the offending key (dotted for nested keys) so loaders can point at
    its line."""

    code = "schema"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(P2PError):
    """Raised when a person, challenge, type or submission named by the user is absent."""

    code = "not-found"


class Refused(P2PError):
    """Raised by p2p.actions when a write breaks a rule (closed challenge, self-rating…)."""

    code = "refused"
