"""Kodi-format ``tvshow.nfo`` from a TMDB ``/tv/{id}`` details document (pure, stdlib only).

Conventions, with the source each follows:

* Tag order is Kodi's own (``CVideoInfoTag::Save``; Kodi wiki "NFO files/TV shows").
* ``<studio>``: the series' ``networks``, as Kodi's TMDB TV scraper
  (metadata.tvshows.themoviedb.org.python, ``add_main_show_info``) and Jellyfin's TMDB
  provider (``MapTvShowToSeries``: ``Studios = Networks``) both do. Only when TMDB lists
  no network do the production companies stand in.
* ``<mpaa>``: the rating for the country of ``language`` (de-DE -> DE), else US, else
  the first listed. A US rating is written plain ("TV-14"), any other prefixed with its
  country ("JP-R15+", "FR-12"), except Germany's, written "FSK-16". That is how
  Jellyfin's TMDB provider stores ratings (``TmdbUtils.BuildParentalRating``), and
  Jellyfin's ``GetRatingLevel`` resolves the plain, "CC-x" and "Rated x" forms. Kodi
  shows the text as is (its scraper's optional "Rated " prefix is cosmetic), and a bare
  "16" or "G" would not say which country's scale it is on.
* ``<episodeguide>``: ``json.dumps`` of {"tmdb", "imdb", "tvdb"} ids, as Kodi's TMDB TV
  scraper writes it (``vtag.setEpisodeGuide(json.dumps(epguide_ids))``).
* ``<actor>``: from ``aggregate_credits`` (else ``credits``), in TMDB's ``order``; the role
  is the character with the most episodes (ties: TMDB's first), thumb the original-size
  profile image (Kodi's scraper uses ``IMAGEROOTURL`` = ``original`` for cast).
* ``<status>``: TMDB's text ("Returning Series", "Ended", "Canceled", ...), as Kodi's
  scraper writes it; Jellyfin's ``TvParserHelpers.TryParseSeriesStatus`` maps those.
* Image previews: w500 for posters and logos (w780 is no logo size), w780 for fanart.
  ``.svg`` logos are referenced as ``.png`` (TMDB serves that rendering; Kodi cannot
  show SVG, its scraper skips them).
* Season names come from ``details["seasons"]`` as TMDB returned them for ``language``:
  TMDB's show translations carry no season names, so there is nothing to fall back on.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF),
# plus C1 controls except NEL: allowed but "discouraged", and never meant in a plot.
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\u007e\u0085\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEWLINES = re.compile("\r\n?")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DIGITS = re.compile(r"^\d+$")
_IMDB = re.compile(r"^tt\d+$")
# A TMDB image path: "/" + a plain file name. Anything else (a full URL, "//host/x.jpg",
# "/../x.jpg", a query) would make a media server fetch from somewhere but the image host.
_IMAGE_PATH = re.compile(r"/[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.(?:jpe?g|png|svg|gif|webp)", re.ASCII | re.IGNORECASE)


def clean_text(value: object) -> str:
    """``value`` as text fit for XML: illegal characters dropped, newlines as LF, stripped.

    Anything but a ``str`` becomes "" (the caller then skips the tag).
    """
    if not isinstance(value, str):
        return ""
    return _NEWLINES.sub("\n", _ILLEGAL_XML.sub("", value)).strip()


def _dict(v: object) -> dict:
    return v if isinstance(v, dict) else {}


def _list(v: object) -> list:
    return v if isinstance(v, list) else []


def _num(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            return None
    if isinstance(v, (int, float)) and math.isfinite(v):
        return float(v)
    return None


def _int(v: object) -> int | None:
    n = _num(v)
    return int(n) if n is not None and n == int(n) else None


def _id(v: object, pattern: re.Pattern[str] = _DIGITS) -> str:
    if isinstance(v, bool):
        return ""
    if isinstance(v, int):
        return str(v) if v > 0 else ""
    s = clean_text(v)
    return s if pattern.match(s) and s.strip("0t") else ""


def _date(v: object) -> str:
    """A valid YYYY-MM-DD date, or ""."""
    text = clean_text(v)
    if m := _DATE.match(text):
        try:
            datetime.date(int(m[1]), int(m[2]), int(m[3]))
            return text
        except ValueError:
            pass
    return ""


def _names(items: object) -> list[str]:
    """The distinct non-empty ``name``s of a list of dicts, in order."""
    out: list[str] = []
    for item in _list(items):
        name = clean_text(_dict(item).get("name"))
        if name and name not in out:
            out.append(name)
    return out


# --- language --------------------------------------------------------------------------


def _split_lang(tag: object) -> tuple[str, str]:
    lang, _, country = clean_text(tag).replace("_", "-").partition("-")
    return lang.lower(), country.upper()


def _translations(details: dict) -> list[tuple[str, str, dict]] | None:
    """(language, country, data) of each translation; None if none were appended."""
    block = details.get("translations")
    if not isinstance(block, dict) or not isinstance(block.get("translations"), list):
        return None
    out = []
    for t in block["translations"]:
        t = _dict(t)
        lang, country = clean_text(t.get("iso_639_1")).lower(), clean_text(t.get("iso_3166_1")).upper()
        if lang:
            out.append((lang, country, _dict(t.get("data"))))
    return out


def _pick_text(details: dict, field: str, langs: list[str], trs: list | None) -> str:
    """``field`` in the first of ``langs`` that has it, field by field; else the original."""
    keys = ("name", "title") if field == "name" else (field,)
    original_lang = clean_text(details.get("original_language")).lower()

    def from_translations(lang: str, country: str) -> str:
        exact = [d for (l, c, d) in trs or () if l == lang and c == country]
        loose = [d for (l, c, d) in trs or () if l == lang and c != country]
        for data in exact + loose:
            for key in keys:
                if text := clean_text(data.get(key)):
                    return text
        return ""

    for i, tag in enumerate(langs):
        lang, country = _split_lang(tag)
        if not lang:
            continue
        if text := from_translations(lang, country):
            return text
        # The top-level field is in `language` only when TMDB had a translation for it:
        # trust it without translations to check, or when `language` is the original one.
        if i == 0 and (trs is None or lang == original_lang):
            if text := clean_text(details.get(field)):
                return text
    if field == "name":
        return clean_text(details.get("original_name")) or clean_text(details.get("name"))
    if original_lang and (text := from_translations(original_lang, "")):
        return text
    return clean_text(details.get(field))


def _mpaa(details: dict, language: str) -> str:
    ratings: list[tuple[str, str]] = []
    for r in _list(_dict(details.get("content_ratings")).get("results")):
        r = _dict(r)
        country, rating = clean_text(r.get("iso_3166_1")).upper(), clean_text(r.get("rating"))
        if rating:
            ratings.append((country, rating))
    if not ratings:
        return ""
    _, own = _split_lang(language)
    chosen = next((x for x in ratings if own and x[0] == own), None)
    chosen = chosen or next((x for x in ratings if x[0] == "US"), None) or ratings[0]
    country, rating = chosen
    if country in ("US", "") or rating.upper().startswith(country + "-"):
        return rating
    if country == "DE":
        return rating if rating.upper().startswith("FSK") else f"FSK-{rating}"
    return f"{country}-{rating}"


# --- images ----------------------------------------------------------------------------


def _image_path(v: object) -> str:
    """A plain TMDB file path ("/abc.jpg"; "abc.jpg" gets its slash), or "" for anything else."""
    path = clean_text(v)
    if path and not path.startswith("/"):
        path = "/" + path
    return path if _IMAGE_PATH.fullmatch(path) else ""


def _image_url(base: str, size: str, path: str) -> str:
    return f"{base}/{size}{path}"


def _best_logo(details: dict, langs: list[str]) -> str:
    logos = [_dict(x) for x in _list(_dict(details.get("images")).get("logos"))]
    logos = [x for x in logos if _image_path(x.get("file_path"))]
    for tag in langs:
        lang = _split_lang(tag)[0]
        for logo in logos:
            if clean_text(logo.get("iso_639_1")).lower() == lang:
                return _image_path(logo["file_path"])
    return _image_path(logos[0]["file_path"]) if logos else ""


# --- rendering -------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: object = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = str(text)
    return el


def _actors(details: dict, image_base: str) -> list[tuple[str, str, int, str]]:
    aggregate = _list(_dict(details.get("aggregate_credits")).get("cast"))
    cast = aggregate or _list(_dict(details.get("credits")).get("cast"))
    rows = []
    for index, member in enumerate(cast):
        member = _dict(member)
        name = clean_text(member.get("name"))
        if not name:
            continue
        role, best = "", -1
        for r in _list(member.get("roles")) if aggregate else [member]:
            r = _dict(r)
            character = clean_text(r.get("character"))
            episodes = _int(r.get("episode_count")) or 0
            if character and episodes > best:
                role, best = character, episodes
        order = _int(member.get("order"))
        profile = _image_path(member.get("profile_path"))
        thumb = _image_url(image_base, "original", profile) if profile else ""
        rows.append((order if order is not None and order >= 0 else 10**6 + index, index, name, role, thumb))
    rows.sort()
    seen: set[tuple[str, str]] = set()
    out = []
    for order, _, name, role, thumb in rows:
        if (name, role) not in seen:
            seen.add((name, role))
            out.append((name, role, order if order < 10**6 else len(out), thumb))
    return out


def render_tvshow_nfo(
    details: dict,
    *,
    language: str = "en-US",
    fallback_languages: Sequence[str] = ("en-US",),
    image_base: str = "https://image.tmdb.org/t/p",
    artwork: Mapping[str, str] | None = None,
    date_added: str | None = None,
) -> bytes:
    """The tvshow.nfo for a TMDB details document, as UTF-8 bytes.

    Never raises on a malformed document: whatever cannot be used is left out.
    """
    details = _dict(details)
    artwork = artwork if isinstance(artwork, Mapping) else {}
    base = clean_text(image_base).rstrip("/") or "https://image.tmdb.org/t/p"
    langs = []
    if isinstance(fallback_languages, str):
        fallback_languages = [fallback_languages]
    elif not isinstance(fallback_languages, Sequence):
        fallback_languages = []
    for tag in [language, *fallback_languages]:
        if isinstance(tag, str) and tag and tag not in langs:
            langs.append(tag)
    trs = _translations(details)
    root = ET.Element("tvshow")

    title = _pick_text(details, "name", langs, trs)
    if title:
        _sub(root, "title", title)
    if original := clean_text(details.get("original_name")):
        _sub(root, "originaltitle", original)
    if title:
        _sub(root, "showtitle", title)

    vote = _num(details.get("vote_average"))
    if vote is not None and 0 < vote <= 10:
        ratings = _sub(root, "ratings")
        rating = _sub(ratings, "rating", name="themoviedb", max="10", default="true")
        _sub(rating, "value", f"{vote:.1f}")
        votes = _int(details.get("vote_count"))
        if votes is not None and votes >= 0:
            _sub(rating, "votes", votes)

    if plot := _pick_text(details, "overview", langs, trs):
        _sub(root, "plot", plot)
    if tagline := _pick_text(details, "tagline", langs, trs):
        _sub(root, "tagline", tagline)

    runtime = next((_int(x) for x in _list(details.get("episode_run_time")) if (_int(x) or 0) > 0), None)
    runtime = runtime or _int(_dict(details.get("last_episode_to_air")).get("runtime"))
    if runtime and runtime > 0:
        _sub(root, "runtime", runtime)

    poster = _image_path(artwork.get("poster")) or _image_path(details.get("poster_path"))
    if poster:
        _sub(root, "thumb", _image_url(base, "original", poster), aspect="poster",
             preview=_image_url(base, "w500", poster))
    logo = _image_path(artwork.get("clearlogo")) or _best_logo(details, langs)
    if logo:
        if logo.lower().endswith(".svg"):
            logo = logo[:-4] + ".png"
        _sub(root, "thumb", _image_url(base, "original", logo), aspect="clearlogo",
             preview=_image_url(base, "w500", logo))
    seasons = [_dict(s) for s in _list(details.get("seasons"))]
    for season in seasons:
        number, path = _int(season.get("season_number")), _image_path(season.get("poster_path"))
        if number is not None and number >= 0 and path:
            _sub(root, "thumb", _image_url(base, "original", path), aspect="poster", type="season",
                 season=str(number), preview=_image_url(base, "w500", path))
    fanart = _image_path(artwork.get("fanart")) or _image_path(details.get("backdrop_path"))
    if fanart:
        _sub(_sub(root, "fanart"), "thumb", _image_url(base, "original", fanart),
             preview=_image_url(base, "w780", fanart))

    if mpaa := _mpaa(details, language if isinstance(language, str) else ""):
        _sub(root, "mpaa", mpaa)

    external = _dict(details.get("external_ids"))
    ids = {"tmdb": _id(details.get("id")), "imdb": _id(external.get("imdb_id"), _IMDB),
           "tvdb": _id(external.get("tvdb_id"))}
    ids = {k: v for k, v in ids.items() if v}
    if ids:
        _sub(root, "episodeguide", json.dumps(ids))
    for i, (kind, value) in enumerate(ids.items()):
        attrs = {"type": kind, "default": "true"} if i == 0 else {"type": kind}
        _sub(root, "uniqueid", value, **attrs)

    for genre in _names(details.get("genres")):
        _sub(root, "genre", genre)
    countries = []
    for c in _list(details.get("origin_country")):
        if (c := clean_text(c)) and c not in countries:
            countries.append(c)
            _sub(root, "country", c)
    keywords = _dict(details.get("keywords"))
    for tag in _names(keywords.get("results") or keywords.get("keywords")):
        _sub(root, "tag", tag)

    if premiered := _date(details.get("first_air_date")):
        _sub(root, "premiered", premiered)
        _sub(root, "year", premiered[:4])
    if status := clean_text(details.get("status")):
        _sub(root, "status", status)
    for studio in _names(details.get("networks")) or _names(details.get("production_companies")):
        _sub(root, "studio", studio)

    for name, role, order, thumb in _actors(details, base):
        actor = _sub(root, "actor")
        _sub(actor, "name", name)
        if role:
            _sub(actor, "role", role)
        _sub(actor, "order", order)
        if thumb:
            _sub(actor, "thumb", thumb)

    named: set[int] = set()
    for season in seasons:
        number, name = _int(season.get("season_number")), clean_text(season.get("name"))
        if number is not None and number >= 0 and name and number not in named:
            named.add(number)
            _sub(root, "namedseason", name, number=str(number))

    if added := clean_text(date_added):
        _sub(root, "dateadded", added)

    ET.indent(root, space="  ")
    return (XML_DECLARATION + "\n" + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")
