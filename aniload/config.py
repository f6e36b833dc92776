"""Configuration: built-in defaults < config file < environment < command line.

The file is TOML: top-level keys plus the tables ``[tmdb]`` and ``[artwork]``. Each layer
is checked on its own, so an error names where the bad value came from: the file and
line, the environment variable, or the command line. Every failure is a ``ConfigError``
whose text is one line and never holds the API key or token.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aniload.errors import ConfigError

POSTER_SIZES = ("w92", "w154", "w185", "w342", "w500", "w780", "original")
BACKDROP_SIZES = ("w300", "w780", "w1280", "original")
LOGO_SIZES = ("w45", "w92", "w154", "w185", "w300", "w500", "original")

ENV_CONFIG = "ANILOAD_CONFIG"
ENV_VARS: dict[str, tuple[str | None, str]] = {
    "ANILOAD_LIBRARY": (None, "library"),
    "ANILOAD_LANGUAGE": (None, "language"),
    "ANILOAD_TMDB_API_KEY": ("tmdb", "api_key"),
    "ANILOAD_TMDB_READ_ACCESS_TOKEN": ("tmdb", "read_access_token"),
    "ANILOAD_TMDB_API_BASE": ("tmdb", "api_base"),
    "ANILOAD_TMDB_IMAGE_BASE": ("tmdb", "image_base"),
}
SECRET_KEYS = frozenset({"api_key", "read_access_token"})
MASK = "<set>"


@dataclass(frozen=True, slots=True)
class TMDBConfig:
    api_key: str | None = field(default=None, repr=False)
    read_access_token: str | None = field(default=None, repr=False)  # preferred: Bearer
    api_base: str = "https://api.themoviedb.org/3"
    image_base: str = "https://image.tmdb.org/t/p"
    requests_per_second: float = 38.0  # client-side limiter, just under TMDB's ~40/s
    max_connections: int = 16  # TMDB allows ~20 simultaneous per IP
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_retries: int = 5


@dataclass(frozen=True, slots=True)
class ArtworkConfig:
    poster_size: str = "original"
    fanart_size: str = "original"
    logo_size: str = "original"
    max_image_mb: int = 40  # a bigger download is refused
    poster_name: str = "poster.jpg"
    fanart_name: str = "fanart.jpg"
    logo_name: str = "clearlogo.png"


@dataclass(frozen=True, slots=True)
class Config:
    library: Path | None = None
    language: str = "en-US"
    fallback_languages: tuple[str, ...] = ("en-US",)
    series_concurrency: int = 8
    unavailable_recheck_days: float = 7.0
    tmdb: TMDBConfig = TMDBConfig()
    artwork: ArtworkConfig = ArtworkConfig()
    source: Path | None = None  # the file it was read from, if any


# ---------------------------------------------------------------- value checks


class _Invalid(Exception):
    """A bad value; the text reads after the key's name ("must be ...")."""


def _type_name(value: object) -> str:
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"),
                       (str, "a string"), ((list, tuple), "an array"), (dict, "a table")):
        if isinstance(value, kind):
            return name
    return "a date/time" if hasattr(value, "isoformat") else type(value).__name__


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be a string, not {_type_name(value)}")
    return value.strip()


def _optional_str(value: object) -> str | None:
    return _str(value) or None  # "" means "not set"


def _secret(value: object) -> str | None:
    text = _str(value)  # never quote the value in a message
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise _Invalid("must not contain spaces or line breaks (check what was pasted)")
    return text or None


def _num(whole: bool, low: float, high: float = math.inf, *, above: bool = False) -> Callable:
    if whole:
        what = f"a whole number from {low:g} to {high:g}"
    else:
        what = f"a number {'greater than' if above else 'of at least'} {low:g}"

    def check(value: object) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            got = repr(value) if isinstance(value, float) else _type_name(value)
            raise _Invalid(f"must be {what}, not {got}")
        if not (math.isfinite(value) and (value > low if above else value >= low) and value <= high):
            raise _Invalid(f"must be {what}, not {value!r}")
        return value if whole else float(value)

    return check


_LANG_RE = re.compile(r"([A-Za-z]{2})(?:[-_]([A-Za-z]{2}))?")


def _language(value: object) -> str:
    text = _str(value)
    match = _LANG_RE.fullmatch(text)
    if not match:
        raise _Invalid(f"must be a language tag like 'en-US', 'de-DE', 'ja-JP' or 'en', not {text!r}")
    return match[1].lower() + (f"-{match[2].upper()}" if match[2] else "")


def _languages(value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise _Invalid(f"must be an array of language tags like [\"en-US\"], not {_type_name(value)}")
    tags: list[str] = []
    for number, item in enumerate(value, 1):
        try:
            tag = _language(item)
        except _Invalid as exc:
            raise _Invalid(f"item {number} {exc}") from None
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _url(value: object) -> str:
    from urllib.parse import urlsplit

    text = _str(value).rstrip("/")
    try:
        parts = urlsplit(text)
        has_login = bool(parts.username or parts.password)
    except ValueError:
        parts, has_login = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Invalid(f"must be an http(s) URL like 'https://example.org/path', not {text!r}")
    if parts.query or parts.fragment or has_login:
        raise _Invalid("must be a plain URL without '?query', '#fragment' or login (keys go in api_key)")
    return text


def _size(kind: str, allowed: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        text = _str(value)
        if text not in allowed:
            raise _Invalid(f"must be one of TMDB's {kind} sizes: {', '.join(allowed)}; not {text!r}")
        return text

    return check


def _file_name(*suffixes: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        text = _str(value)
        if not text or text.startswith(".") or any(c in text for c in "/\\\0"):
            raise _Invalid(f"must be a plain, non-hidden file name like 'poster.jpg', not {text!r}")
        if not text.lower().endswith(suffixes):
            raise _Invalid(f"must end in {' or '.join(suffixes)} to match the image's format, not {text!r}")
        return text

    return check


_FIELDS: dict[tuple[str | None, str], Callable[[object], Any]] = {
    (None, "library"): _optional_str,
    (None, "language"): _language,
    (None, "fallback_languages"): _languages,
    (None, "series_concurrency"): _num(True, 1, 64),
    (None, "unavailable_recheck_days"): _num(False, 0),
    ("tmdb", "api_key"): _secret,
    ("tmdb", "read_access_token"): _secret,
    ("tmdb", "api_base"): _url,
    ("tmdb", "image_base"): _url,
    ("tmdb", "requests_per_second"): _num(False, 0, above=True),
    ("tmdb", "max_connections"): _num(True, 1, 64),
    ("tmdb", "connect_timeout"): _num(False, 0, above=True),
    ("tmdb", "read_timeout"): _num(False, 0, above=True),
    ("tmdb", "max_retries"): _num(True, 0, 20),
    ("artwork", "poster_size"): _size("poster", POSTER_SIZES),
    ("artwork", "fanart_size"): _size("backdrop", BACKDROP_SIZES),
    ("artwork", "logo_size"): _size("logo", LOGO_SIZES),
    ("artwork", "max_image_mb"): _num(True, 1, 1024),
    ("artwork", "poster_name"): _file_name(".jpg", ".jpeg"),
    ("artwork", "fanart_name"): _file_name(".jpg", ".jpeg"),
    ("artwork", "logo_name"): _file_name(".png"),
}
_TABLES = ("tmdb", "artwork")
_Values = dict[tuple[str | None, str], Any]


def _label(table: str | None, key: str) -> str:
    return f"[{table}] {key}" if table else key


def _check(table: str | None, key: str, value: object) -> Any:
    try:
        return _FIELDS[(table, key)](value)
    except _Invalid as exc:
        raise _Invalid(f"{_label(table, key)} {exc}") from None


# ---------------------------------------------------------------- paths


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def _expand(raw: str | os.PathLike[str], env: Mapping[str, str], base: Path | None = None) -> Path:
    """``~`` expanded (from env's HOME), then made absolute against ``base`` (else cwd)."""
    text = os.fspath(raw)
    if text == "~" or text.startswith("~/"):
        text = str(_home(env) / text[2:])
    else:
        text = os.path.expanduser(text)
    if base is not None and not os.path.isabs(text):
        text = os.path.join(base, text)
    return Path(os.path.abspath(text))


def default_config_path(env: Mapping[str, str]) -> Path:
    xdg = env.get("XDG_CONFIG_HOME", "")
    root = Path(xdg) if os.path.isabs(xdg) else _home(env) / ".config"  # XDG: relative = unset
    return root / "aniload" / "config.toml"


def config_path(explicit: Path | None, env: Mapping[str, str]) -> tuple[Path, bool]:
    """(the config file to read, whether it was named explicitly)."""
    if explicit is not None:
        return _expand(explicit, env), True
    if env.get(ENV_CONFIG, "").strip():
        return _expand(env[ENV_CONFIG].strip(), env), True
    return default_config_path(env), False


# ---------------------------------------------------------------- layers


def _find_line(text: str, keypath: tuple[str, ...]) -> int | None:
    """The line where ``keypath`` (or its nearest parent) is set; only for messages."""
    part = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
    dotted = rf"{part}(?:\s*\.\s*{part})*"
    header = re.compile(rf"\s*\[\[?\s*({dotted})\s*\]\]?\s*(?:#.*)?$")
    assign = re.compile(rf"\s*({dotted})\s*=")
    first: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        if m := header.match(line):
            table = found = tuple(p.strip("\"'") for p in re.findall(part, m[1]))
        elif m := assign.match(line):
            found = table + tuple(p.strip("\"'") for p in re.findall(part, m[1]))
        else:
            continue
        for end in range(1, len(found) + 1):
            first.setdefault(found[:end], number)
    for end in range(len(keypath), 0, -1):
        if keypath[:end] in first:
            return first[keypath[:end]]
    return None


def _unknown(table: str | None, key: str, value: object) -> str:
    import difflib

    if table is None and isinstance(value, dict):
        what = f"unknown table [{key}]"
        names = list(_TABLES)
    else:
        what = f"unknown key '{key}'" + (f" in [{table}]" if table else "")
        names = [k for t, k in _FIELDS if t == table]
    homes = [t for t, k in _FIELDS if k == key and t != table]
    close = difflib.get_close_matches(key, names, n=1)
    if homes:
        where = f"in [{homes[0]}]" if homes[0] else "at the top, before any [table]"
        return f"{what} (it belongs {where})"
    if close:
        shown = f"[{close[0]}]" if what.startswith("unknown table") else f"'{close[0]}'"
        return f"{what} (did you mean {shown}?)"
    return f"{what}; known: {', '.join(names)}"


def _toml_error(path: Path, text: str, exc: Exception) -> str:
    """tomllib's "Msg (at line L, column C)" as "PATH: line L, column C: invalid TOML: Msg"."""
    message = str(exc)
    if m := re.search(r"\s*\(at line (\d+), column (\d+)\)$", message):
        return f"{path}: line {m[1]}, column {m[2]}: invalid TOML: {message[: m.start()]}"
    if m := re.search(r"\s*\(at end of document\)$", message):
        last = max(len(text.splitlines()), 1)
        return f"{path}: line {last}: invalid TOML at the end of the file: {message[: m.start()]}"
    return f"{path}: invalid TOML: {message}"


def _file_layer(path: Path, env: Mapping[str, str], named_by: str | None) -> _Values | None:
    """Values from the file, or None when the default file does not exist."""
    import tomllib

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if named_by is None:
            return None
        raise ConfigError(f"config file not found: {path} (named by {named_by})") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 text (save the file as UTF-8)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(path, text, exc)) from None

    def fail(keypath: tuple[str, ...], message: str) -> ConfigError:
        line = _find_line(text, keypath)
        return ConfigError(f"{path}: line {line}: {message}" if line else f"{path}: {message}")

    values: _Values = {}
    items = [(None, key, value) for key, value in data.items() if key not in _TABLES]
    for table in _TABLES:
        if table in data:
            if not isinstance(data[table], dict):
                raise fail((table,), f"{table} must be a table ([{table}]), not {_type_name(data[table])}")
            items += [(table, key, value) for key, value in data[table].items()]
    for table, key, value in items:
        keypath = (table, key) if table else (key,)
        if (table, key) not in _FIELDS:
            raise fail(keypath, _unknown(table, key, value))
        try:
            values[(table, key)] = _check(table, key, value)
        except _Invalid as exc:
            raise fail(keypath, str(exc)) from None
    if values.get((None, "library")):
        values[(None, "library")] = _expand(values[(None, "library")], env, base=path.parent)
    return values


def _env_layer(env: Mapping[str, str]) -> _Values:
    values: _Values = {}
    for var, (table, key) in ENV_VARS.items():
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue  # an empty variable counts as unset
        try:
            values[(table, key)] = _check(table, key, raw)
        except _Invalid as exc:
            raise ConfigError(f"environment variable {var}: {exc}") from None
    if values.get((None, "library")):
        values[(None, "library")] = _expand(values[(None, "library")], env)
    return values


def _override_layer(overrides: Mapping[str, object], env: Mapping[str, str]) -> _Values:
    values: _Values = {}
    for name, value in overrides.items():
        table, _, key = name.rpartition(".")
        slot = (table or None, key)
        if slot not in _FIELDS:
            raise ValueError(f"unknown config override {name!r}")  # a bug in the caller
        if value is None:
            continue  # flag not given
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        try:
            checked = _check(*slot, value)
        except _Invalid as exc:
            raise ConfigError(f"command line: {exc}") from None
        if checked is not None:
            values[slot] = _expand(checked, env) if slot == (None, "library") else checked
    return values


def _build(values: _Values, source: Path | None) -> Config:
    def part(table: str | None) -> dict[str, Any]:
        return {k: v for (t, k), v in values.items() if t == table and v is not None}

    artwork = ArtworkConfig(**part("artwork"))
    names = {"poster_name": artwork.poster_name, "fanart_name": artwork.fanart_name,
             "logo_name": artwork.logo_name}
    for key, name in names.items():
        twins = [k for k, n in names.items() if k != key and n.casefold() == name.casefold()]
        if twins:
            where = f"{source}: " if source else ""
            raise ConfigError(f"{where}[artwork] {key} and {twins[0]} must differ (both are {name!r})")
    return Config(**part(None), tmdb=TMDBConfig(**part("tmdb")), artwork=artwork, source=source)


def load_config(
    explicit_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Config:
    """The effective config. ``overrides`` holds CLI flags by key ("library", "language",
    "tmdb.api_base", ...); a None value means the flag was not given."""
    env = os.environ if env is None else env
    path, explicit = config_path(explicit_path, env)
    named_by = ("--config" if explicit_path is not None else ENV_CONFIG) if explicit else None
    values: _Values = {}
    from_file = _file_layer(path, env, named_by)
    if from_file is not None:
        values.update(from_file)
    values.update(_env_layer(env))
    values.update(_override_layer(overrides or {}, env))
    return _build(values, path if from_file is not None else None)
