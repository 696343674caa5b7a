"""The Jinja environment for pages: the template search path and the filters.

Search path, most specific first: the store's own `templates/` folder, then the
built-in templates shipped in the package. A store template shadows a built-in one
of the same name, and can `{% extends "default:person.md.j2" %}` to replace a
single block. Every `{{ value }}` is escaped for Markdown unless p2p built it as
safe Markdown itself (links, bars, charts), so a template cannot forget to escape
user text. Templates run sandboxed: a store's template cannot reach Python."""

from __future__ import annotations

import hashlib
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import jinja2
from jinja2 import ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader, StrictUndefined
from jinja2.bccache import Bucket
from jinja2.sandbox import SandboxedEnvironment

from p2p.render.markdown import Safe, escape, link

BAR = 10


def environment(store_templates: Path | None, builtin: Path, target: str, charts: str,
                cache: Path | None = None) -> SandboxedEnvironment:
    """The page environment; with `cache` (a folder p2p may delete), compiled
    templates are kept in its `jinja/` for the next process."""
    loaders: list[Any] = []
    if store_templates is not None and store_templates.is_dir():
        loaders.append(FileSystemLoader(str(store_templates)))
    loaders += [PrefixLoader({"default": FileSystemLoader(str(builtin))}, delimiter=":"),
                FileSystemLoader(str(builtin))]
    env = _PageEnvironment(
        loader=ChoiceLoader(loaders), autoescape=False, finalize=_finalize, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    suffix = "" if target in ("github", "gitlab") else ".md"
    env.filters.update(
        md=escape, link=link, bar=bar, num=num, pct=pct,
        page=lambda name, text=None: Safe(f"[{escape(text or name)}]({name}{suffix})"),
    )
    env.globals.update(
        pie=lambda title, labels, values: chart(pie_lines(title, list(zip(labels, values))), target, charts),
        line=lambda title, labels, values: chart(line_lines(title, labels, values), target, charts),
        charts=charts != "none",
    )
    if cache is not None:
        env.bytecode_cache = _CompiledTemplates(cache / "jinja" / _compiler_fingerprint(env, target, charts))
    return env


class _PageEnvironment(SandboxedEnvironment):
    """The sandbox, with a shortcut for the commonest lookup: `row.name` on a plain
    dict (~170,000 a publish). The sandbox first tries the attribute, which a dict
    does not have, and catches the AttributeError: the same answer, only slower."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates on disk: compiling them costs every publish ~0.2 s. Jinja
    keys an entry by template name and file path and drops it when the source's
    checksum differs, so an edited or a newly shadowing store template is compiled
    afresh. The cache is disposable: a folder that cannot be written is a miss."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a read-only .git only makes the next publish compile again


def _compiler_fingerprint(env: SandboxedEnvironment, target: str, charts: str) -> str:
    """A folder name for what compiled code depends on besides the template source
    (which Jinja checksums itself): Jinja's and Python's versions, the syntax and
    whitespace options, and the filters, tests and finalize, by name, calling
    convention and the source of their modules, as Jinja runs them on constants at
    compile time (`{{ "a_b" }}` is stored escaped), and the target and charts the
    filters close over (`{{ "x" | page }}` links to x.md on MkDocs, x on GitHub)."""
    functions = {**{f"filter {k}": f for k, f in env.filters.items()}, **{f"test {k}": f for k, f in env.tests.items()},
                 "finalize": env.finalize}
    digest = hashlib.sha256(repr((
        type(env).__qualname__, sys.version, target, charts, env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
        env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.autoescape, env.optimized, env.is_async, sorted(env.extensions),
        sorted((k, getattr(f, "__module__", None), str(getattr(f, "jinja_pass_arg", None)))
               for k, f in functions.items()),
    )).encode())
    for module in sorted({getattr(f, "__module__", None) or "" for f in functions.values()}):
        source = getattr(sys.modules.get(module), "__file__", None)
        digest.update(Path(source).read_bytes() if source else module.encode())
    return f"jinja{jinja2.__version__}-py{sys.version_info[0]}{sys.version_info[1]}-{digest.hexdigest()[:16]}"


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, (Safe, int, float)) else escape(value)


def bar(progress: float, width: int = BAR) -> Safe:
    """A text progress bar: ███████░░░ 70%."""
    filled = round(max(0.0, min(1.0, progress)) * width)
    return Safe("█" * filled + "░" * (width - filled) + f" {progress:.0%}")


@lru_cache(maxsize=4096)
def num(value: float | None, places: int = 2) -> Safe:
    """A number as pages show it: at most `places` decimals, no trailing zeros, and
    "0" for a value that rounds to zero from below, never "-0". Memoised: a big
    store's publish formats ~1.3 million numbers, of few distinct values (0.56 µs a
    call, 0.15 µs a cache hit); equal keys of other types (1, 1.0, True; -0.0 and
    0.0) format alike, so a hit is always the text a call would give."""
    if value is None:
        return Safe("–")
    text = f"{value:.{places}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return Safe("0" if text in ("-0", "") else text)


def pct(value: float | None) -> Safe:
    if value is None:
        return Safe("–")
    text = f"{value:.0%}"
    return Safe("0%" if text == "-0%" else text)


def _label(text: object) -> str:
    """Mermaid labels: letters, digits and a little punctuation only."""
    return re.sub(r"[^\w .\-/]", " ", str(text), flags=re.UNICODE).strip()[:40] or "?"


def pie_lines(title: str, items: Sequence[tuple[str, float]]) -> list[str]:
    return [f"pie title {_label(title)}"] + [f'    "{_label(k)}" : {num(v)}' for k, v in items if v > 0]


# Mermaid's default theme (GitHub's light mode too) draws a line chart's first series
# in #ECECFF, all but invisible on white: the chart names a colour that reads on both.
LINE_COLOUR = '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%'


def line_lines(title: str, labels: Sequence[str], values: Sequence[float]) -> list[str]:
    axis = ", ".join(f'"{_label(x)}"' for x in labels)
    return [LINE_COLOUR, "xychart-beta", f'    title "{_label(title)}"', f"    x-axis [{axis}]",
            '    y-axis "score" 1 --> 5', f"    line [{', '.join(num(v) for v in values)}]"]


def chart(lines: list[str], target: str, charts: str) -> Safe:
    """A Mermaid block (Azure DevOps wikis use ::: fences), or nothing."""
    if charts == "none" or len(lines) < 2:
        return Safe("")
    body = "\n".join(lines)
    return Safe(f"::: mermaid\n{body}\n:::\n" if target == "azure" else f"```mermaid\n{body}\n```\n")
