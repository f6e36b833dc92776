"""What a series folder's name and a season folder's name say. Pure; never raises.

"Title (2013) [tmdbid-1429]" gives a title, a year and a pinned TMDB id; other database
tags (tvdb, imdb, anidb, anilist, mal) and trailing release tags are dropped. Season
folders: "Season 1", "Season 01", "S01", "Staffel 1", "2nd Season", 第2期, a bare "2"
(as Jellyfin reads them), and "Specials"/"SP"/"OVA"/"OVAs" (season 0). A folder named
like a release ("[Group] Title S2 [1080p]", "Title.S02.1080p.BluRay-GRP", "Title 2nd
Season", "Title OVA") gives the season its name marks, read as the episode parser reads
one; a name with no season mark ("Title Part 2", "Title (2019) [BD]") gives none.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from aniload.names import _MAX_NAME, parse_clean_stem, without_checksum


class SeriesFolderName(NamedTuple):
    title: str
    year: int | None
    tmdb_id: int | None


_TMDB_TAG = re.compile(r"[\[{(]\s*tmdb(?:id)?\s*[-=:]\s*(\d{1,9})\s*[\]})]", re.I)
_OTHER_ID_TAG = re.compile(
    r"[\[{(]\s*(?:tvdb|imdb|anidb|anilist|mal)(?:id)?\s*[-=:][^\[\]{}()]{0,40}[\]})]", re.I
)
_PAREN_YEAR = re.compile(r"[(\[]\s*((?:19|20)\d\d)\s*[)\]]$")
# A bare trailing year counts only when plausible, so "Blade Runner 2049" keeps its title.
_BARE_YEAR = re.compile(r"(?<=[^\W\d_])[\s.]+((?:19[5-9]|20[0-3])\d)$")


def parse_series_folder(name: str) -> SeriesFolderName:
    """Title, year and pinned TMDB id from "Title (2013) [tmdbid-1429]"; never raises."""
    raw = name[:_MAX_NAME].strip().rstrip(". ")
    s = raw
    tmdb_id = None
    # Every run parses every folder name first: the tag patterns run only when a plain
    # substring test says they can match (non-ASCII names always, for re.I's odd cases).
    low = s.lower() if s.isascii() else None
    m = _TMDB_TAG.search(s) if low is None or "tmdb" in low else None
    if m is not None:
        tmdb_id = int(m.group(1)) or None
        s = s[: m.start()] + " " + s[m.end() :]
    if low is None or "db" in low or "anilist" in low or "mal" in low:
        s = _OTHER_ID_TAG.sub(" ", s)
    s = s.strip()
    if " " not in s:  # "Attack_on_Titan", "Attack.on.Titan.2013"
        s = s.replace("_", " ")
        if s.count(".") >= 2:
            s = s.replace(".", " ")
    tags = 0
    while s.endswith("]") and tags < 8:  # trailing tags such as "[BD 1080p]", but not a "[2013]" year
        i = s.rfind("[")
        if i <= 0 or _PAREN_YEAR.match(s, i):
            break
        s = s[:i].rstrip()
        tags += 1
    year = None
    # A bracketed year holds nothing but spaces and digits, so it can only open at the last
    # bracket; a bare year needs a digit at the end. Every run parses every folder name.
    m = _PAREN_YEAR.match(s, max(s.rfind("("), s.rfind("["), 0))
    if m is None and s[-1:].isdigit():
        m = _BARE_YEAR.search(s)
    if m is not None and m.start() > 0:
        year, s = int(m.group(1)), s[: m.start()]
    if s.startswith("["):  # a release group's folder: "[Group] Title"
        i = s.find("]")
        if i > 0 and s[i + 1 :].strip():
            s = s[i + 1 :]
    title = " ".join(s.split()).strip(" -_") or raw or name  # whitespace runs as one space
    return _new_folder_name(SeriesFolderName, (title, year, tmdb_id))


_new_folder_name = tuple.__new__  # SeriesFolderName(...) without its Python-level __new__


_WORD_NUMBERS = dict(zip("one two three four five six seven eight nine ten".split(), range(1, 11)))
_SEASON_FOLDER = re.compile(
    r"""^(?:
          (?:season|staffel|saison|temporada|stagione|series|sæson|säsong|seizoen|kausi|sezon|s)
            [\s._-]?(?P<n>\d{1,4})
        | (?:season|staffel)\s(?P<w>one|two|three|four|five|six|seven|eight|nine|ten)
        | (?P<o>\d{1,2})(?:st|nd|rd|th)\sseason
        | 第(?P<j>\d{1,2})(?:期|シーズン) | シーズン\s?(?P<k>\d{1,2})
        | (?P<sp>specials?|sps?|ovas?|oads?)
    )(?:[\s._\-:(\[].*)?$""",
    re.I | re.X | re.S,
)


def parse_season_folder(name: str) -> int | None:
    """Season number a folder stands for; 0 for specials; None for anything else."""
    name = name[:_MAX_NAME].strip()
    m = _SEASON_FOLDER.match(name)
    if m is None:
        if name.isdecimal() and len(name) <= 2 and name.isascii():
            return int(name)  # "Show/2/..."; "2013" stays a year
        said = parse_clean_stem(without_checksum(name))  # "[Group] Title S2 [1080p]"
        return said.season if said.season is not None else (0 if said.special else None)
    g = m.lastgroup
    if g == "sp":
        return 0
    if g == "w":
        return _WORD_NUMBERS.get(m.group("w").casefold())  # re.I also matches "ſix"
    return int(m.group(g))
