"""p2p: peer-to-peer improvement challenges for sales teams, stored in git.

The public Python API (see p2p.api): `open_store(path)` gives a `Store` with
`standings`, `season`, `stats`, `people`, `challenges`, `submit`, `rate` and `sync`;
errors are `P2PError`. Names are loaded on first use, so `p2p submit` still starts
fast: nothing heavy is imported until a command or a script needs it.
"""

from typing import Any

from p2p import classcode

classcode.install()  # before any of p2p's dataclasses is made

__version__ = "0.1.0"
__all__ = ["open_store", "Store", "P2PError", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("open_store", "Store", "P2PError"):
        from p2p import api

        return getattr(api, name)
    raise AttributeError(f"module 'p2p' has no attribute {name!r}")
