"""Safe, limited YAML reading and canonical writing.

Only the safe loader (the C one when PyYAML has libyaml), with a size limit and
duplicate keys refused, because store files are edited by hand and by CI and a
silently dropped key would change a score. Writing is canonical (stable key order,
strings quoted when YAML 1.1 would misread them) so a rewrite of an unchanged
document produces the same bytes and no commit."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p2p.store import canonical

if TYPE_CHECKING:
    import yaml

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 64


class YamlError(Exception):
    """A document that cannot be read; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _PyYaml:
    """PyYAML and the classes p2p uses from it, imported on first use: a read from the
    parse cache parses nothing, and importing PyYAML costs every command ~12 ms."""

    def __init__(self) -> None:
        import yaml

        self.yaml = yaml
        self.base_loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        self.dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

        class StrictSafeLoader(self.base_loader):  # type: ignore[misc, name-defined]
            """Safe loader that refuses duplicate mapping keys instead of keeping the last."""

        StrictSafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        self.StrictSafeLoader = StrictSafeLoader  # a class: named as one


@functools.lru_cache(maxsize=None)
def _pyyaml() -> _PyYaml:
    return _PyYaml()


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise YamlError(f"duplicate key {key!r} (first on line {seen[key]})", line)
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def loads(data: bytes) -> Any:
    """Parse one YAML document from bytes; raise YamlError with a line number."""
    if len(data) > MAX_FILE_BYTES:
        raise YamlError(f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit for store files")
    fast = canonical.read(data)  # p2p's own canonical form, ~4x faster; None for anything else
    return fast if fast is not None else parse_with_pyyaml(data)


def parse_with_pyyaml(data: bytes) -> Any:
    """The safe, strict YAML loader (what `loads` falls back to)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not UTF-8 text (byte {exc.start})") from None
    depth = max(_flow_depth(text), _block_depth(text))
    if depth > MAX_DEPTH:
        raise YamlError(f"nested {depth} levels deep; store files nest at most {MAX_DEPTH}")
    pyyaml = _pyyaml()
    yaml = pyyaml.yaml
    try:
        return yaml.load(text, Loader=pyyaml.StrictSafeLoader)  # noqa: S506 - a safe loader subclass
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = min(mark.line + 1, text.count("\n") or 1) if mark else None
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. the date 2026-02-30
        raise YamlError(f"invalid value: {exc}") from None
    except RecursionError:
        raise YamlError(f"nested too deeply; store files nest at most {MAX_DEPTH} levels") from None


_BLOCK_PREFIX = re.compile(r"[ \t]*(?:[-?:][ \t]+)*")


def _block_depth(text: str) -> int:
    """A bound on block nesting, counted before parsing: `- - - x` nests one level
    per marker on a single line, and libyaml recurses on it (100,000 levels crash
    the process; a few hundred overflow Python's pickling of the result)."""
    deepest = 0
    for line in text.splitlines():
        prefix = _BLOCK_PREFIX.match(line)
        if prefix:
            markers = sum(1 for c in prefix.group() if c in "-?:")
            indent = len(prefix.group()) - len(prefix.group().lstrip(" \t"))
            deepest = max(deepest, markers + indent // 2)
    return deepest


def _flow_depth(text: str) -> int:
    """Deepest [ / { nesting, counted before parsing: libyaml's parser recurses on
    flow collections and a few thousand brackets crash the process."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def line_of(data: bytes, dotted: str | None) -> int | None:
    """The 1-based line of a (dotted) key in a document, for error messages.

    Composes the node tree again, so it is only used on the error path."""
    if not dotted:
        return None
    pyyaml = _pyyaml()
    yaml = pyyaml.yaml
    try:
        node = yaml.compose(data.decode("utf-8-sig"), Loader=pyyaml.base_loader)
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    line = None
    for part in dotted.split("."):
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def dumps(document: dict[str, Any], header: str | None = None) -> bytes:
    """Canonical YAML: keys in the given order, block style, unicode kept. An entry or
    a person is written without PyYAML (canonical.write), anything else through it."""
    text = canonical.write(document)
    if text is None:
        pyyaml = _pyyaml()
        text = pyyaml.yaml.dump(
            document, Dumper=pyyaml.dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
        )
    if header:
        text = "".join(f"# {line}\n" for line in header.splitlines()) + text
    return text.encode("utf-8")


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write via a temporary file in the same folder, then rename, so a reader or a
    crash never sees half a file. `durable` syncs it to disk before the rename (a
    cache file lost in a crash is only a miss). The temporary name is made here, not by
    tempfile, which costs every write command ~4 ms to import; os.open applies the
    umask as for any ordinary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:  # another process drew the same name: draw again
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
