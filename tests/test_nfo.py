"""tvshow.nfo rendering and reading back (aniload.nfo)."""

from __future__ import annotations

import copy
import json
import time
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aniload.nfo import clean_text, render_tvshow_nfo
from aniload.nforead import content_hash, read_nfo_ids

IMG = "https://image.tmdb.org/t/p"

# Kodi's own tag order (CVideoInfoTag::Save, Kodi wiki "NFO files/TV shows").
KODI_ORDER = [
    "title", "originaltitle", "showtitle", "sorttitle", "ratings", "plot", "tagline", "runtime",
    "thumb", "fanart", "mpaa", "episodeguide", "uniqueid", "genre", "country", "tag",
    "premiered", "year", "status", "studio", "actor", "namedseason", "dateadded",
]
REQUIRED = [
    "title", "originaltitle", "showtitle", "plot", "premiered", "year", "status", "genre",
    "studio", "mpaa", "runtime", "ratings", "episodeguide", "uniqueid", "thumb", "fanart",
    "namedseason", "actor",
]


def translation(lang: str, country: str, name: str = "", overview: str = "", tagline: str = "") -> dict:
    return {"iso_3166_1": country, "iso_639_1": lang, "name": lang, "english_name": lang,
            "data": {"name": name, "overview": overview, "homepage": "", "tagline": tagline}}


def make_details(kind: str = "german", **overrides) -> dict:
    """A TMDB /tv/1429 document as fetched with language=de-DE.

    kind: "german" (full German translation), "overview_only" (German overview, empty
    German name), "untranslated" (no German at all: name is the Japanese original and
    the overview is empty, as TMDB returns it).
    """
    en = translation("en", "US", "Attack on Titan", "Several hundred years ago, humans were nearly "
                     "exterminated by Titans.", "The world is cruel.")
    ja = translation("ja", "JP", "進撃の巨人", "巨人がすべてを支配する世界。", "")
    translations = [en, ja]
    name, overview, tagline = "進撃の巨人", "", ""
    if kind == "german":
        de = translation("de", "DE", "Attack on Titan (DE)", "Vor mehreren hundert Jahren ...", "Die Welt ist grausam.")
        translations.insert(0, de)
        name, overview, tagline = de["data"]["name"], de["data"]["overview"], de["data"]["tagline"]
    elif kind == "overview_only":
        de = translation("de", "DE", "", "Vor mehreren hundert Jahren ...", "")
        translations.insert(0, de)
        overview = de["data"]["overview"]
    details = {
        "adult": False,
        "backdrop_path": "/backdrop.jpg",
        "created_by": [{"id": 1, "name": "Hajime Isayama"}],
        "episode_run_time": [24],
        "first_air_date": "2013-04-07",
        "genres": [{"id": 16, "name": "Animation"}, {"id": 10759, "name": "Action & Adventure"},
                   {"id": 16, "name": "Animation"}],
        "id": 1429,
        "in_production": False,
        "languages": ["ja"],
        "last_air_date": "2023-11-04",
        "last_episode_to_air": {"id": 1, "name": "The Final Chapters", "runtime": 85, "season_number": 4},
        "name": name,
        "networks": [{"id": 94, "name": "MBS", "origin_country": "JP"},
                     {"id": 614, "name": "NHK General TV", "origin_country": "JP"}],
        "number_of_episodes": 94,
        "number_of_seasons": 4,
        "origin_country": ["JP"],
        "original_language": "ja",
        "original_name": "進撃の巨人",
        "overview": overview,
        "popularity": 120.5,
        "poster_path": "/poster.jpg",
        "production_companies": [{"id": 1, "name": "Wit Studio"}, {"id": 2, "name": "MAPPA"}],
        "seasons": [
            {"air_date": "2013-07-07", "episode_count": 10, "id": 1, "name": "Specials",
             "poster_path": "/s0.jpg", "season_number": 0},
            {"air_date": "2013-04-07", "episode_count": 25, "id": 2, "name": "Staffel 1",
             "poster_path": "/s1.jpg", "season_number": 1},
            {"air_date": "2017-04-01", "episode_count": 12, "id": 3, "name": "Staffel 2",
             "poster_path": None, "season_number": 2},
        ],
        "status": "Ended",
        "tagline": tagline,
        "type": "Scripted",
        "vote_average": 8.661,
        "vote_count": 6543,
        "images": {
            "backdrops": [{"file_path": "/backdrop.jpg", "iso_639_1": None}],
            "posters": [{"file_path": "/poster.jpg", "iso_639_1": "de"}],
            "logos": [{"file_path": "/logo-ja.png", "iso_639_1": "ja"},
                      {"file_path": "/logo-en.svg", "iso_639_1": "en"}],
        },
        "external_ids": {"imdb_id": "tt2560140", "freebase_mid": None, "tvdb_id": 267440,
                         "tvrage_id": 34965, "wikidata_id": "Q185422"},
        "content_ratings": {"results": [
            {"descriptors": [], "iso_3166_1": "US", "rating": "TV-MA"},
            {"descriptors": [], "iso_3166_1": "DE", "rating": "16"},
            {"descriptors": [], "iso_3166_1": "JP", "rating": "R15+"},
        ]},
        "aggregate_credits": {"cast": [
            {"id": 3, "name": "Yui Ishikawa", "order": 1, "profile_path": "/yui.jpg",
             "roles": [{"credit_id": "a", "character": "Mikasa Ackerman", "episode_count": 80}],
             "total_episode_count": 80},
            {"id": 2, "name": "Yuki Kaji", "order": 0, "profile_path": "/kaji.jpg",
             "roles": [{"credit_id": "b", "character": "Young Eren", "episode_count": 3},
                       {"credit_id": "c", "character": "Eren Yeager", "episode_count": 87}],
             "total_episode_count": 87},
            {"id": 4, "name": "Marina Inoue", "order": 2, "profile_path": None,
             "roles": [{"credit_id": "d", "character": "Armin Arlert", "episode_count": 75}],
             "total_episode_count": 75},
        ]},
        "translations": {"translations": translations},
        "alternative_titles": {"results": [{"iso_3166_1": "US", "title": "AoT", "type": ""}]},
        "keywords": {"results": [{"id": 210024, "name": "anime"}, {"id": 1, "name": "based on manga"}]},
    }
    details.update(overrides)
    return details


def render(details: dict, **kwargs) -> ET.Element:
    kwargs.setdefault("language", "de-DE")
    kwargs.setdefault("fallback_languages", ["en-US"])
    data = render_tvshow_nfo(details, **kwargs)
    assert isinstance(data, bytes)
    return ET.fromstring(data)


def text(root: ET.Element, tag: str) -> str | None:
    el = root.find(tag)
    return None if el is None else el.text


# --- shape --------------------------------------------------------------------------------


def test_output_is_pretty_utf8_xml_with_declaration():
    data = render_tvshow_nfo(make_details(), language="de-DE")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<tvshow>\n  <title>')
    assert data.endswith(b"</tvshow>\n")
    data.decode("utf-8")
    root = ET.fromstring(data)
    assert root.tag == "tvshow"
    assert "\n    <rating " in data.decode()  # two spaces per level


def test_tags_follow_kodi_order_and_required_tags_are_present():
    root = render(make_details(), date_added="2024-05-01 10:00:00")
    tags = [el.tag for el in root]
    positions = [KODI_ORDER.index(t) for t in tags]
    assert positions == sorted(positions), tags
    for tag in REQUIRED:
        assert root.find(tag) is not None, tag
    assert text(root, "dateadded") == "2024-05-01 10:00:00"


def test_core_fields():
    root = render(make_details())
    assert text(root, "title") == "Attack on Titan (DE)"
    assert text(root, "originaltitle") == "進撃の巨人"
    assert text(root, "showtitle") == "Attack on Titan (DE)"
    assert text(root, "plot") == "Vor mehreren hundert Jahren ..."
    assert text(root, "tagline") == "Die Welt ist grausam."
    assert text(root, "runtime") == "24"
    assert text(root, "premiered") == "2013-04-07"
    assert text(root, "year") == "2013"
    assert text(root, "status") == "Ended"
    assert [e.text for e in root.findall("genre")] == ["Animation", "Action & Adventure"]
    assert [e.text for e in root.findall("country")] == ["JP"]
    assert [e.text for e in root.findall("tag")] == ["anime", "based on manga"]
    assert [e.text for e in root.findall("studio")] == ["MBS", "NHK General TV"]
    assert root.find("sorttitle") is None


def test_ratings():
    rating = render(make_details()).find("ratings/rating")
    assert rating.attrib == {"name": "themoviedb", "max": "10", "default": "true"}
    assert rating.findtext("value") == "8.7"
    assert rating.findtext("votes") == "6543"


def test_ids_and_episodeguide():
    root = render(make_details())
    ids = [(e.get("type"), e.get("default"), e.text) for e in root.findall("uniqueid")]
    assert ids == [("tmdb", "true", "1429"), ("imdb", None, "tt2560140"), ("tvdb", None, "267440")]
    guide = text(root, "episodeguide")
    assert guide == '{"tmdb": "1429", "imdb": "tt2560140", "tvdb": "267440"}'
    assert json.loads(guide) == {"tmdb": "1429", "imdb": "tt2560140", "tvdb": "267440"}


def test_ids_only_where_known():
    root = render(make_details(external_ids={"imdb_id": None, "tvdb_id": 0}))
    assert [e.get("type") for e in root.findall("uniqueid")] == ["tmdb"]
    assert json.loads(text(root, "episodeguide")) == {"tmdb": "1429"}
    root = render(make_details(external_ids=None))
    assert json.loads(text(root, "episodeguide")) == {"tmdb": "1429"}


def test_artwork_urls():
    root = render(make_details())
    thumbs = root.findall("thumb")
    poster, logo = thumbs[0], thumbs[1]
    assert poster.attrib == {"aspect": "poster", "preview": f"{IMG}/w500/poster.jpg"}
    assert poster.text == f"{IMG}/original/poster.jpg"
    # no artwork map: the logo in a fallback language (en), its SVG as the PNG rendering
    assert logo.get("aspect") == "clearlogo"
    assert logo.text == f"{IMG}/original/logo-en.png"
    seasons = [(t.get("type"), t.get("season"), t.text) for t in thumbs[2:]]
    assert seasons == [("season", "0", f"{IMG}/original/s0.jpg"), ("season", "1", f"{IMG}/original/s1.jpg")]
    fanart = root.findall("fanart/thumb")
    assert len(fanart) == 1
    assert fanart[0].text == f"{IMG}/original/backdrop.jpg"
    assert fanart[0].get("preview") == f"{IMG}/w780/backdrop.jpg"


def test_artwork_map_wins_and_image_base_is_used():
    root = render(make_details(), image_base="http://img.local/t/p/",
                  artwork={"poster": "/chosen-poster.jpg", "clearlogo": "/chosen-logo.png", "fanart": "/chosen-bg.jpg"})
    thumbs = root.findall("thumb")
    assert thumbs[0].text == "http://img.local/t/p/original/chosen-poster.jpg"
    assert thumbs[0].get("preview") == "http://img.local/t/p/w500/chosen-poster.jpg"
    assert thumbs[1].text == "http://img.local/t/p/original/chosen-logo.png"
    assert root.find("fanart/thumb").text == "http://img.local/t/p/original/chosen-bg.jpg"


def test_partial_artwork_map_falls_back_per_type():
    root = render(make_details(), artwork={"poster": "/chosen-poster.jpg"})
    assert root.find("thumb").text == f"{IMG}/original/chosen-poster.jpg"
    assert root.findall("thumb")[1].text == f"{IMG}/original/logo-en.png"
    assert root.find("fanart/thumb").text == f"{IMG}/original/backdrop.jpg"


def test_no_artwork_no_thumb_tags():
    details = make_details(poster_path=None, backdrop_path=None, images={}, seasons=[])
    root = render(details)
    assert root.find("thumb") is None and root.find("fanart") is None


def test_actors():
    actors = render(make_details()).findall("actor")
    rows = [(a.findtext("name"), a.findtext("role"), a.findtext("order"), a.findtext("thumb")) for a in actors]
    assert rows == [
        ("Yuki Kaji", "Eren Yeager", "0", f"{IMG}/original/kaji.jpg"),  # the most episodes wins
        ("Yui Ishikawa", "Mikasa Ackerman", "1", f"{IMG}/original/yui.jpg"),
        ("Marina Inoue", "Armin Arlert", "2", None),
    ]
    assert [child.tag for child in actors[0]] == ["name", "role", "order", "thumb"]


def test_actors_from_plain_credits():
    details = make_details(aggregate_credits=None, credits={"cast": [
        {"name": "Yuki Kaji", "character": "Eren Yeager", "order": 0, "profile_path": "/kaji.jpg"},
        {"name": "No Role", "character": "", "order": 1, "profile_path": None},
    ]})
    actors = render(details).findall("actor")
    assert [(a.findtext("name"), a.findtext("role"), a.findtext("order")) for a in actors] == [
        ("Yuki Kaji", "Eren Yeager", "0"), ("No Role", None, "1")]


def test_named_seasons_include_specials():
    named = render(make_details()).findall("namedseason")
    assert [(n.get("number"), n.text) for n in named] == [("0", "Specials"), ("1", "Staffel 1"), ("2", "Staffel 2")]


def test_runtime_from_last_episode():
    root = render(make_details(episode_run_time=[]))
    assert text(root, "runtime") == "85"
    root = render(make_details(episode_run_time=[], last_episode_to_air=None))
    assert root.find("runtime") is None


def test_studios_fall_back_to_production_companies():
    root = render(make_details(networks=[]))
    assert [e.text for e in root.findall("studio")] == ["Wit Studio", "MAPPA"]


# --- languages -----------------------------------------------------------------------------


def test_overview_only_translation_falls_back_field_by_field():
    root = render(make_details("overview_only"))
    assert text(root, "title") == "Attack on Titan"  # German name empty -> en-US
    assert text(root, "showtitle") == "Attack on Titan"
    assert text(root, "plot") == "Vor mehreren hundert Jahren ..."  # German overview kept
    assert text(root, "tagline") == "The world is cruel."
    assert text(root, "originaltitle") == "進撃の巨人"


def test_untranslated_show_does_not_trust_details_name():
    root = render(make_details("untranslated"))
    assert text(root, "title") == "Attack on Titan"
    assert text(root, "plot").startswith("Several hundred years ago")


def test_untranslated_everywhere_uses_the_original():
    details = make_details("untranslated")
    details["translations"]["translations"] = [
        t for t in details["translations"]["translations"] if t["iso_639_1"] == "ja"]
    root = render(details)
    assert text(root, "title") == "進撃の巨人"
    assert text(root, "plot") == "巨人がすべてを支配する世界。"  # the original-language overview
    assert root.find("tagline") is None  # empty everywhere: no empty tag


def test_fallback_chain_order_and_region_matching():
    details = make_details("untranslated")
    details["translations"]["translations"] += [
        translation("fr", "FR", "L'Attaque des Titans", "Il y a plusieurs siècles", ""),
        translation("de", "AT", "Angriff auf Titan (AT)", "", ""),
    ]
    # exact region first, then the language alone
    root = render(details, fallback_languages=["fr-CA", "en-US"])
    assert text(root, "title") == "Angriff auf Titan (AT)"  # de-AT serves de-DE
    assert text(root, "plot") == "Il y a plusieurs siècles"  # fr-FR serves fr-CA, before en-US
    root = render(details, language="en-US", fallback_languages=["de-DE"])
    assert text(root, "title") == "Attack on Titan"


def test_without_translations_details_are_taken_as_given():
    details = make_details("german", translations=None)
    root = render(details)
    assert text(root, "title") == "Attack on Titan (DE)"
    assert text(root, "plot") == "Vor mehreren hundert Jahren ..."


def test_original_language_requested():
    details = make_details("untranslated")
    details["translations"]["translations"] = []
    root = render(details, language="ja-JP", fallback_languages=["en-US"])
    assert text(root, "title") == "進撃の巨人"


# --- mpaa ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "results", "expected"), [
    ("de-DE", [("US", "TV-MA"), ("DE", "16")], "FSK-16"),
    ("de-DE", [("US", "TV-MA"), ("JP", "R15+")], "TV-MA"),  # DE missing -> US
    ("de-DE", [("US", "TV-MA"), ("DE", "")], "TV-MA"),  # empty rating does not count
    ("en-US", [("DE", "16"), ("US", "TV-14")], "TV-14"),
    ("ja-JP", [("US", "TV-14"), ("JP", "R15+")], "JP-R15+"),
    ("fr-FR", [("JP", "R15+"), ("KR", "15")], "JP-R15+"),  # no FR, no US -> the first
    ("de", [("DE", "12"), ("US", "TV-PG")], "TV-PG"),  # no country in the language
    ("de-DE", [("DE", "FSK 16")], "FSK 16"),
    ("de-DE", [], None),
])
def test_mpaa(language, results, expected):
    ratings = {"results": [{"iso_3166_1": c, "rating": r} for c, r in results]}
    root = render(make_details(content_ratings=ratings), language=language)
    assert text(root, "mpaa") == expected


# --- hostile text --------------------------------------------------------------------------


def test_xml_breaking_text_is_escaped():
    nasty = """<tvshow>&amp; "quotes" 'apos' ]]> <![CDATA[x]]> </title>"""
    details = make_details("german")
    details["translations"]["translations"][0]["data"].update(name=nasty, overview=nasty, tagline=nasty)
    details["aggregate_credits"]["cast"][0]["roles"][0]["character"] = nasty
    root = render(details)
    assert text(root, "title") == nasty
    assert text(root, "plot") == nasty
    assert text(root, "tagline") == nasty
    assert nasty in [a.findtext("role") for a in root.findall("actor")]


def test_control_characters_and_surrogates_are_removed():
    dirty = "A\x00B\x01\x08\x0b\x0c\x1fC\ud800D\udfffE\ufffe\uffffF\x7f\x9fG\tH\r\nI\rJ 😀"
    details = make_details("german", translations=None, name=dirty, overview=dirty)
    data = render_tvshow_nfo(details, language="de-DE")
    root = ET.fromstring(data)
    assert text(root, "title") == "ABCDEFG\tH\nI\nJ 😀"
    assert text(root, "plot") == "ABCDEFG\tH\nI\nJ 😀"


def test_megabyte_overview_is_fast():
    overview = ("Eren & Mikasa <3 " * 65536)[:1_048_576] + "\x00"
    details = make_details("german", translations=None, overview=overview)
    start = time.perf_counter()
    data = render_tvshow_nfo(details, language="de-DE")
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, elapsed
    assert ET.fromstring(data).findtext("plot") == overview[:-1].strip()


# --- malformed documents -------------------------------------------------------------------

JUNK = [None, "", "x", 0, -5, 3.5, float("nan"), float("inf"), True, [], [None, 1, "a", {}], {}, {"x": None}]


@pytest.mark.parametrize("key", sorted(make_details().keys()))
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_malformed_fields_never_raise(key, junk):
    details = make_details()
    details[key] = copy.deepcopy(junk)
    data = render_tvshow_nfo(details, language="de-DE")
    root = ET.fromstring(data)
    assert b">None<" not in data and b"nan" not in data.lower().replace(b"nanoha", b"")
    for el in root.iter():
        if len(el) == 0:
            assert el.text and el.text.strip(), f"empty <{el.tag}> for {key}={junk!r}"


@pytest.mark.parametrize("details", [
    {}, None, [], "x", {"id": None}, {"translations": {"translations": [None, 1, {"data": None}]}},
    {"aggregate_credits": {"cast": [None, {"name": None}, {"name": "A", "roles": None},
                                     {"name": "B", "roles": [None, {"character": None}], "order": "x"}]}},
    {"seasons": [None, {"season_number": "x"}, {"season_number": -1, "name": "bad"}, {"season_number": 1.0, "name": None}]},
    {"content_ratings": {"results": [None, {"iso_3166_1": None, "rating": 16}]}},
    {"genres": "Animation", "networks": {"name": "x"}, "origin_country": "JP", "keywords": {"results": "a"}},
    {"first_air_date": "2013-02-30", "vote_average": "8.5", "vote_count": "many", "episode_run_time": ["24"]},
    {"images": {"logos": [{"file_path": None}, {"file_path": "has space.png"}]}, "poster_path": 5},
    {"external_ids": {"imdb_id": "nm123", "tvdb_id": "abc"}, "id": "1429"},
], ids=range(13))
def test_malformed_documents_never_raise(details):
    data = render_tvshow_nfo(details, language=None, fallback_languages=None, image_base=None,  # type: ignore[arg-type]
                             artwork={"poster": None, "fanart": 5})  # type: ignore[dict-item]
    root = ET.fromstring(data)
    assert root.tag == "tvshow"
    for el in root.iter():
        if len(el) == 0 and el is not root:
            assert el.text and el.text.strip()


def test_string_numbers_are_used_sensibly():
    root = render({"id": "1429", "vote_average": "8.25", "vote_count": "12", "episode_run_time": ["24"],
                   "first_air_date": "2013-02-30"})
    assert root.findtext("ratings/rating/value") == "8.2" or root.findtext("ratings/rating/value") == "8.3"
    assert root.findtext("runtime") == "24"
    assert root.find("premiered") is None and root.find("year") is None  # invalid date
    assert root.find("uniqueid").text == "1429"


def test_zero_rating_is_left_out():
    root = render(make_details(vote_average=0, vote_count=0))
    assert root.find("ratings") is None


# --- read_nfo_ids --------------------------------------------------------------------------


def test_read_ids_from_own_output():
    data = render_tvshow_nfo(make_details(), language="de-DE")
    assert read_nfo_ids(data) == {"tmdb": "1429", "imdb": "tt2560140", "tvdb": "267440"}


def test_read_ids_jellyfin_style():
    data = b"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<tvshow>
  <plot><![CDATA[Some plot with https://www.themoviedb.org/tv/999 in it]]></plot>
  <title>Attack on Titan</title>
  <tmdbid>1429</tmdbid>
  <imdb_id>tt2560140</imdb_id>
  <tvdbid>267440</tvdbid>
  <actor><name>X</name><tmdbid>5</tmdbid></actor>
</tvshow>"""
    assert read_nfo_ids(data) == {"tmdb": "1429", "imdb": "tt2560140", "tvdb": "267440"}


def test_read_ids_imdbid_and_id_attributes():
    data = b'<tvshow><imdbid>tt0000123</imdbid><id TVDB="81797">tt0000123</id></tvshow>'
    assert read_nfo_ids(data) == {"imdb": "tt0000123", "tvdb": "81797"}


def test_read_ids_uniqueid_case_and_precedence():
    data = b"""<tvshow><uniqueid type="TMDB">1429</uniqueid><tmdbid>5</tmdbid>
<episodeguide>{"tmdb": "7", "tvdb": "267440"}</episodeguide></tvshow>"""
    assert read_nfo_ids(data) == {"tmdb": "1429", "tvdb": "267440"}


def test_read_ids_legacy_episodeguide_url():
    data = b"""<tvshow><title>x</title><episodeguide><url cache="tmdb-1429-en.json">
https://api.tmdb.org/3/tv/1429?api_key=abc&amp;language=en</url></episodeguide></tvshow>"""
    assert read_nfo_ids(data) == {"tmdb": "1429"}
    data = b"<tvshow><episodeguide><url>http://thetvdb.com/api/KEY/series/267440/all/en.zip</url></episodeguide></tvshow>"
    assert read_nfo_ids(data) == {"tvdb": "267440"}


def test_read_ids_broken_xml_falls_back_to_regexes():
    data = b"""<?xml version="1.0"?>
<tvshow>
  <title>Unclosed & broken <b>
  <uniqueid type="tmdb" default="true">1429</uniqueid>
  <uniqueid type="imdb">tt2560140</uniqueid>
  <episodeguide>{&quot;tvdb&quot;: &quot;267440&quot;}</episodeguide>
"""
    assert read_nfo_ids(data) == {"tmdb": "1429", "imdb": "tt2560140", "tvdb": "267440"}


def test_read_ids_with_url_line_before_the_xml():
    data = ("https://www.themoviedb.org/tv/1429-shingeki-no-kyojin\n"
            + render_tvshow_nfo(make_details(external_ids={}), language="de-DE").decode()).encode()
    assert read_nfo_ids(data) == {"tmdb": "1429"}
    data = b"https://www.imdb.com/title/tt2560140/\n<?xml version='1.0'?><tvshow><tmdbid>1429</tmdbid></tvshow>"
    assert read_nfo_ids(data) == {"tmdb": "1429", "imdb": "tt2560140"}


def test_read_ids_with_url_after_the_xml_and_parsing_nfo():
    data = b"<tvshow><title>x</title></tvshow>\nhttps://www.themoviedb.org/tv/1429\n"
    assert read_nfo_ids(data) == {"tmdb": "1429"}
    assert read_nfo_ids(b"https://thetvdb.com/?tab=series&id=267440\n") == {"tvdb": "267440"}


def test_read_ids_xml_wins_over_url_line():
    data = b"https://www.themoviedb.org/tv/1\n<tvshow><uniqueid type='tmdb'>1429</uniqueid></tvshow>"
    assert read_nfo_ids(data) == {"tmdb": "1429"}


@pytest.mark.parametrize("data", [
    b"", b"\x00\xff\xfe garbage", b"<tvshow>", b"<tvshow><uniqueid type='tmdb'>abc</uniqueid></tvshow>",
    b"<tvshow><uniqueid type='tmdb'></uniqueid><uniqueid/></tvshow>", "not bytes", None,
    b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><tvshow>&b;</tvshow>',
    b"<tvshow><uniqueid type='tmdb'>0</uniqueid></tvshow>",
])
def test_read_ids_never_raises(data):
    assert read_nfo_ids(data) == {}  # type: ignore[arg-type]


def test_read_ids_other_encodings():
    xml = '<?xml version="1.0" encoding="UTF-16"?><tvshow><title>Ü</title><tmdbid>1429</tmdbid></tvshow>'
    assert read_nfo_ids(xml.encode("utf-16")) == {"tmdb": "1429"}
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><tvshow><title>Ü</title><tmdbid>1429</tmdbid></tvshow>'
    assert read_nfo_ids(latin.encode("latin-1")) == {"tmdb": "1429"}
    assert read_nfo_ids(b"\xef\xbb\xbf<tvshow><tvdbid>267440</tvdbid></tvshow>") == {"tvdb": "267440"}


# --- content_hash --------------------------------------------------------------------------


def test_content_hash():
    data = render_tvshow_nfo(make_details(), language="de-DE")
    h = content_hash(data)
    assert h.startswith("sha256:") and len(h) == len("sha256:") + 64
    assert h == content_hash(render_tvshow_nfo(make_details(), language="de-DE"))  # deterministic
    assert h != content_hash(data.replace(b"Ended", b"Endet"))


# --- property ------------------------------------------------------------------------------

ANY_CHAR = st.one_of(st.characters(exclude_categories=()), st.characters(categories=["Cs"]),
                     st.sampled_from(list("<>&\"']]\x00\r\n\t\x85\ufffe\uffff")))
ANY_TEXT = st.text(ANY_CHAR, max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=ANY_TEXT, overview=ANY_TEXT, tagline=ANY_TEXT, character=ANY_TEXT, actor=ANY_TEXT)
def test_arbitrary_text_always_parses_and_round_trips(name, overview, tagline, character, actor):
    details = make_details("german", translations=None, name=name, overview=overview, tagline=tagline)
    details["aggregate_credits"] = {"cast": [
        {"name": actor, "order": 0, "roles": [{"character": character, "episode_count": 3}]}]}
    details["seasons"] = [{"season_number": 1, "name": name}]
    data = render_tvshow_nfo(details, language="de-DE", fallback_languages=["en-US"])
    root = ET.fromstring(data)
    assert text(root, "title") == (clean_text(name) or "進撃の巨人")
    assert text(root, "showtitle") == text(root, "title")
    assert text(root, "plot") == (clean_text(overview) or None)
    assert text(root, "tagline") == (clean_text(tagline) or None)
    assert text(root, "namedseason") == (clean_text(name) or None)
    if clean_text(actor):
        assert root.findtext("actor/name") == clean_text(actor)
        assert root.findtext("actor/role") == (clean_text(character) or None)
    else:
        assert root.find("actor") is None
