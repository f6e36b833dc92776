"""The library on disk: which folders are series, and how the user names them.

A series is a direct, non-hidden subfolder of the library. Folder names come from the
filesystem as bytes; Python decodes undecodable bytes to lone surrogates, which would
break JSON output and terminals, so every name shown to a user goes through
``display_name`` (the bad bytes become ``\\xff`` text) while paths keep the raw name.

Symlinked series folders are never followed: aniload writes into series folders, and a
link could point anywhere (outside the library, or at another series). They are skipped
with a warning naming the link.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from aniload.errors import LibraryError, UsageError
from aniload.foldernames import parse_series_folder

Warn = Callable[[str, str | None], None]  # (message, series folder or None)

_NON_WORD = re.compile(r"[\W_]+")
# ASCII letters and digits lower-cased, every other byte a space: bytes.translate is C speed.
_ASCII_SLUG_BYTES = bytes(ord(chr(c).lower()) if chr(c).isalnum() else 32 for c in range(128)) + bytes(128)


class SeriesFolder(NamedTuple):
    """Immutable; a tuple because a run builds one per series folder before anything else.

    The real path is kept as a string: os calls take it as it is, and building a Path for
    each of thousands of folders costs more than listing the library (``path`` makes one).
    """

    folder: str  # the folder name for display (undecodable bytes escaped)
    dir: str  # the real path (raw name)
    key: str  # stable slug, e.g. "attack-on-titan-2013"
    title: str
    year: int | None
    tmdb_id_hint: int | None  # from "[tmdbid-1429]"-style folder names

    @property
    def path(self) -> Path:
        return Path(self.dir)


def _legacy_bytes(err: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8, read as Windows-1252: what names from old Windows and Samba
    shares were written in ("Pok\\xe9mon" is "Pokémon")."""
    return err.object[err.start : err.end].decode("cp1252", errors="replace"), err.end


codecs.register_error("aniload-cp1252", _legacy_bytes)


def readable_name(name: str) -> str:
    """A folder name as a person reads it, for titles (not paths, not display): undecodable
    bytes as Windows-1252 text, control characters as spaces."""
    return name if name.isprintable() else _printable(name, "aniload-cp1252", lambda ch: " ")


def display_name(name: str) -> str:
    """Printable form of a file name: undecodable bytes as \\xNN, control characters escaped."""
    return name if name.isprintable() else _printable(name, "backslashreplace", _escaped)


def _printable(name: str, undecodable: str, unprintable: Callable[[str], str]) -> str:
    """``name`` with its raw bytes decoded by the ``undecodable`` error handler and each
    character that still is not printable replaced by ``unprintable(ch)``."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", undecodable)
    return "".join(ch if ch.isprintable() else unprintable(ch) for ch in text)


def _escaped(ch: str) -> str:
    return ch.encode("unicode_escape").decode()


def series_key(folder: str) -> str:
    """A slug that stays the same as long as the folder name does.

    Letters of any script are kept (a Japanese title keeps its kana); everything else
    collapses to single dashes. A name with no letters or digits falls back to a hash.
    """
    if folder.isascii():  # the common case, without a regex: non-alphanumerics separate
        slug = b"-".join(folder.encode("ascii").translate(_ASCII_SLUG_BYTES).split()).decode("ascii")
    else:
        text = unicodedata.normalize("NFKC", folder).casefold()
        slug = _NON_WORD.sub("-", text).strip("-")
    if not slug:
        import hashlib  # rare: a name of symbols only (and OpenSSL costs 4 ms to load)

        digest = hashlib.sha1(folder.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        slug = f"series-{digest}"
    return slug


_new_series = tuple.__new__  # SeriesFolder(...) without its Python-level __new__: one per folder


def make_series(library: Path | str, raw_name: str) -> SeriesFolder:
    shown = display_name(raw_name)
    # The title is what TMDB is searched for: from the name as read, not its escaped display.
    title, year, tmdb_id = parse_series_folder(readable_name(raw_name))
    path = os.path.join(library, raw_name)
    return _new_series(SeriesFolder, (shown, path, series_key(shown), title, year, tmdb_id))


def resolve_library(path: Path | None) -> Path:
    if path is None:
        raise LibraryError(
            "no library given: pass LIBRARY, set ANILOAD_LIBRARY, or set 'library' in the config"
        )
    path = Path(os.path.expanduser(path))
    try:
        if not path.exists():
            raise LibraryError(f"library not found: {display_name(str(path))}")
        if not path.is_dir():
            raise LibraryError(f"library is not a directory: {display_name(str(path))}")
    except OSError as exc:
        raise LibraryError(f"cannot read library {display_name(str(path))}: {exc.strerror}") from exc
    return path.absolute()


def _is_series_entry(entry: os.DirEntry, warn: Warn) -> bool:
    if entry.name.startswith("."):
        return False
    try:
        if entry.is_symlink():
            if entry.is_dir():  # follows the link: only links to folders look like series
                warn(f"skipped symlinked folder {display_name(entry.name)!r}: aniload does not write through links", None)
            elif not os.path.exists(entry.path):
                warn(f"skipped broken symlink {display_name(entry.name)!r}", None)
            return False
        return entry.is_dir(follow_symlinks=False)
    except OSError as exc:
        warn(f"skipped unreadable entry {display_name(entry.name)!r}: {exc.strerror}", None)
        return False


def list_series(library: Path, warn: Warn) -> list[SeriesFolder]:
    """Every series folder of the library, sorted by display name (case-insensitive)."""
    try:
        with os.scandir(library) as entries:
            names = [e.name for e in entries if _is_series_entry(e, warn)]
    except OSError as exc:
        raise LibraryError(f"cannot read library {display_name(str(library))}: {exc.strerror}") from exc
    base = os.fspath(library)
    series = [make_series(base, name) for name in names]
    series.sort(key=lambda s: (s.folder.casefold(), s.folder))
    return _disambiguate_keys(series)


def _disambiguate_keys(series: list[SeriesFolder]) -> list[SeriesFolder]:
    """Two folders whose names slug alike ("Foo!" and "Foo?") get a short hash suffix each."""
    seen: dict[str, int] = {}
    for s in series:
        seen[s.key] = seen.get(s.key, 0) + 1
    if all(count == 1 for count in seen.values()):
        return series
    import hashlib  # rare: two folder names that slug alike

    out = []
    for s in series:
        if seen[s.key] > 1:
            digest = hashlib.sha1(s.folder.encode("utf-8", "surrogateescape")).hexdigest()[:6]
            s = s._replace(key=f"{s.key}-{digest}")
        out.append(s)
    return out


def select_series(library: Path, names: list[str], warn: Warn) -> list[SeriesFolder]:
    """The series the user asked for; all of them when ``names`` is empty.

    A name that is exactly a folder is found with one stat, so ``--series X`` costs the
    same on a library of 10 series as on one of 10,000. Only a name given in another case,
    or as a key, needs the folder list.
    """
    if not names:
        return list_series(library, warn)
    chosen: dict[str, SeriesFolder] = {}
    unresolved = []
    for name in names:
        candidate = library / name
        if (
            name
            and "/" not in name
            and not name.startswith(".")
            and candidate.is_dir()
            and not candidate.is_symlink()
        ):
            found = make_series(library, name)
            chosen.setdefault(found.dir, found)
        else:
            unresolved.append(name)
    if unresolved:
        everything = list_series(library, warn)
        by_folder = {s.folder.casefold(): s for s in everything}
        by_key = {s.key: s for s in everything}
        for name in unresolved:
            found = by_folder.get(name.casefold()) or by_key.get(name.strip().casefold())
            if found is None:
                raise UsageError(_unknown_series_message(name, everything))
            chosen.setdefault(found.dir, found)
    return sorted(chosen.values(), key=lambda s: (s.folder.casefold(), s.folder))


def _unknown_series_message(name: str, everything: list[SeriesFolder]) -> str:
    import difflib

    folders = {s.folder.casefold(): s.folder for s in everything}
    close = difflib.get_close_matches(name.casefold(), list(folders), n=3, cutoff=0.5)
    if not close:  # a fragment of a long title: "frieren" for "Frieren - Beyond Journey's End"
        close = [f for f in folders if name.casefold() in f][:3]
    msg = f"unknown series {display_name(name)!r}"
    if close:
        msg += "; closest: " + ", ".join(repr(folders[c]) for c in close)
    elif not everything:
        msg += " (the library has no series folders)"
    return msg
