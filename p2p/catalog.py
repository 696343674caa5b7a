"""The built-in challenge types, shipped as YAML files in the package (the top-level
`challenges/` folder of this repository becomes `p2p/challenges` when installed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from p2p.errors import NotFound, SchemaError
from p2p.model import ChallengeType
from p2p.store import yamlio


def builtin_dir(name: str) -> Path:
    """A data folder shipped with p2p: inside the package when installed, at the
    repository's top level when running from a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / name
    return installed if installed.is_dir() else package.parent / name


@lru_cache(maxsize=1)
def builtin_types() -> dict[str, ChallengeType]:
    types = {}
    for path in sorted(builtin_dir("challenges").glob("*.yaml")):
        try:
            kind = ChallengeType.parse(yamlio.loads(path.read_bytes()))
        except (SchemaError, yamlio.YamlError) as exc:  # a packaging bug, not a user error
            raise SchemaError(f"built-in challenge type {path.name}: {exc}") from None
        types[kind.type] = kind
    return types


def get_type(name: str) -> ChallengeType:
    types = builtin_types()
    if name not in types:
        raise NotFound(f"challenge type {name!r} is not one of {', '.join(types)}")
    return types[name]
