"""What a user reads of the configuration: the commented starter file `config init` writes
(also config.example.toml) and the masked view `config show` prints.

Apart from ``config.py`` because a scan never needs either: they are imported by those two
commands only.
"""

from __future__ import annotations

import os
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from aniload.config import MASK, SECRET_KEYS, Config, ConfigError

_HEADER = """\
# aniload configuration (TOML). `aniload config show` prints the settings in effect.
#
# Read from: --config PATH, else $ANILOAD_CONFIG, else $XDG_CONFIG_HOME/aniload/config.toml
# (normally ~/.config/aniload/config.toml).
# Precedence: command-line flag > environment variable > this file > default.
# Every key is optional: a key left out or commented out takes its default.
# An environment variable set to "" counts as unset.
"""
# The comment above each key of the starter file (and of config.example.toml); a
# (table, None) entry introduces the table.
_DOCS: dict[tuple[str | None, str | None], str] = {
    (None, "library"): """The anime library: a folder with one folder per series. "~" is your
home; a relative path is relative to this file's folder. The LIBRARY argument wins.
Default: none. Env: ANILOAD_LIBRARY""",
    (None, "language"): """Language of titles, plots and artwork: a TMDB language tag such as
"en-US", "de-DE", "ja-JP", or just "en". Default: "en-US". Env: ANILOAD_LANGUAGE""",
    (None, "fallback_languages"): """Tried in order, field by field, where a text has no
translation in `language`; [] for none. Default: ["en-US"]""",
    (None, "series_concurrency"): "How many series are fetched at once (1 to 64). Default: 8",
    (None, "unavailable_recheck_days"): """Days before TMDB is asked again for artwork it did not
have (0: every run; `fetch --force` always asks). Default: 7""",
    ("tmdb", None): "TMDB access, and how hard aniload may use it.",
    ("tmdb", "api_key"): """TMDB v3 API key (https://www.themoviedb.org/settings/api). `fetch`
needs it or read_access_token; the environment keeps secrets out of this file.
Default: none. Env: ANILOAD_TMDB_API_KEY""",
    ("tmdb", "read_access_token"): """TMDB API read access token (the long one): preferred over
api_key, sent as a Bearer header. Default: none. Env: ANILOAD_TMDB_READ_ACCESS_TOKEN""",
    ("tmdb", "api_base"): """TMDB API address; change it only for a proxy or a test server.
Default: "https://api.themoviedb.org/3". Env: ANILOAD_TMDB_API_BASE""",
    ("tmdb", "image_base"): """Image server: an image URL is image_base + "/" + size + file path.
Default: "https://image.tmdb.org/t/p". Env: ANILOAD_TMDB_IMAGE_BASE""",
    ("tmdb", "requests_per_second"): "Cap on API requests per second; TMDB allows about 40. Default: 38",
    ("tmdb", "max_connections"): """Most simultaneous connections (1 to 64); TMDB allows about 20
per IP address. Default: 16""",
    ("tmdb", "connect_timeout"): "Seconds to wait for a connection. Default: 10",
    ("tmdb", "read_timeout"): "Seconds to wait for data once connected. Default: 30",
    ("tmdb", "max_retries"): """Retries of a failed request (timeout, 429, 5xx), honouring
Retry-After or backing off, before the series fails (0 to 20). Default: 5""",
    ("artwork", None): "Which images to download, how big, and the file names they get.",
    ("artwork", "poster_size"): 'Poster size: w92 w154 w185 w342 w500 w780 original. Default: "original"',
    ("artwork", "fanart_size"): 'Backdrop size: w300 w780 w1280 original. Default: "original"',
    ("artwork", "logo_size"): 'Logo size: w45 w92 w154 w185 w300 w500 original. Default: "original"',
    ("artwork", "max_image_mb"): "A bigger image (in MB) is refused (1 to 1024). Default: 40",
    ("artwork", "poster_name"): 'Poster file in each series folder, a .jpg/.jpeg name (Kodi and\n'
    'Jellyfin read poster.jpg). Default: "poster.jpg"',
    ("artwork", "fanart_name"): 'Backdrop file, a .jpg/.jpeg name. Default: "fanart.jpg"',
    ("artwork", "logo_name"): 'Clear logo file, a .png name. An existing logo.png also counts\n'
    'as the logo. Default: "clearlogo.png"',
}


def starter_config_text() -> str:
    """A commented starter file; it parses to the defaults (secrets are commented out)."""
    import tomli_w

    def value_text(value: Any) -> str:  # inline TOML, every scalar made by tomli_w
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(value_text(item) for item in value) + "]"
        return tomli_w.dumps({"v": value}).partition(" = ")[2].rstrip("\n")

    defaults, lines = Config(), [_HEADER.rstrip("\n")]
    for (table, key), doc in _DOCS.items():
        lines += [""] + [f"# {line}" for line in doc.splitlines()]
        if key is None:
            lines.append(f"[{table}]")
            continue
        value = getattr(getattr(defaults, table) if table else defaults, key)
        if value is None or key in SECRET_KEYS:  # shown, but commented out
            lines.append(f"# {key} = {value_text('~/Anime' if key == 'library' else '')}")
        else:
            lines.append(f"{key} = {value_text(value)}")
    return "\n".join(lines) + "\n"


def write_starter_config(path: Path) -> Path:
    """Write the starter file at ``path``; never overwrites. Returns the absolute path."""
    from aniload.errors import WriteError
    from aniload.fsutil import atomic_write

    target = Path(os.path.abspath(os.path.expanduser(path)))
    if target.is_dir():
        raise ConfigError(f"{target} is a folder; give a file path such as {target / 'config.toml'}")
    if os.path.lexists(target):
        raise ConfigError(f"{target} already exists; not overwriting it (edit it, or remove it first)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create folder {target.parent}: {exc.strerror or exc}") from None
    try:
        atomic_write(target, starter_config_text().encode("utf-8"))
    except WriteError as exc:
        raise ConfigError(str(exc)) from None
    try:
        os.chmod(target, 0o600)  # it is meant to receive the API key
    except OSError:
        pass
    return target


def masked_view(config: Config) -> dict[str, Any]:
    """The settings as plain data (str, numbers, lists, None) for `config show`, laid out
    like the file. A secret shows only as "<set>" or None. ``source`` is not a setting and
    is left out: show ``config.source`` beside it."""

    def plain(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(obj):
            value = getattr(obj, f.name)
            if f.name in SECRET_KEYS:
                value = MASK if value else None
            elif is_dataclass(value):
                value = plain(value)
            elif isinstance(value, (Path, tuple)):
                value = str(value) if isinstance(value, Path) else list(value)
            out[f.name] = value
        return out

    view = plain(config)
    del view["source"]
    return view
