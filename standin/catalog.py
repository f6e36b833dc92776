"""The stand-in's data: real anime with real-looking TMDB metadata, plus a generator of
made-up series for benchmarks.

A series is kept in one language-neutral record (see ``_build``); the server renders it
into TMDB v3 documents per request language. Repetitive parts (image lists, seasons,
episode names, ids of people and credits) are generated deterministically by helpers,
so the same catalogue always yields the same file paths and bytes.

Record layout (all keys always present)::

    id, original_name, original_language, origin_country, first_air_date,
    last_air_date, status, type, in_production, genre_ids, networks,
    production_companies, episode_run_time, popularity, vote_average, vote_count,
    homepage, created_by,
    translations:        [{iso_639_1, iso_3166_1, name, overview, tagline, homepage}]
    alternative_titles:  [{iso_3166_1, title, type}]
    seasons:             [{id, season_number, episode_count, air_date, name|None,
                           poster_path, overview}]
    content_ratings:     [{iso_3166_1, rating, descriptors}]
    external_ids:        {imdb_id, tvdb_id, tvrage_id, wikidata_id, ...}
    cast:                [{id, name, original_name, gender, character, episode_count,
                           profile_path, popularity}]
    keywords:            [{id, name}]
    images:              {posters, backdrops, logos: [{file_path, iso_639_1, width,
                           height, aspect_ratio, vote_average, vote_count}]}
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import random
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Catalog", "ImageInfo", "GENRES", "LANGUAGE_NAMES", "normalise_title"]

# --------------------------------------------------------------------------- tables

GENRES: dict[int, dict[str, str]] = {
    16: {"en": "Animation", "de": "Animation", "ja": "アニメーション"},
    10759: {"en": "Action & Adventure", "de": "Action & Adventure", "ja": "アクション＆アドベンチャー"},
    10765: {"en": "Sci-Fi & Fantasy", "de": "Sci-Fi & Fantasy", "ja": "SF＆ファンタジー"},
    18: {"en": "Drama", "de": "Drama", "ja": "ドラマ"},
    35: {"en": "Comedy", "de": "Komödie", "ja": "コメディ"},
    9648: {"en": "Mystery", "de": "Mystery", "ja": "謎"},
    80: {"en": "Crime", "de": "Krimi", "ja": "犯罪"},
    10751: {"en": "Family", "de": "Familie", "ja": "ファミリー"},
    10762: {"en": "Kids", "de": "Kinder", "ja": "キッズ"},
}

# iso_639_1 -> (native name, English name)
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "de": ("Deutsch", "German"),
    "ja": ("日本語", "Japanese"),
    "fr": ("Français", "French"),
    "es": ("Español", "Spanish"),
    "it": ("Italiano", "Italian"),
    "pt": ("Português", "Portuguese"),
}

_SEASON_WORD = {"en": "Season {n}", "de": "Staffel {n}", "ja": "シーズン{n}", "fr": "Saison {n}",
                "es": "Temporada {n}", "it": "Stagione {n}", "pt": "Temporada {n}"}
_SPECIALS_WORD = {"en": "Specials", "de": "Specials", "ja": "特別編", "fr": "Épisodes spéciaux",
                  "es": "Especiales", "it": "Speciali", "pt": "Especiais"}
_EPISODE_WORD = {"en": "Episode {n}", "de": "Folge {n}", "ja": "第{n}話", "fr": "Épisode {n}",
                 "es": "Episodio {n}", "it": "Episodio {n}", "pt": "Episódio {n}"}

NETWORKS = {
    "MBS": (94, "JP"), "NHK": (2, "JP"), "NHK General": (1151, "JP"), "Tokyo MX": (614, "JP"),
    "Fuji TV": (1, "JP"), "Nippon TV": (57, "JP"), "TV Tokyo": (98, "JP"), "TBS": (160, "JP"),
    "WOWOW": (1305, "JP"), "AT-X": (173, "JP"), "TV Asahi": (103, "JP"), "Yomiuri TV": (396, "JP"),
    "Kids Station": (1032, "JP"), "TV Aichi": (1066, "JP"), "Crunchyroll": (1112, "US"),
}
COMPANIES = {
    "Wit Studio": (31058, "JP"), "MAPPA": (21444, "JP"), "Madhouse": (3464, "JP"),
    "Sunrise": (3363, "JP"), "Bones": (2849, "JP"), "Toei Animation": (5542, "JP"),
    "ufotable": (5887, "JP"), "CloverWorks": (123323, "JP"), "TMS Entertainment": (3770, "JP"),
    "Kinema Citrus": (34197, "JP"), "J.C.Staff": (5041, "JP"), "Artland": (12405, "JP"),
    "Doga Kobo": (30493, "JP"), "White Fox": (12446, "JP"), "Lerche": (55133, "JP"),
    "Studio Deen": (5888, "JP"), "Nippon Animation": (5524, "JP"), "Aniplex": (2883, "JP"),
    "Kodansha": (4780, "JP"), "Shueisha": (7290, "JP"), "Production I.G": (529, "JP"),
    "Synthetic Studio": (990001, "JP"), "Placeholder Pictures": (990002, "JP"),
}
KEYWORDS = {
    "anime": 210024, "based on manga": 13141, "shounen": 207826, "seinen": 195668,
    "dark fantasy": 177895, "time travel": 4379, "post-apocalyptic future": 4458,
    "bounty hunter": 6089, "alchemy": 15300, "pirate": 12988, "vikings (norse)": 3271,
    "demon": 15001, "detective": 703, "psychic power": 2014, "rock band": 14789,
    "idol": 253367, "school": 6270, "spy": 470, "serial killer": 10714, "monster girl": 289845,
    "romantic comedy": 9799, "based on light novel": 208343, "based on video game": 41645,
}

POSTER_SIZES = ["w92", "w154", "w185", "w342", "w500", "w780", "original"]
BACKDROP_SIZES = ["w300", "w780", "w1280", "original"]
LOGO_SIZES = ["w45", "w92", "w154", "w185", "w300", "w500", "original"]
PROFILE_SIZES = ["w45", "w185", "h632", "original"]
STILL_SIZES = ["w92", "w185", "w300", "original"]
ALL_SIZES = frozenset(POSTER_SIZES + BACKDROP_SIZES + LOGO_SIZES + PROFILE_SIZES + STILL_SIZES)

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).digest()[:12], "big")


def tmdb_path(*parts: object, ext: str = ".jpg") -> str:
    """A TMDB-looking file path ("/" + 27 base62 characters + extension), stable for parts."""
    n = _h(*parts)
    chars = []
    for _ in range(27):
        n, r = divmod(n, 62)
        chars.append(_B62[r])
        if n == 0:
            n = _h(*parts, len(chars))
    return "/" + "".join(chars) + ext


def _credit_id(*parts: object) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:24]


def _person_id(name: str) -> int:
    return 1_000_000 + _h("person", name) % 3_000_000


def normalise_title(text: str) -> str:
    """Case-, width- and punctuation-insensitive form used by the search."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        out.append(" " if cat[0] in "PSZC" else ch)
    return " ".join("".join(out).split())


def _date(s: str) -> _dt.date:
    return _dt.date.fromisoformat(s)


# ----------------------------------------------------------------------- image sets

@dataclass(frozen=True)
class ImageInfo:
    """What the CDN knows about one file path."""
    file_path: str
    kind: str            # poster | backdrop | logo | profile | still | network_logo | company_logo | season_poster
    width: int
    height: int
    series_id: int | None = None


_IMAGE_DIMS = {
    "poster": (2000, 3000), "backdrop": (3840, 2160), "logo": (1000, 370),
    "profile": (1000, 1500), "still": (1920, 1080), "network_logo": (400, 150),
    "company_logo": (500, 200), "season_poster": (1000, 1500),
}


def _img(series_id: int, kind: str, idx: int, lang: str | None, vote: float, count: int,
         ext: str = ".jpg", dims: tuple[int, int] | None = None) -> dict:
    w, h = dims or _IMAGE_DIMS[kind]
    return {
        "aspect_ratio": round(w / h, 3),
        "height": h,
        "iso_639_1": lang,
        "file_path": tmdb_path(series_id, kind, idx, ext=ext),
        "vote_average": vote,
        "vote_count": count,
        "width": w,
    }


def _image_set(sid: int, posters: Iterable[tuple], backdrops: Iterable[tuple], logos: Iterable[tuple]) -> dict:
    """posters/backdrops: (lang, vote_average, vote_count[, dims]); logos: (lang, vote, count, ext)."""
    out = {"posters": [], "backdrops": [], "logos": []}
    for i, p in enumerate(posters):
        out["posters"].append(_img(sid, "poster", i, p[0], p[1], p[2], dims=p[3] if len(p) > 3 else None))
    for i, b in enumerate(backdrops):
        out["backdrops"].append(_img(sid, "backdrop", i, b[0], b[1], b[2], dims=b[3] if len(b) > 3 else None))
    for i, lg in enumerate(logos):
        ext = lg[3] if len(lg) > 3 else ".png"
        dims = (600, 222) if ext == ".svg" else None
        out["logos"].append(_img(sid, "logo", i, lg[0], lg[1], lg[2], ext=ext, dims=dims))
    return out


DEFAULT_POSTERS = (("ja", 5.9, 22), ("en", 5.7, 14), (None, 5.3, 4), ("de", 5.2, 2))
DEFAULT_BACKDROPS = ((None, 5.6, 10), (None, 5.4, 6), ("en", 5.5, 3, (1920, 1080)), ("ja", 5.2, 1))
DEFAULT_LOGOS = (("en", 5.4, 4, ".svg"), ("ja", 5.6, 6, ".png"))


# ---------------------------------------------------------------------- the builder

def _seasons(sid: int, regular: list[tuple[int, str]], specials: tuple[int, str] | None,
             names: dict[int, str] | None = None) -> list[dict]:
    out = []
    items = ([(0, specials)] if specials else []) + [(i + 1, s) for i, s in enumerate(regular)]
    for number, (count, air) in items:
        out.append({
            "id": 100_000 + _h("season", sid, number) % 900_000,
            "season_number": number,
            "episode_count": count,
            "air_date": air,
            "name": (names or {}).get(number),          # custom English name, or None = generic
            "poster_path": None if _h("sp", sid, number) % 5 == 0 else tmdb_path(sid, "season", number),
            "overview": "",
        })
    return out


def _translation(lang: str, region: str, name: str = "", overview: str = "", tagline: str = "",
                 homepage: str = "") -> dict:
    return {"iso_639_1": lang, "iso_3166_1": region, "name": name, "overview": overview,
            "tagline": tagline, "homepage": homepage}


def _cast(sid: int, people: Iterable[tuple], episodes: int) -> list[dict]:
    out = []
    for order, person in enumerate(people):
        name, original, character = person[0], person[1], person[2]
        gender = person[3] if len(person) > 3 else 0
        pid = _person_id(name)
        out.append({
            "id": pid, "name": name, "original_name": original, "gender": gender,
            "character": character,
            "episode_count": max(1, episodes - order * (episodes // 7)),
            "profile_path": None if pid % 6 == 0 else tmdb_path("person", pid),
            "popularity": round(8 + (_h("pop", pid) % 400) / 10, 3),
            "credit_id": _credit_id("cast", sid, pid, character),
        })
    return out


def _build(spec: dict) -> dict:
    sid = spec["id"]
    seasons = _seasons(sid, spec["seasons"], spec.get("specials"), spec.get("season_names"))
    regular = [s for s in seasons if s["season_number"] > 0]
    total_eps = sum(s["episode_count"] for s in regular)

    # last air date: one episode a week from each season's start
    last = max(_date(s["air_date"]) + _dt.timedelta(days=7 * (s["episode_count"] - 1)) for s in regular)
    if spec.get("last_air_date"):
        last = _date(spec["last_air_date"])

    translations = [_translation("en", "US", spec["en"], spec.get("overview_en", ""),
                                 spec.get("tagline_en", ""), spec.get("homepage", ""))]
    translations.append(_translation("ja", "JP", spec["ja"], spec.get("overview_ja", "")))
    if "de" in spec:
        de = spec["de"]
        translations.append(_translation("de", "DE", de.get("name", ""), de.get("overview", ""),
                                         de.get("tagline", "")))
    for extra in spec.get("translations", ()):
        translations.append(_translation(*extra))

    images = spec.get("images") or _image_set(
        sid,
        spec.get("posters", DEFAULT_POSTERS),
        spec.get("backdrops", DEFAULT_BACKDROPS),
        spec.get("logos", DEFAULT_LOGOS),
    )
    ext = spec.get("external", {})
    return {
        "id": sid,
        "original_name": spec["ja"] if spec.get("original_language", "ja") == "ja" else spec["en"],
        "original_language": spec.get("original_language", "ja"),
        "origin_country": spec.get("origin_country", ["JP"]),
        "first_air_date": spec["first_air_date"],
        "last_air_date": last.isoformat(),
        "status": spec.get("status", "Ended"),
        "type": spec.get("type", "Scripted"),
        "in_production": spec.get("status", "Ended") == "Returning Series",
        "genre_ids": list(spec.get("genres", [16])),
        "networks": [{"id": NETWORKS[n][0], "name": n, "origin_country": NETWORKS[n][1],
                      "logo_path": tmdb_path("network", n, ext=".png")} for n in spec.get("networks", [])],
        "production_companies": [{"id": COMPANIES[c][0], "name": c, "origin_country": COMPANIES[c][1],
                                  "logo_path": None if COMPANIES[c][0] % 4 == 1 else tmdb_path("company", c, ext=".png")}
                                 for c in spec.get("companies", [])],
        "episode_run_time": list(spec.get("runtime", [24])),
        "popularity": spec.get("popularity", 50.0),
        "vote_average": spec.get("vote_average", 8.0),
        "vote_count": spec.get("vote_count", 1000),
        "homepage": spec.get("homepage", ""),
        "created_by": [{"id": _person_id(n), "credit_id": _credit_id("creator", sid, n), "name": n,
                        "original_name": n, "gender": 0, "profile_path": None} for n in spec.get("created_by", [])],
        "translations": translations,
        "alternative_titles": [{"iso_3166_1": a[0], "title": a[1], "type": a[2] if len(a) > 2 else ""}
                               for a in spec.get("alt", [])],
        "seasons": seasons,
        "content_ratings": [{"descriptors": [], "iso_3166_1": c, "rating": r}
                            for c, r in spec.get("ratings", {"US": "TV-14", "DE": "12"}).items()],
        "external_ids": {
            "imdb_id": ext.get("imdb"),
            "freebase_mid": None,
            "freebase_id": None,
            "tvdb_id": ext.get("tvdb"),
            "tvrage_id": ext.get("tvrage"),
            "wikidata_id": ext.get("wikidata"),
            "facebook_id": None,
            "instagram_id": None,
            "twitter_id": ext.get("twitter"),
        },
        "cast": _cast(sid, spec.get("cast", []), total_eps),
        "keywords": [{"id": KEYWORDS[k], "name": k} for k in spec.get("keywords", ["anime", "based on manga"])],
        "images": images,
    }


# ------------------------------------------------------------------- the real shows
# Overviews are short paraphrases written for the stand-in. Ids are TMDB's where known;
# a few marked "approx." are plausible but unverified, which is fine for a stand-in.

def _weekly(start: str, counts: list[int], gap_days: int = 365) -> list[tuple[int, str]]:
    """Seasons that start ``gap_days`` apart (for long-running shows)."""
    d = _date(start)
    out = []
    for c in counts:
        out.append((c, d.isoformat()))
        d = d + _dt.timedelta(days=gap_days)
    return out


_SPECS: list[dict] = [
    {
        "id": 1429, "en": "Attack on Titan", "ja": "進撃の巨人", "first_air_date": "2013-04-07",
        "last_air_date": "2023-11-05",
        "overview_en": "Humanity lives behind enormous walls, hiding from the man-eating Titans, "
                       "until a colossal Titan breaches the wall and young Eren swears revenge.",
        "tagline_en": "On that day, humanity received a grim reminder.",
        "overview_ja": "巨人がすべてを支配する世界。人類は巨大な壁の内側で暮らしていた。",
        "de": {"name": "Attack on Titan",
               "overview": "Die Menschheit lebt hinter gewaltigen Mauern, geschützt vor den Titanen – "
                           "bis ein riesiger Titan die Mauer durchbricht."},
        "translations": [("fr", "FR", "L'Attaque des Titans", "L'humanité vit retranchée derrière des murs.")],
        "alt": [("JP", "Shingeki no Kyojin", "romaji"), ("US", "AoT"), ("DE", "Angriff der Titanen"),
                ("FR", "L'Attaque des Titans")],
        "seasons": [(25, "2013-04-07"), (12, "2017-04-01"), (22, "2018-07-23"), (30, "2020-12-07")],
        "season_names": {4: "The Final Season"},
        "specials": (9, "2013-12-09"),
        "genres": [16, 10765, 10759, 18], "networks": ["MBS", "NHK General"],
        "companies": ["Wit Studio", "MAPPA", "Production I.G"], "runtime": [24],
        "popularity": 182.4, "vote_average": 8.7, "vote_count": 6843, "status": "Ended",
        "homepage": "https://shingeki.tv/",
        "created_by": ["Hajime Isayama"],
        "ratings": {"US": "TV-MA", "DE": "16", "JP": "PG12", "FR": "16"},
        "external": {"imdb": "tt2560140", "tvdb": 267440, "wikidata": "Q16148327"},
        "cast": [("Yuki Kaji", "梶裕貴", "Eren Yeager", 2), ("Yui Ishikawa", "石川由依", "Mikasa Ackerman", 1),
                 ("Marina Inoue", "井上麻里奈", "Armin Arlert", 1), ("Hiroshi Kamiya", "神谷浩史", "Levi", 2)],
        "keywords": ["anime", "based on manga", "post-apocalyptic future", "dark fantasy", "shounen"],
    },
    {
        "id": 209867, "en": "Frieren: Beyond Journey's End", "ja": "葬送のフリーレン",
        "first_air_date": "2023-09-29",
        "overview_en": "After the party of heroes defeats the Demon King, the elf mage Frieren outlives "
                       "her companions and sets out to understand the people she left behind.",
        "de": {"name": "Frieren – Nach dem Ende der Reise",
               "overview": "Nach dem Sieg über den Dämonenkönig zieht die Elfenmagierin Frieren erneut los, "
                           "um die Menschen zu verstehen, die sie begleitet haben."},
        "alt": [("JP", "Sousou no Frieren", "romaji"), ("JP", "Sōsō no Furīren", "romaji"),
                ("US", "Frieren")],
        "seasons": [(28, "2023-09-29")],
        "genres": [16, 10765, 10759, 18], "networks": ["Nippon TV"], "companies": ["Madhouse"],
        "popularity": 205.7, "vote_average": 8.9, "vote_count": 742, "status": "Returning Series",
        "ratings": {"US": "TV-14", "DE": "12", "JP": "G"},
        "external": {"imdb": "tt22248376", "tvdb": 424536},
        "cast": [("Atsumi Tanezaki", "種﨑敦美", "Frieren", 1), ("Kana Ichinose", "市ノ瀬加那", "Fern", 1),
                 ("Chiaki Kobayashi", "小林千晃", "Stark", 2), ("Nobuhiko Okamoto", "岡本信彦", "Himmel", 2)],
        "posters": (("ja", 6.1, 18), ("en", 5.9, 12), ("de", 5.5, 3), (None, 5.2, 2)),
        "logos": (("en", 5.7, 6, ".svg"), ("ja", 5.5, 4, ".svg"), ("de", 5.3, 1, ".png")),
    },
    {
        "id": 30991, "en": "Cowboy Bebop", "ja": "カウボーイビバップ", "first_air_date": "1998-04-03",
        "overview_en": "In 2071, a ragtag crew of bounty hunters drifts through the solar system "
                       "aboard the spaceship Bebop, chasing rewards and their own pasts.",
        "tagline_en": "See you space cowboy...",
        "de": {"name": "Cowboy Bebop",
               "overview": "Im Jahr 2071 jagt die Crew des Raumschiffs Bebop Kopfgeldern hinterher."},
        "alt": [("JP", "Kaubōi Bibappu", "romaji")],
        "seasons": [(26, "1998-04-03")],
        "genres": [16, 10759, 10765, 18], "networks": ["TV Tokyo", "WOWOW"], "companies": ["Sunrise"],
        "runtime": [25], "popularity": 61.3, "vote_average": 8.5, "vote_count": 2140,
        "ratings": {"US": "TV-14", "DE": "16", "GB": "15"},
        "external": {"imdb": "tt0213338", "tvdb": 76885},
        "cast": [("Koichi Yamadera", "山寺宏一", "Spike Spiegel", 2), ("Unsho Ishizuka", "石塚運昇", "Jet Black", 2),
                 ("Megumi Hayashibara", "林原めぐみ", "Faye Valentine", 1)],
        "keywords": ["anime", "bounty hunter"],
        "logos": (("en", 5.6, 5, ".png"),),
    },
    {
        "id": 31911, "en": "Fullmetal Alchemist: Brotherhood", "ja": "鋼の錬金術師 FULLMETAL ALCHEMIST",
        "first_air_date": "2009-04-05",
        "overview_en": "Two brothers break alchemy's greatest taboo to bring back their mother and "
                       "pay dearly; now they search for the Philosopher's Stone to restore their bodies.",
        # German translation that carries ONLY an overview (name is empty)
        "de": {"name": "", "overview": "Zwei Brüder brechen das größte Tabu der Alchemie und suchen "
                                       "nun den Stein der Weisen, um ihre Körper zurückzuerlangen."},
        "alt": [("JP", "Hagane no Renkinjutsushi: Fullmetal Alchemist", "romaji"),
                ("US", "Fullmetal Alchemist Brotherhood"), ("DE", "Fullmetal Alchemist Brotherhood")],
        "seasons": [(64, "2009-04-05")], "specials": (4, "2009-08-26"),
        "genres": [16, 10759, 10765, 18], "networks": ["MBS", "TBS"], "companies": ["Bones", "Aniplex"],
        "popularity": 98.2, "vote_average": 8.7, "vote_count": 2011,
        "ratings": {"US": "TV-14", "DE": "12"},
        "external": {"imdb": "tt1355642", "tvdb": 85249},
        "cast": [("Romi Park", "朴璐美", "Edward Elric", 1), ("Rie Kugimiya", "釘宮理恵", "Alphonse Elric", 1)],
        "keywords": ["anime", "based on manga", "alchemy"],
    },
    {
        "id": 46298, "en": "Hunter x Hunter", "ja": "HUNTER×HUNTER", "first_air_date": "2011-10-02",
        "overview_en": "Gon Freecss leaves his island home to become a Hunter like the father he never met.",
        "de": {"name": "Hunter x Hunter",
               "overview": "Gon verlässt seine Insel, um wie sein Vater ein Hunter zu werden."},
        "alt": [("JP", "Hunter x Hunter (2011)"), ("US", "HxH")],
        "seasons": [(148, "2011-10-02")],
        "genres": [16, 10759, 10765], "networks": ["Nippon TV"], "companies": ["Madhouse", "Shueisha"],
        "popularity": 120.5, "vote_average": 8.8, "vote_count": 1582,
        "external": {"imdb": "tt2098220", "tvdb": 252322},
        "cast": [("Megumi Han", "潘めぐみ", "Gon Freecss", 1), ("Mariya Ise", "伊瀬茉莉也", "Killua Zoldyck", 1)],
        "keywords": ["anime", "based on manga", "shounen"],
    },
    {
        "id": 12850, "en": "Hunter x Hunter", "ja": "HUNTER×HUNTER", "first_air_date": "1999-10-16",
        "overview_en": "The first adaptation: young Gon takes the perilous Hunter Exam to find his father.",
        "alt": [("JP", "Hunter x Hunter (1999)")],
        "seasons": [(62, "1999-10-16")], "specials": (30, "2002-01-17"),
        "genres": [16, 10759, 10765], "networks": ["Fuji TV"], "companies": ["Nippon Animation"],
        "popularity": 31.9, "vote_average": 8.3, "vote_count": 312,
        "external": {"imdb": "tt0495212", "tvdb": 79076},
        "cast": [("Junko Takeuchi", "竹内順子", "Gon Freecss", 1), ("Kanako Mitsuhashi", "三橋加奈子", "Killua Zoldyck", 1)],
        "posters": (("ja", 5.5, 6), ("en", 5.3, 3), (None, 5.1, 1)),
        "logos": (("en", 5.2, 1, ".png"),),
    },
    {
        "id": 30980, "en": "Fruits Basket", "ja": "フルーツバスケット", "first_air_date": "2001-07-05",  # id approx.
        "overview_en": "Orphaned Tohru Honda moves in with the Sohma family, who turn into animals of "
                       "the Chinese zodiac when hugged by the opposite sex.",
        "alt": [("JP", "Furuba", "romaji")],
        "seasons": [(26, "2001-07-05")],
        "genres": [16, 35, 18], "networks": ["TV Tokyo"], "companies": ["Studio Deen"],
        "popularity": 22.4, "vote_average": 7.9, "vote_count": 288,
        "ratings": {"US": "TV-PG", "DE": "6"},
        "external": {"imdb": "tt0279077", "tvdb": 78867},
        "cast": [("Yui Horie", "堀江由衣", "Tohru Honda", 1), ("Aya Hisakawa", "久川綾", "Yuki Sohma", 1),
                 ("Tomokazu Seki", "関智一", "Kyo Sohma", 2)],
        "logos": (),
    },
    {
        "id": 86836, "en": "Fruits Basket", "ja": "フルーツバスケット", "first_air_date": "2019-04-06",  # id approx.
        "overview_en": "A faithful new adaptation of the whole manga: Tohru Honda and the cursed Sohma family.",
        "de": {"name": "Fruits Basket",
               "overview": "Neuverfilmung: Tohru Honda lebt bei der verfluchten Familie Sohma."},
        "alt": [("JP", "Furuba", "romaji"), ("US", "Fruits Basket (2019)")],
        "seasons": [(25, "2019-04-06"), (25, "2020-04-07"), (13, "2021-04-06")],
        "season_names": {3: "The Final"},
        "genres": [16, 35, 18, 10765], "networks": ["TV Tokyo", "TV Aichi"], "companies": ["TMS Entertainment"],
        "popularity": 48.1, "vote_average": 8.6, "vote_count": 505,
        "ratings": {"US": "TV-PG", "DE": "6"},
        "external": {"imdb": "tt9166696", "tvdb": 359558},
        "cast": [("Manaka Iwami", "岩見綾香", "Tohru Honda", 1), ("Nobunaga Shimazaki", "島﨑信長", "Yuki Sohma", 2),
                 ("Yuma Uchida", "内田雄馬", "Kyo Sohma", 2)],
    },
    {
        "id": 120089, "en": "SPY x FAMILY", "ja": "SPY×FAMILY", "first_air_date": "2022-04-09",
        "overview_en": "A spy who must build a fake family for a mission adopts a telepathic girl "
                       "and marries an assassin, none of them knowing the others' secrets.",
        "alt": [("US", "Spy x Family"), ("JP", "Supai Famirī", "romaji"), ("DE", "Spy Family")],
        "seasons": [(25, "2022-04-09"), (12, "2023-10-07")],
        "genres": [16, 35, 10759], "networks": ["TV Tokyo"], "companies": ["Wit Studio", "CloverWorks"],
        "popularity": 140.0, "vote_average": 8.5, "vote_count": 1450, "status": "Returning Series",
        "external": {"imdb": "tt13706018", "tvdb": 405920},
        "cast": [("Takuya Eguchi", "江口拓也", "Loid Forger", 2), ("Atsumi Tanezaki", "種﨑敦美", "Anya Forger", 1),
                 ("Saori Hayami", "早見沙織", "Yor Forger", 1)],
        "keywords": ["anime", "based on manga", "spy"],
    },
    {
        "id": 95479, "en": "JUJUTSU KAISEN", "ja": "呪術廻戦", "first_air_date": "2020-10-03",
        "overview_en": "A high-school student swallows a cursed finger and joins a secret school of "
                       "sorcerers who fight curses.",
        "de": {"name": "Jujutsu Kaisen",
               "overview": "Yuji Itadori verschluckt einen verfluchten Finger und tritt einer Schule für Jujuzisten bei."},
        "alt": [("US", "Jujutsu Kaisen"), ("US", "Sorcery Fight"), ("JP", "Jujutsu Kaisen", "romaji")],
        "seasons": [(24, "2020-10-03"), (23, "2023-07-06")],
        "genres": [16, 10759, 10765], "networks": ["MBS", "TBS"], "companies": ["MAPPA"],
        "popularity": 210.3, "vote_average": 8.6, "vote_count": 3120, "status": "Returning Series",
        "ratings": {"US": "TV-MA", "DE": "16"},
        "external": {"imdb": "tt12343534", "tvdb": 377543},
        "cast": [("Junya Enoki", "榎木淳弥", "Yuji Itadori", 2), ("Yuichi Nakamura", "中村悠一", "Satoru Gojo", 2)],
        "keywords": ["anime", "based on manga", "demon", "shounen"],
    },
    {
        "id": 85937, "en": "Demon Slayer: Kimetsu no Yaiba", "ja": "鬼滅の刃", "first_air_date": "2019-04-06",
        "overview_en": "After demons slaughter his family and turn his sister into one of them, "
                       "Tanjiro becomes a demon slayer to cure her.",
        "de": {"name": "Demon Slayer: Kimetsu no Yaiba",
               "overview": "Tanjiro wird Dämonenjäger, um seine in einen Dämon verwandelte Schwester zu retten."},
        "alt": [("JP", "Kimetsu no Yaiba", "romaji"), ("US", "Demon Slayer")],
        "seasons": [(26, "2019-04-06"), (18, "2021-10-10"), (11, "2023-04-09"), (8, "2024-05-12")],
        "season_names": {2: "Entertainment District Arc", 3: "Swordsmith Village Arc", 4: "Hashira Training Arc"},
        "specials": (7, "2021-10-10"),
        "genres": [16, 10759, 10765], "networks": ["Tokyo MX", "Fuji TV"], "companies": ["ufotable", "Aniplex", "Shueisha"],
        "popularity": 265.9, "vote_average": 8.7, "vote_count": 5630, "status": "Returning Series",
        "ratings": {"US": "TV-MA", "DE": "16", "JP": "PG12"},
        "external": {"imdb": "tt9335498", "tvdb": 348545},
        "cast": [("Natsuki Hanae", "花江夏樹", "Tanjiro Kamado", 2), ("Akari Kito", "鬼頭明里", "Nezuko Kamado", 1)],
        "keywords": ["anime", "based on manga", "demon", "shounen"],
    },
    {
        "id": 37854, "en": "One Piece", "ja": "ワンピース", "first_air_date": "1999-10-20",
        "overview_en": "Monkey D. Luffy, a boy with a rubber body, sets sail to find the legendary "
                       "treasure One Piece and become King of the Pirates.",
        "de": {"name": "One Piece",
               "overview": "Monkey D. Luffy will den legendären Schatz One Piece finden und König der Piraten werden."},
        "alt": [("JP", "ONE PIECE"), ("JP", "Wan Pīsu", "romaji")],
        "seasons": _weekly("1999-10-20", [61, 16, 14, 39, 13, 52, 33, 35, 73, 45, 26, 14, 101, 57,
                                          62, 49, 118, 33, 98, 14, 196, 36], gap_days=330),
        "specials": (32, "2000-12-20"),
        "genres": [16, 10759, 35], "networks": ["Fuji TV"], "companies": ["Toei Animation", "Shueisha"],
        "popularity": 290.2, "vote_average": 8.7, "vote_count": 4600, "status": "Returning Series",
        "external": {"imdb": "tt0388629", "tvdb": 81797},
        "cast": [("Mayumi Tanaka", "田中真弓", "Monkey D. Luffy", 1), ("Kazuya Nakai", "中井和哉", "Roronoa Zoro", 2)],
        "keywords": ["anime", "based on manga", "pirate", "shounen"],
    },
    {
        "id": 88803, "en": "Vinland Saga", "ja": "ヴィンランド・サガ", "first_air_date": "2019-07-08",
        "overview_en": "Young Thorfinn fights for the mercenary who killed his father, waiting for the "
                       "chance to avenge him in Viking-age Europe.",
        "de": {"name": "Vinland Saga",
               "overview": "Der junge Thorfinn kämpft für den Söldner, der seinen Vater getötet hat."},
        "alt": [("JP", "Vinrando Saga", "romaji")],
        "seasons": [(24, "2019-07-08"), (24, "2023-01-10")],
        "genres": [16, 10759, 18], "networks": ["NHK General", "Tokyo MX"], "companies": ["Wit Studio", "MAPPA", "Kodansha"],
        "popularity": 72.8, "vote_average": 8.5, "vote_count": 980,
        "ratings": {"US": "TV-MA", "DE": "16"},
        "external": {"imdb": "tt10233448", "tvdb": 359274},
        "cast": [("Yuto Uemura", "上村祐翔", "Thorfinn", 2), ("Naoya Uchida", "内田直哉", "Askeladd", 2)],
        "keywords": ["anime", "based on manga", "vikings (norse)", "seinen"],
        "backdrops": ((None, 5.8, 12), ("en", 5.6, 4, (1920, 1080))),
    },
    {
        "id": 114410, "en": "Chainsaw Man", "ja": "チェンソーマン", "first_air_date": "2022-10-12",
        "overview_en": "Denji, a debt-ridden devil hunter, merges with his chainsaw devil and is "
                       "recruited by a mysterious woman into a government squad.",
        "alt": [("JP", "Chensō Man", "romaji")],
        "seasons": [(12, "2022-10-12")],
        "genres": [16, 10759, 10765], "networks": ["TV Tokyo"], "companies": ["MAPPA", "Shueisha"],
        "popularity": 95.5, "vote_average": 8.4, "vote_count": 1320, "status": "Returning Series",
        "ratings": {"US": "TV-MA", "DE": "16"},
        "external": {"imdb": "tt13616990", "tvdb": 411214},
        "cast": [("Kikunosuke Toya", "戸谷菊之介", "Denji", 2), ("Tomori Kusunoki", "楠木ともり", "Makima", 1)],
        "keywords": ["anime", "based on manga", "demon", "shounen"],
        "logos": (("en", 5.5, 3, ".svg"),),
    },
    {
        "id": 67075, "en": "Mob Psycho 100", "ja": "モブサイコ100", "first_air_date": "2016-07-11",
        "overview_en": "Shigeo 'Mob' Kageyama, a middle-schooler with immense psychic power, tries to "
                       "live a normal life while working for a con-artist medium.",
        "de": {"name": "Mob Psycho 100",
               "overview": "Der Mittelschüler Mob besitzt gewaltige übersinnliche Kräfte."},
        "alt": [("JP", "Mobu Saiko Hyaku", "romaji")],
        "seasons": [(12, "2016-07-11"), (13, "2019-01-07"), (12, "2022-10-05")],
        "specials": (2, "2018-03-18"),
        "genres": [16, 10759, 35, 10765], "networks": ["Tokyo MX"], "companies": ["Bones"],
        "popularity": 58.3, "vote_average": 8.5, "vote_count": 1240,
        "external": {"imdb": "tt5897304", "tvdb": 316931},
        "cast": [("Setsuo Ito", "伊藤節生", "Shigeo Kageyama", 2), ("Takahiro Sakurai", "櫻井孝宏", "Arataka Reigen", 2)],
        "keywords": ["anime", "based on manga", "psychic power"],
    },
    {
        "id": 42509, "en": "Steins;Gate", "ja": "STEINS;GATE", "first_air_date": "2011-04-06",
        "overview_en": "A self-proclaimed mad scientist discovers that his microwave can send text "
                       "messages to the past, and changing the past has a price.",
        "de": {"name": "Steins;Gate",
               "overview": "Ein selbsternannter verrückter Wissenschaftler schickt Nachrichten in die Vergangenheit."},
        "alt": [("JP", "シュタインズ・ゲート"), ("US", "Steins Gate")],
        "seasons": [(24, "2011-04-06")], "specials": (2, "2011-09-14"),
        "genres": [16, 10765, 18, 9648], "networks": ["Tokyo MX"], "companies": ["White Fox"],
        "popularity": 44.0, "vote_average": 8.6, "vote_count": 1050,
        "external": {"imdb": "tt1910272", "tvdb": 244061},
        "cast": [("Mamoru Miyano", "宮野真守", "Rintaro Okabe", 2), ("Asami Imai", "今井麻美", "Kurisu Makise", 1)],
        "keywords": ["anime", "based on video game", "time travel"],
    },
    {
        "id": 72636, "en": "Made in Abyss", "ja": "メイドインアビス", "first_air_date": "2017-07-07",
        "overview_en": "Orphan Riko and the robot boy Reg descend into the Abyss, a vast chasm full "
                       "of wonders and horrors, to find Riko's mother.",
        "alt": [("JP", "Meido in Abisu", "romaji")],
        "seasons": [(13, "2017-07-07"), (12, "2022-07-06")],
        "season_names": {2: "The Golden City of the Scorching Sun"},
        "genres": [16, 10759, 10765, 18, 9648], "networks": ["AT-X", "Tokyo MX"], "companies": ["Kinema Citrus"],
        "popularity": 40.2, "vote_average": 8.5, "vote_count": 690,
        "ratings": {"US": "TV-MA", "DE": "16"},
        "external": {"imdb": "tt7222086", "tvdb": 326109},
        "cast": [("Miyu Tomita", "富田美憂", "Riko", 1), ("Mariya Ise", "伊瀬茉莉也", "Reg", 1)],
        "keywords": ["anime", "based on manga", "dark fantasy"],
    },
    {
        "id": 119100, "en": "BOCCHI THE ROCK!", "ja": "ぼっち・ざ・ろっく！", "first_air_date": "2022-10-09",
        "overview_en": "Painfully shy guitarist Hitori Gotoh finally joins a band and has to survive "
                       "live shows, part-time jobs and talking to people.",
        "alt": [("US", "Bocchi the Rock!"), ("JP", "Botchi za Rokku!", "romaji")],
        "seasons": [(12, "2022-10-09")],
        "genres": [16, 35], "networks": ["Tokyo MX"], "companies": ["CloverWorks", "Aniplex"],
        "popularity": 36.7, "vote_average": 8.8, "vote_count": 402, "status": "Returning Series",
        "ratings": {"US": "TV-14", "DE": "6"},
        "external": {"imdb": "tt21102640", "tvdb": 414937},
        "cast": [("Yoshino Aoyama", "青山吉能", "Hitori Gotoh", 1), ("Sayumi Suzushiro", "鈴代紗弓", "Nijika Ijichi", 1),
                 ("Saku Mizuno", "水野朔", "Ryo Yamada", 1), ("Ikumi Hasegawa", "長谷川育美", "Ikuyo Kita", 1)],
        "keywords": ["anime", "based on manga", "rock band"],
        "logos": (),  # NO logo at all
    },
    {
        "id": 203737, "en": "[Oshi No Ko]", "ja": "【推しの子】", "first_air_date": "2023-04-12",
        "overview_en": "A doctor is reborn as the child of the idol he adored and is drawn into the "
                       "dark side of the entertainment industry.",
        "de": {"name": "Oshi no Ko",
               "overview": "Ein Arzt wird als Kind seines Lieblingsidols wiedergeboren."},
        "alt": [("JP", "Oshi no Ko", "romaji"), ("US", "My Star")],
        "seasons": [(11, "2023-04-12"), (13, "2024-07-03")],
        "genres": [16, 18, 9648], "networks": ["Tokyo MX"], "companies": ["Doga Kobo"],
        "popularity": 66.2, "vote_average": 8.5, "vote_count": 370, "status": "Returning Series",
        "external": {"imdb": "tt21030032", "tvdb": 421069},
        "cast": [("Rie Takahashi", "高橋李依", "Ai Hoshino", 1), ("Takeo Otsuka", "大塚剛央", "Aqua Hoshino", 2)],
        "keywords": ["anime", "based on manga", "idol"],
    },
    {
        "id": 86031, "en": "Dr. STONE", "ja": "Dr.STONE", "first_air_date": "2019-07-05",
        "overview_en": "Thousands of years after humanity is petrified, genius Senku awakens and sets "
                       "out to rebuild civilisation from scratch with science.",
        "de": {"name": "Dr. Stone",
               "overview": "Nach Jahrtausenden der Versteinerung baut Senku die Zivilisation mit Wissenschaft neu auf."},
        "alt": [("US", "Dr. Stone"), ("JP", "Dokutā Sutōn", "romaji")],
        "seasons": [(24, "2019-07-05"), (11, "2021-01-14"), (22, "2023-04-06")],
        "season_names": {2: "Stone Wars", 3: "New World"},
        "specials": (1, "2022-07-10"),
        "genres": [16, 10759, 10765, 35], "networks": ["Tokyo MX"], "companies": ["TMS Entertainment", "Shueisha"],
        "popularity": 52.6, "vote_average": 8.4, "vote_count": 880, "status": "Returning Series",
        "external": {"imdb": "tt9679542", "tvdb": 357466},
        "cast": [("Yusuke Kobayashi", "小林裕介", "Senku Ishigami", 2), ("Makoto Furukawa", "古川慎", "Taiju Oki", 2)],
    },
    {
        "id": 42942, "en": "Toradora!", "ja": "とらドラ！", "first_air_date": "2008-10-02",  # id approx.
        "overview_en": "Scary-looking Ryuji and tiny, fierce Taiga agree to help each other win over "
                       "the people they have crushes on.",
        "alt": [("JP", "Toradora", "romaji")],
        "seasons": [(25, "2008-10-02")], "specials": (1, "2009-06-25"),
        "genres": [16, 35, 18], "networks": ["TV Tokyo"], "companies": ["J.C.Staff"],
        "popularity": 28.4, "vote_average": 8.2, "vote_count": 520,
        "ratings": {"US": "TV-14"},
        "external": {"imdb": "tt1302077", "tvdb": 83322},
        "cast": [("Rie Kugimiya", "釘宮理恵", "Taiga Aisaka", 1), ("Junji Majima", "間島淳司", "Ryuji Takasu", 2)],
        "keywords": ["anime", "based on light novel", "romantic comedy", "school"],
        "logos": (("ja", 5.3, 2, ".svg"),),  # Japanese logo only
    },
    {
        "id": 45845, "en": "Mushi-Shi", "ja": "蟲師", "first_air_date": "2005-10-23",  # id approx.
        "overview_en": "Ginko, a wandering Mushi master, travels rural Japan helping people troubled "
                       "by mushi, primitive life forms few can see.",
        "alt": [("US", "Mushishi"), ("JP", "Mushishi", "romaji")],
        "seasons": [(26, "2005-10-23"), (20, "2014-04-05")],
        "genres": [16, 18, 9648, 10765], "networks": ["Fuji TV"], "companies": ["Artland"],
        "popularity": 18.1, "vote_average": 8.5, "vote_count": 260,
        "ratings": {"US": "TV-14"},
        "external": {"imdb": "tt0807832", "tvdb": 80357},
        "cast": [("Yuto Nakano", "中野裕斗", "Ginko", 2)],
        "keywords": ["anime", "based on manga", "seinen"],
        # only Japanese and untagged posters, NO backdrops, NO logo
        "posters": (("ja", 5.6, 5), (None, 5.4, 3)),
        "backdrops": (),
        "logos": (),
    },
    {
        "id": 30981, "en": "Monster", "ja": "MONSTER", "first_air_date": "2004-04-07",  # id approx.
        "overview_en": "Dr. Kenzo Tenma saves a boy's life instead of the mayor's, and years later "
                       "learns that the boy has grown into a serial killer.",
        "de": {"name": "Monster",
               "overview": "Dr. Kenzo Tenma rettet einem Jungen das Leben – Jahre später ist er ein Serienmörder."},
        "alt": [("JP", "Monsutā", "romaji")],
        "seasons": [(74, "2004-04-07")],
        "genres": [16, 80, 18, 9648], "networks": ["Nippon TV"], "companies": ["Madhouse"],
        "popularity": 34.5, "vote_average": 8.7, "vote_count": 610,
        "ratings": {"US": "TV-MA", "DE": "16"},
        "external": {"imdb": "tt0434706", "tvdb": 81596},
        "cast": [("Hidenobu Kiuchi", "木内秀信", "Kenzo Tenma", 2), ("Nozomu Sasaki", "佐々木望", "Johan Liebert", 2)],
        "keywords": ["anime", "based on manga", "serial killer", "seinen"],
    },
    {
        # The decoy: more popular than "Monster" and contains its title.
        "id": 61663, "en": "Monster Musume: Everyday Life with Monster Girls",  # id approx.
        "ja": "モンスター娘のいる日常", "first_air_date": "2015-07-08",
        "overview_en": "Kimihito becomes host to a lamia, a harpy and more under an exchange programme "
                       "for 'extra-species' in Japan.",
        "alt": [("US", "Monster Musume"), ("JP", "Monster Musume no Iru Nichijō", "romaji"),
                ("DE", "Monster Musume")],
        "seasons": [(12, "2015-07-08")], "specials": (2, "2017-03-24"),
        "genres": [16, 35, 10765], "networks": ["AT-X", "Tokyo MX"], "companies": ["Lerche"],
        "popularity": 47.9, "vote_average": 7.1, "vote_count": 300,
        "ratings": {"US": "TV-MA", "DE": "16"},
        "external": {"imdb": "tt4766226", "tvdb": 295061},
        "cast": [("Junji Majima", "間島淳司", "Kimihito Kurusu", 2), ("Sora Amamiya", "雨宮天", "Miia", 1)],
        "keywords": ["anime", "based on manga", "monster girl"],
    },
    {
        "id": 30983, "en": "Case Closed", "ja": "名探偵コナン", "first_air_date": "1996-01-08",
        "overview_en": "Teen detective Shinichi Kudo is poisoned and shrinks into a child; as Conan "
                       "Edogawa he keeps solving cases while hunting the Black Organization.",
        "de": {"name": "Detektiv Conan",
               "overview": "Der Oberschüler Shinichi Kudo wird vergiftet und schrumpft zum Kind. "
                           "Als Conan Edogawa löst er weiter Fälle."},
        "alt": [("US", "Detective Conan"), ("JP", "Meitantei Konan", "romaji"), ("DE", "Detektiv Conan"),
                ("FR", "Détective Conan")],
        "seasons": _weekly("1996-01-08", [28, 26, 28, 42, 43, 40, 38, 38, 41, 38, 35, 39, 34, 33, 37,
                                          34, 35, 36, 35, 36, 34, 35, 36, 37, 33, 35, 38, 40, 36, 38]),
        "specials": (27, "1996-12-16"),
        "genres": [16, 80, 9648, 35], "networks": ["Yomiuri TV", "Nippon TV"], "companies": ["TMS Entertainment"],
        "popularity": 105.0, "vote_average": 8.0, "vote_count": 1200, "status": "Returning Series",
        "ratings": {"US": "TV-PG", "DE": "12"},
        "external": {"imdb": "tt0131179", "tvdb": 72071},
        "cast": [("Minami Takayama", "高山みなみ", "Conan Edogawa", 1), ("Wakana Yamazaki", "山崎和佳奈", "Ran Mouri", 1)],
        "keywords": ["anime", "based on manga", "detective"],
        "logos": (("de", 5.4, 2, ".svg"), ("ja", 5.2, 3, ".png")),
    },
]


# ------------------------------------------------------------------------ synthetic

def _synthetic_spec(i: int, seed: int) -> dict:
    rng = random.Random(_h("synthetic", seed, i))
    sid = 900_000 + seed * 10_000 + i
    year = 1995 + rng.randrange(30)
    start = _dt.date(year, rng.choice([1, 4, 7, 10]), rng.randrange(1, 28))
    nseasons = rng.choice([1, 1, 1, 2, 2, 3])
    seasons = []
    d = start
    for _ in range(nseasons):
        seasons.append((rng.choice([12, 13, 24, 25, 26]), d.isoformat()))
        d = d + _dt.timedelta(days=365 + rng.randrange(200))
    title = f"Synthetic Series {i:04d}"
    spec = {
        "id": sid, "en": title, "ja": f"シンセティック・シリーズ {i:04d}",
        "first_air_date": start.isoformat(),
        "overview_en": f"A made-up series number {i} for benchmarks.",
        "alt": [("JP", f"Shinsetikku Shirīzu {i:04d}", "romaji")],
        "seasons": seasons,
        "specials": (rng.randrange(1, 4), start.isoformat()) if rng.random() < 0.3 else None,
        "genres": rng.sample([16, 10759, 10765, 18, 35, 9648], 2),
        "networks": [rng.choice(["Tokyo MX", "TV Tokyo", "AT-X", "Fuji TV"])],
        "companies": [rng.choice(["Synthetic Studio", "Placeholder Pictures"])],
        "popularity": round(1 + rng.random() * 60, 3),
        "vote_average": round(6 + rng.random() * 3, 1),
        "vote_count": rng.randrange(10, 900),
        "external": {"imdb": f"tt9{sid:07d}", "tvdb": 800_000 + sid % 100_000},
        "cast": [(f"Synthetic Actor {i:04d}-{k}", f"声優{i:04d}{k}", f"Character {k}", 1 + k % 2) for k in range(2)],
        "posters": (("en", 5.6, 8), ("ja", 5.4, 5), (None, 5.1, 1)),
        "backdrops": ((None, 5.5, 6), ("en", 5.2, 2, (1920, 1080))),
        "logos": (("en", 5.4, 3, ".svg"), ("ja", 5.1, 1, ".png")),
        "status": rng.choice(["Ended", "Ended", "Returning Series"]),
    }
    if rng.random() < 0.5:
        spec["de"] = {"name": f"Synthetische Serie {i:04d}", "overview": f"Eine erfundene Serie Nummer {i}."}
    return spec


# ------------------------------------------------------------------------ the class

class Catalog:
    """A set of series (id -> record) with an index of every image file path.

    The server reads it live, so tests may mutate it while a ``Standin`` runs
    (``add``, ``remove``, ``add_image``, ``remove_images``).
    """

    def __init__(self, series: Iterable[dict] | dict[int, dict] | None = None):
        self.series: dict[int, dict] = {}
        self._images: dict[str, ImageInfo] = {}
        if isinstance(series, dict):
            series = series.values()
        for s in series or ():
            self.add(s)

    # construction ----------------------------------------------------------------
    @classmethod
    def default(cls) -> Catalog:
        """The ~25 real anime (fresh copy each call)."""
        return cls(_build(s) for s in _SPECS)

    @classmethod
    def synthetic(cls, n: int, seed: int = 0) -> Catalog:
        """``n`` made-up series "Synthetic Series 0000".. with distinct ids (900000 + seed*10000 + i)."""
        if not 0 <= n < 10_000:
            raise ValueError("n must be in 0..9999")
        return cls(_build(_synthetic_spec(i, seed)) for i in range(n))

    @classmethod
    def from_specs(cls, specs: Iterable[dict]) -> Catalog:
        """Build from compact specs in the same form as ``_SPECS`` (for custom test data)."""
        return cls(_build(s) for s in specs)

    def merged(self, *others: Catalog) -> Catalog:
        out = Catalog(copy.deepcopy(list(self.series.values())))
        for o in others:
            for s in o.series.values():
                out.add(copy.deepcopy(s))
        return out

    __add__ = merged

    def copy(self) -> Catalog:
        return Catalog(copy.deepcopy(list(self.series.values())))

    # mapping-ish ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.series)

    def __iter__(self) -> Iterator[dict]:
        return iter(list(self.series.values()))

    def __contains__(self, series_id: object) -> bool:
        return series_id in self.series

    def __getitem__(self, series_id: int) -> dict:
        return self.series[series_id]

    def get(self, series_id: int) -> dict | None:
        return self.series.get(series_id)

    def ids(self) -> list[int]:
        return list(self.series)

    # mutation ---------------------------------------------------------------------
    def add(self, record: dict) -> None:
        self.series[record["id"]] = record
        self._index(record)

    def remove(self, series_id: int) -> None:
        self.series.pop(series_id, None)
        self._images = {k: v for k, v in self._images.items() if v.series_id != series_id}
        for s in self.series.values():  # shared paths (network logos, people) stay indexed
            self._index(s)

    def add_image(self, series_id: int, kind: str, iso_639_1: str | None, ext: str | None = None,
                  vote_average: float = 5.5, vote_count: int = 1) -> str:
        """Add one image ("posters" | "backdrops" | "logos") and return its file path."""
        rec = self.series[series_id]
        lst = rec["images"][kind]
        singular = {"posters": "poster", "backdrops": "backdrop", "logos": "logo"}[kind]
        ext = ext or (".png" if kind == "logos" else ".jpg")
        img = _img(series_id, singular, 1000 + len(lst), iso_639_1, vote_average, vote_count, ext=ext)
        lst.append(img)
        self._index(rec)
        return img["file_path"]

    def remove_images(self, series_id: int, kind: str) -> None:
        self.series[series_id]["images"][kind] = []

    def _index(self, rec: dict) -> None:
        sid = rec["id"]
        for kind, lst in rec["images"].items():
            singular = kind[:-1]
            for img in lst:
                self._images[img["file_path"]] = ImageInfo(img["file_path"], singular, img["width"], img["height"], sid)
        for s in rec["seasons"]:
            if s["poster_path"]:
                self._images[s["poster_path"]] = ImageInfo(s["poster_path"], "season_poster", 1000, 1500, sid)
        for n in rec["networks"]:
            if n["logo_path"]:
                self._images[n["logo_path"]] = ImageInfo(n["logo_path"], "network_logo", 400, 150, None)
        for c in rec["production_companies"]:
            if c["logo_path"]:
                self._images[c["logo_path"]] = ImageInfo(c["logo_path"], "company_logo", 500, 200, None)
        for p in rec["cast"]:
            if p["profile_path"]:
                self._images[p["profile_path"]] = ImageInfo(p["profile_path"], "profile", 1000, 1500, None)

    # lookups used by the server and by tests ---------------------------------------
    def image(self, file_path: str) -> ImageInfo | None:
        """The image a CDN path names. A ".png" path also resolves to an ".svg" logo of the
        same stem (TMDB's PNG rendition of SVG logos)."""
        info = self._images.get(file_path)
        if info is not None:
            return info
        if file_path.endswith(".png"):
            svg = self._images.get(file_path[:-4] + ".svg")
            if svg is not None:
                return ImageInfo(file_path, svg.kind, svg.width, svg.height, svg.series_id)
        return None

    def image_paths(self) -> list[str]:
        return list(self._images)

    def translation(self, series_id: int, language: str) -> dict | None:
        return pick_translation(self.series[series_id]["translations"], language)

    def name(self, series_id: int, language: str = "en-US") -> str:
        """The ``name`` TMDB would return in ``language`` (no fallback: original name)."""
        rec = self.series[series_id]
        t = pick_translation(rec["translations"], language)
        return (t or {}).get("name") or rec["original_name"]

    def year(self, series_id: int) -> int:
        return int(self.series[series_id]["first_air_date"][:4])

    def find(self, name: str, year: int | None = None) -> dict | None:
        """The record whose English (en-US) name equals ``name`` (case-insensitive), and year."""
        want = normalise_title(name)
        for rec in self.series.values():
            if normalise_title(self.name(rec["id"])) == want and (year is None or self.year(rec["id"]) == year):
                return rec
        return None

    def titles(self, series_id: int) -> list[str]:
        """Every title the search matches: original, translated names, alternative titles."""
        rec = self.series[series_id]
        out = [rec["original_name"]]
        out += [t["name"] for t in rec["translations"] if t["name"]]
        out += [a["title"] for a in rec["alternative_titles"]]
        return out


def parse_language(language: str | None) -> tuple[str, str | None]:
    """"de-DE" -> ("de", "DE"); "de" -> ("de", None); None/"" -> ("en", "US")."""
    if not language:
        return "en", "US"
    parts = language.replace("_", "-").split("-")
    lang = parts[0].lower()
    region = parts[1].upper() if len(parts) > 1 and parts[1] else None
    return lang, region


def pick_translation(translations: list[dict], language: str | None) -> dict | None:
    """Exact language+region first, else any translation in the language."""
    lang, region = parse_language(language)
    same = [t for t in translations if t["iso_639_1"] == lang]
    for t in same:
        if region and t["iso_3166_1"] == region:
            return t
    return same[0] if same else None


def season_name(season: dict, language: str | None) -> str:
    lang, _ = parse_language(language)
    n = season["season_number"]
    if n == 0:
        return _SPECIALS_WORD.get(lang, "Specials")
    if season.get("name") and lang == "en":
        return season["name"]
    return _SEASON_WORD.get(lang, "Season {n}").format(n=n)


def episode_name(n: int, language: str | None) -> str:
    lang, _ = parse_language(language)
    return _EPISODE_WORD.get(lang, "Episode {n}").format(n=n)


def genre_name(gid: int, language: str | None) -> str:
    lang, _ = parse_language(language)
    names = GENRES.get(gid, {"en": str(gid)})
    return names.get(lang, names["en"])
