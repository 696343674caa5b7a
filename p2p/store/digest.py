"""sha1 and sha256 for git's object ids and index checksums, by Python's built-in
code for the first half megabyte a process hashes, then by hashlib's.

Importing hashlib loads OpenSSL: a process importing it took 14.7 ms against 12.0
ms for the built-in modules (medians of 21), ~3 ms of every write. OpenSSL is ~8x
faster (1.8 against 0.2 GB/s), which matters past that half megabyte: an import's
many objects, a big index rewritten. A write hashes ~140 KB on the large store (its
blob, four trees, the small part of a split index)."""

from __future__ import annotations

from typing import Any, Callable

BUILTIN_BYTES = 512 << 10
_hashed = 0  # bytes this process hashed with the built-in code


def of(algorithm: str, data: bytes) -> Any:
    """The hash object ("sha1" or "sha256") of `data`: .digest(), .hexdigest()."""
    global _hashed
    if _hashed + len(data) <= BUILTIN_BYTES:
        made = _builtin(algorithm)
        if made is not None:
            _hashed += len(data)
            return made(data)
    import hashlib

    return hashlib.new(algorithm, data)


def _builtin(algorithm: str) -> Callable[[bytes], Any] | None:
    """CPython's own sha1 or sha256 (`_sha1`; `_sha256` on 3.10 and 3.11, `_sha2`
    from 3.12), None in a Python built without them."""
    try:
        if algorithm == "sha1":
            from _sha1 import sha1  # type: ignore[import-not-found]

            return sha1  # type: ignore[no-any-return]
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]
        except ImportError:
            from _sha256 import sha256  # type: ignore[import-not-found, no-redef]
        return sha256  # type: ignore[no-any-return]
    except ImportError:
        return None
