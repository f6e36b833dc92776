"""Tests of the TMDB stand-in (standin/): shapes, search, languages, images, faults, limits."""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import subprocess
import sys
import time

import httpx
import pytest
from PIL import Image

from standin import Catalog, Fault, Standin

ERROR_KEYS = {"success", "status_code", "status_message"}
PLAIN = httpx.Client(timeout=10)  # no credentials; reused so tests do not pay for a client each time


@pytest.fixture(scope="module")
def tmdb():
    with Standin() as server:
        yield server


@pytest.fixture(scope="module")
def api_client(tmdb):
    with httpx.Client(base_url=tmdb.api_base, headers=tmdb.auth_headers, timeout=5) as client:
        yield client


@pytest.fixture
def api(tmdb, api_client):
    tmdb.clear_faults()
    tmdb.reset_log()
    yield api_client
    tmdb.clear_faults()


def search(api, query, **params):
    r = api.get("/search/tv", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return r.json()


def ids(doc):
    return [x["id"] for x in doc["results"]]


# ---------------------------------------------------------------------------- auth

def test_bearer_and_api_key_both_work(tmdb, api):
    assert api.get("/authentication").json() == {"success": True, "status_code": 1, "status_message": "Success."}
    r = PLAIN.get(tmdb.api_base + "/configuration", params={"api_key": tmdb.api_key})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json;charset=utf-8"
    assert int(r.headers["content-length"]) == len(r.content)


@pytest.mark.parametrize("kwargs", [
    {},
    {"headers": {"Authorization": "Bearer wrong"}},
    {"params": {"api_key": "wrong"}},
    {"headers": {"Authorization": "Basic standin-read-token"}},
])
def test_bad_or_missing_credentials_get_401_with_tmdb_body(tmdb, kwargs):
    r = PLAIN.get(tmdb.api_base + "/tv/1429", **kwargs)
    assert r.status_code == 401
    assert r.json() == {"success": False, "status_code": 7,
                        "status_message": "Invalid API key: You must be granted a valid key."}


def test_configuration_points_at_the_standin_cdn(tmdb, api):
    cfg = api.get("/configuration").json()
    images = cfg["images"]
    assert images["secure_base_url"] == tmdb.image_base + "/"
    assert images["poster_sizes"] == ["w92", "w154", "w185", "w342", "w500", "w780", "original"]
    assert images["backdrop_sizes"] == ["w300", "w780", "w1280", "original"]
    assert images["logo_sizes"] == ["w45", "w92", "w154", "w185", "w300", "w500", "original"]
    assert "change_keys" in cfg


# -------------------------------------------------------------------------- search

RESULT_KEYS = {"adult", "backdrop_path", "genre_ids", "id", "origin_country", "original_language",
               "original_name", "overview", "popularity", "poster_path", "first_air_date", "name",
               "vote_average", "vote_count"}


@pytest.mark.parametrize("query, expected", [
    ("Attack on Titan", 1429),
    ("attack on titan", 1429),
    ("Shingeki no Kyojin", 1429),            # romaji alternative title
    ("進撃の巨人", 1429),                      # original Japanese
    ("Angriff der Titanen", 1429),           # German alternative title
    ("Sousou no Frieren", 209867),
    ("葬送のフリーレン", 209867),
    ("Frieren Nach dem Ende der Reise", 209867),  # German translation, punctuation ignored
    ("Detektiv Conan", 30983),
    ("steins gate", 42509),
    ("Bocchi the Rock", 119100),
    ("Spy x Family", 120089),
])
def test_search_matches_every_kind_of_title(api, query, expected):
    doc = search(api, query)
    assert expected in ids(doc)
    assert set(doc) == {"page", "results", "total_pages", "total_results"}
    assert all(set(r) == RESULT_KEYS for r in doc["results"])


def test_search_same_title_pair_and_first_air_date_year(api):
    both = search(api, "Hunter x Hunter")
    assert set(ids(both)) >= {46298, 12850}
    assert ids(search(api, "Hunter x Hunter", first_air_date_year=2011)) == [46298]
    assert ids(search(api, "Hunter x Hunter", first_air_date_year=1999)) == [12850]
    fb = search(api, "Fruits Basket")
    assert len(ids(fb)) == 2 and {r["first_air_date"][:4] for r in fb["results"]} == {"2001", "2019"}
    # `year` is looser: any season's air year (Fruits Basket 2019 has a 2021 season)
    assert ids(search(api, "Fruits Basket", year=2021)) == [86836]
    assert ids(search(api, "Fruits Basket", first_air_date_year=2021)) == []


def test_search_orders_by_popularity_with_decoy_first(api):
    doc = search(api, "Monster")
    assert ids(doc)[:2] == [61663, 30981]  # Monster Musume outranks Monster
    pops = [r["popularity"] for r in doc["results"]]
    assert pops == sorted(pops, reverse=True)


def test_search_language_has_no_fallback(api):
    de = search(api, "Bocchi", language="de-DE")["results"][0]  # no German translation
    assert de["name"] == "ぼっち・ざ・ろっく！" and de["overview"] == ""
    assert de["original_name"] == "ぼっち・ざ・ろっく！"
    en = search(api, "Bocchi", language="en-US")["results"][0]
    assert en["name"] == "BOCCHI THE ROCK!" and en["overview"]
    conan = search(api, "Case Closed", language="de-DE")["results"][0]
    assert conan["name"] == "Detektiv Conan"
    fma = search(api, "Fullmetal Alchemist", language="de-DE")["results"][0]  # German overview only
    assert fma["name"] == "鋼の錬金術師 FULLMETAL ALCHEMIST" and fma["overview"].startswith("Zwei Brüder")


def test_search_empty_query_and_bad_page(api):
    assert search(api, "") == {"page": 1, "results": [], "total_pages": 1, "total_results": 0}
    assert search(api, "no such show zzz")["results"] == []
    r = api.get("/search/tv", params={"query": "x", "page": 0})
    assert r.status_code == 400 and r.json()["status_code"] == 22


# ------------------------------------------------------------------------- details

ALL_APPENDS = ("images,external_ids,content_ratings,aggregate_credits,credits,translations,"
               "alternative_titles,keywords,season/1,season/0,season/99,videos")


def test_details_document_with_everything_appended(api):
    r = api.get("/tv/1429", params={"language": "en-US", "append_to_response": ALL_APPENDS,
                                    "include_image_language": "en,null"})
    assert r.status_code == 200
    d = r.json()
    for key in ("id", "name", "original_name", "original_language", "overview", "tagline", "first_air_date",
                "last_air_date", "status", "type", "genres", "networks", "production_companies",
                "episode_run_time", "number_of_seasons", "number_of_episodes", "seasons", "vote_average",
                "vote_count", "popularity", "poster_path", "backdrop_path", "homepage", "in_production",
                "languages", "origin_country", "last_episode_to_air", "next_episode_to_air", "created_by"):
        assert key in d, key
    assert d["name"] == "Attack on Titan" and d["original_name"] == "進撃の巨人"
    assert d["number_of_seasons"] == 4 and d["seasons"][0]["season_number"] == 0
    assert d["seasons"][0]["name"] == "Specials" and d["seasons"][4]["name"] == "The Final Season"
    assert {"id": 16, "name": "Animation"} in d["genres"]
    assert set(d["production_companies"][0]) == {"id", "name", "logo_path", "origin_country"}
    assert d["external_ids"]["imdb_id"] == "tt2560140" and d["external_ids"]["tvdb_id"] == 267440
    ratings = {c["iso_3166_1"]: c["rating"] for c in d["content_ratings"]["results"]}
    assert ratings["US"] == "TV-MA" and ratings["DE"] == "16"
    cast = d["aggregate_credits"]["cast"][0]
    assert cast["name"] == "Yuki Kaji" and cast["roles"][0]["character"] == "Eren Yeager"
    assert {"order", "total_episode_count", "profile_path", "original_name"} <= set(cast)
    assert d["credits"]["cast"][0]["character"] == "Eren Yeager"
    tr = {t["iso_639_1"]: t for t in d["translations"]["translations"]}
    assert tr["de"]["english_name"] == "German" and tr["de"]["data"]["overview"]
    assert set(tr["de"]["data"]) == {"name", "overview", "homepage", "tagline"}
    assert {"iso_3166_1": "JP", "title": "Shingeki no Kyojin", "type": "romaji"} in d["alternative_titles"]["results"]
    assert d["keywords"]["results"][0] == {"id": 210024, "name": "anime"}
    assert len(d["season/1"]["episodes"]) == 25 and d["season/1"]["episodes"][0]["episode_number"] == 1
    assert len(d["season/0"]["episodes"]) == 9
    assert "season/99" not in d and "videos" not in d   # unknown or missing: ignored
    assert set(d["images"]) == {"backdrops", "logos", "posters"}


def test_details_language_no_fallback(api):
    d = api.get("/tv/31911", params={"language": "de-DE"}).json()
    assert d["name"] == "鋼の錬金術師 FULLMETAL ALCHEMIST"      # German translation has no name
    assert d["overview"].startswith("Zwei Brüder")
    assert d["seasons"][1]["name"] == "Staffel 1"
    b = api.get("/tv/119100", params={"language": "de-DE", "append_to_response": "translations"}).json()
    assert b["name"] == "ぼっち・ざ・ろっく！" and b["overview"] == "" and b["tagline"] == ""
    assert "de" not in {t["iso_639_1"] for t in b["translations"]["translations"]}
    c = api.get("/tv/30983", params={"language": "de-DE"}).json()
    assert c["name"] == "Detektiv Conan" and c["genres"][1]["name"] == "Krimi"


def test_details_errors(api):
    r = api.get("/tv/999999999")
    assert r.status_code == 404
    assert r.json() == {"success": False, "status_code": 34,
                        "status_message": "The resource you requested could not be found."}
    assert api.get("/tv/abc").status_code == 404
    assert api.get("/no/such/endpoint").json()["status_code"] == 34
    many = ",".join(f"season/{n}" for n in range(21))
    r = api.get("/tv/1429", params={"append_to_response": many})
    assert r.status_code == 400 and r.json()["status_code"] == 27 and set(r.json()) == ERROR_KEYS
    twenty = ",".join(f"season/{n}" for n in range(20))
    assert api.get("/tv/1429", params={"append_to_response": twenty}).status_code == 200


def test_include_image_language_filtering(api):
    def imgs(sid, **params):
        return api.get(f"/tv/{sid}", params={"append_to_response": "images", **params}).json()["images"]

    all_langs = imgs(1429, language="en-US", include_image_language="de,en,ja,null")
    assert {p["iso_639_1"] for p in all_langs["posters"]} == {"de", "en", "ja", None}
    en_null = imgs(1429, language="en-US", include_image_language="en,null")
    assert {p["iso_639_1"] for p in en_null["posters"]} == {"en", None}
    assert {b["iso_639_1"] for b in en_null["backdrops"]} == {"en", None}
    assert all(set(p) == {"aspect_ratio", "height", "iso_639_1", "file_path", "vote_average", "vote_count", "width"}
               for p in en_null["posters"])
    votes = [p["vote_average"] for p in en_null["posters"]]
    assert votes == sorted(votes, reverse=True)
    only_de = imgs(1429, language="de-DE")                   # no parameter: request language only
    assert {p["iso_639_1"] for p in only_de["posters"]} == {"de"} and only_de["backdrops"] == []
    de_fallback = imgs(1429, language="de-DE", include_image_language="en,null")  # language + fallbacks
    assert {p["iso_639_1"] for p in de_fallback["posters"]} == {"de", "en", None}
    mushishi = imgs(45845, language="en-US", include_image_language="en,null")
    assert mushishi["backdrops"] == [] and mushishi["logos"] == []
    assert {p["iso_639_1"] for p in mushishi["posters"]} == {None}
    assert imgs(119100, include_image_language="en,ja,null")["logos"] == []
    standalone = api.get("/tv/209867/images").json()         # sub-resource without language: everything
    assert {lg["file_path"][-4:] for lg in standalone["logos"]} == {".svg", ".png"}
    assert standalone["id"] == 209867


def test_other_sub_resources_and_find(api):
    assert api.get("/tv/1429/external_ids").json()["imdb_id"] == "tt2560140"
    assert len(api.get("/tv/37854/season/1").json()["episodes"]) == 61
    assert api.get("/tv/37854/season/77").status_code == 404
    found = api.get("/find/tt0213338", params={"external_source": "imdb_id"}).json()
    assert [r["id"] for r in found["tv_results"]] == [30991]


# -------------------------------------------------------------------------- images

def test_images_are_real_and_distinct_per_url(tmdb, api):
    d = api.get("/tv/1429", params={"append_to_response": "images", "include_image_language": "en,ja,null"}).json()
    poster = d["images"]["posters"][0]["file_path"]
    seen = set()
    for size, width in (("w92", 92), ("w500", 500), ("original", 2000)):
        r = PLAIN.get(tmdb.image_url(size, poster))
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        assert int(r.headers["content-length"]) == len(r.content)
        assert r.content.endswith(b"\xff\xd9") and r.content == tmdb.image_bytes(size, poster)
        im = Image.open(io.BytesIO(r.content))
        im.load()
        assert im.format == "JPEG" and im.width == width
        seen.add(r.content)
    other = d["images"]["posters"][1]["file_path"]
    seen.add(PLAIN.get(tmdb.image_url("w92", other)).content)
    backdrop = d["backdrop_path"]
    b = PLAIN.get(tmdb.image_url("w1280", backdrop)).content
    assert Image.open(io.BytesIO(b)).size == (1280, 720)
    seen.add(b)
    assert len(seen) == 5
    assert tmdb.count(kind="image") == 5


def test_logo_svg_and_png_rendition(tmdb, api):
    logos = api.get("/tv/209867/images").json()["logos"]
    svg = next(lg["file_path"] for lg in logos if lg["file_path"].endswith(".svg"))
    r = PLAIN.get(tmdb.image_url("original", svg))
    assert r.headers["content-type"] == "image/svg+xml" and r.content.lstrip().startswith(b"<?xml")
    png = PLAIN.get(tmdb.image_url("w500", svg[:-4] + ".png"))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.endswith(b"IEND\xaeB`\x82")
    im = Image.open(io.BytesIO(png.content))
    im.load()
    assert im.format == "PNG" and im.mode == "RGBA" and im.width == 500
    assert PLAIN.get(tmdb.image_url("w500", svg[:-4] + ".jpg")).status_code == 404


def test_image_404s(tmdb):
    poster = Catalog.default()[1429]["images"]["posters"][0]["file_path"]
    assert PLAIN.get(tmdb.image_url("w999", poster)).status_code == 404
    assert PLAIN.get(tmdb.image_url("w500", "/doesNotExist.jpg")).status_code == 404
    r = PLAIN.get(tmdb.image_base + "/w500")
    assert r.status_code == 404 and "content-length" in r.headers


# -------------------------------------------------------------------------- faults

def test_fault_status_then_recovers(tmdb, api):
    f = tmdb.add_fault(Fault("status", "/search/tv", status=503, retry_after=2))
    r = api.get("/search/tv", params={"query": "Frieren"})
    assert r.status_code == 503 and r.json()["status_code"] == 9 and r.headers["retry-after"] == "2"
    assert api.get("/search/tv", params={"query": "Frieren"}).status_code == 200
    assert f.fired == 1 and f.times == 0
    assert api.get("/tv/1429").status_code == 200  # path_contains scoped it


def test_fault_rate_limit_and_forever(tmdb, api):
    tmdb.add_fault(Fault("rate_limit", "/tv/1429", times=None, retry_after=1))
    for _ in range(3):
        r = api.get("/tv/1429")
        assert r.status_code == 429 and r.headers["retry-after"] == "1"
        assert r.json()["status_code"] == 25
    tmdb.clear_faults()
    tmdb.add_fault(Fault("rate_limit"))
    r = api.get("/configuration")
    assert r.status_code == 429 and "retry-after" not in r.headers
    assert tmdb.count(status=429) == 4


def test_fault_truncate(tmdb, api):
    tmdb.add_fault(Fault("truncate", "/tv/1429"))
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/tv/1429")
    poster = Catalog.default()[1429]["images"]["posters"][0]["file_path"]
    tmdb.add_fault(Fault("truncate", "/t/p/"))
    with pytest.raises(httpx.RemoteProtocolError):
        PLAIN.get(tmdb.image_url("original", poster))
    assert api.get("/tv/1429").status_code == 200


def test_fault_content_type_and_invalid_json(tmdb, api):
    tmdb.add_fault(Fault("content_type", "/search/tv"))
    r = api.get("/search/tv", params={"query": "x"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    tmdb.add_fault(Fault("content_type", "/t/p/"))
    r = PLAIN.get(tmdb.image_url("w500", "/whatever.jpg"))
    assert r.status_code == 200 and b"<html>" in r.content
    tmdb.add_fault(Fault("invalid_json"))
    r = api.get("/tv/1429")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_fault_slow(tmdb, api):
    tmdb.add_fault(Fault("slow", "/configuration", delay=0.3))
    t0 = time.monotonic()
    assert api.get("/configuration").status_code == 200
    assert time.monotonic() - t0 >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        tmdb.add_fault(Fault("slow", "/configuration", delay=0.5))
        api.get("/configuration", timeout=0.1)


def test_wait_idle_waits_for_an_abandoned_slow_answer(tmdb, api):
    assert tmdb.wait_idle(timeout=5)  # stragglers of earlier tests
    tmdb.reset_log()
    tmdb.add_fault(Fault("slow", "/configuration", delay=0.4))
    with pytest.raises(httpx.ReadTimeout):
        api.get("/configuration", timeout=0.1)
    tmdb.reset_log()
    assert tmdb.wait_idle(timeout=5)
    assert tmdb.count(path_contains="/configuration") == 1  # the straggler, logged after the reset
    tmdb.reset_log()
    assert tmdb.wait_idle(timeout=0.1) and tmdb.requests == []


def test_fault_reset(tmdb, api):
    tmdb.add_fault(Fault("reset", "/tv/"))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError)):
        api.get("/tv/1429")
    assert api.get("/tv/1429").status_code == 200
    assert tmdb.count(status=0) == 1


def test_fault_huge_image_and_json(tmdb, api):
    size = 5_000_000
    tmdb.add_fault(Fault("huge", "/t/p/", size=size))
    poster = Catalog.default()[1429]["images"]["posters"][0]["file_path"]
    with PLAIN.stream("GET", tmdb.image_url("original", poster)) as r:
        assert int(r.headers["content-length"]) == size
        body = r.read()
    assert len(body) == size and body.endswith(b"\xff\xd9")
    Image.open(io.BytesIO(body)).load()
    tmdb.add_fault(Fault("huge", "/search/tv", size=1_000_001))
    r = api.get("/search/tv", params={"query": "x"})
    assert len(r.content) == 1_000_001 and isinstance(r.json(), list)


def test_unknown_fault_kind_is_rejected():
    with pytest.raises(ValueError):
        Fault("explode")


# ------------------------------------------------------------- limits and timing

def test_rate_limiter_gives_429_with_retry_after():
    with Standin(rate_limit=5) as tmdb, httpx.Client(headers=tmdb.auth_headers) as client:
        statuses = [client.get(tmdb.api_base + "/configuration") for _ in range(12)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited and statuses[0].status_code == 200
        assert int(limited[0].headers["retry-after"]) >= 1
        assert limited[0].json() == {"success": False, "status_code": 25,
                                     "status_message": "Your request count (#) is over the allowed limit of (5)."}
        assert tmdb.count(status=429) == len(limited)
        poster = tmdb.catalog[1429]["images"]["posters"][0]["file_path"]
        assert all(client.get(tmdb.image_url("w92", poster)).status_code == 200 for _ in range(10))
        time.sleep(0.25)  # refills about one token
        assert client.get(tmdb.api_base + "/configuration").status_code == 200


def test_latency_overlaps_and_40_concurrent_connections():
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    with Standin(latency=0.3) as tmdb, httpx.Client(headers=tmdb.auth_headers, timeout=10, limits=limits) as c:
        def one(_):
            return c.get(tmdb.api_base + "/tv/209867").status_code
        t0 = time.monotonic()
        with cf.ThreadPoolExecutor(40) as pool:
            results = list(pool.map(one, range(40)))
        elapsed = time.monotonic() - t0
        assert results == [200] * 40
        assert 0.3 <= elapsed < 2.0
        assert tmdb.peak_in_flight >= 30          # typically all 40 at once
        assert 30 <= tmdb.connections_opened <= 40


def test_keep_alive_reuses_one_connection(tmdb, api):
    with httpx.Client(base_url=tmdb.api_base, headers=tmdb.auth_headers) as fresh:
        for _ in range(5):
            assert fresh.get("/configuration").status_code == 200
    assert tmdb.connections_opened == 1
    rec = tmdb.api_requests()[-1]
    assert rec.method == "GET" and rec.path == "/3/configuration" and rec.status == 200
    assert rec.headers["authorization"] == f"Bearer {tmdb.read_access_token}"
    api.get("/search/tv", params={"query": "Frieren", "language": "de-DE"})
    assert tmdb.api_requests()[-1].query == {"query": "Frieren", "language": "de-DE"}
    assert tmdb.errors == []


# ------------------------------------------------------------------------ catalogue

def test_default_catalogue_traits():
    cat = Catalog.default()
    assert len(cat) >= 25
    assert cat.find("Hunter x Hunter", 2011)["id"] == 46298
    assert cat.find("Hunter x Hunter", 1999)["id"] == 12850
    no_logo = [r["id"] for r in cat if not r["images"]["logos"]]
    assert len(no_logo) >= 2
    assert any(not r["images"]["backdrops"] for r in cat)
    assert any(lg["file_path"].endswith(".svg") for r in cat for lg in r["images"]["logos"])
    assert cat.name(30983, "de-DE") == "Detektiv Conan"


def test_synthetic_catalogue(api):
    syn = Catalog.synthetic(150)
    assert len(syn) == 150 and len({cat_id for cat_id in syn.ids()}) == 150
    names = {syn.name(i) for i in syn.ids()}
    assert len(names) == 150 and "Synthetic Series 0042" in names
    assert not set(syn.ids()) & set(Catalog.default().ids())
    assert Catalog.synthetic(3, seed=1).ids() != Catalog.synthetic(3).ids()
    both = Catalog.default() + syn
    with Standin(both) as tmdb, httpx.Client(base_url=tmdb.api_base, headers=tmdb.auth_headers) as c:
        hits = c.get("/search/tv", params={"query": "Synthetic Series 0042"}).json()["results"]
        assert len(hits) == 1 and hits[0]["name"] == "Synthetic Series 0042"
        d = c.get(f"/tv/{hits[0]['id']}", params={"append_to_response": "images",
                                                    "include_image_language": "en,null"}).json()
        svg = [lg for lg in d["images"]["logos"] if lg["file_path"].endswith(".svg")]
        assert svg
        assert PLAIN.get(tmdb.image_url("w500", svg[0]["file_path"][:-4] + ".png")).status_code == 200
        assert c.get("/tv/1429").status_code == 200


def test_catalogue_mutation_is_served_live(tmdb, api):
    path = tmdb.catalog.add_image(119100, "logos", "en", ".svg")
    try:
        logos = api.get("/tv/119100/images", params={"include_image_language": "en,null"}).json()["logos"]
        assert [lg["file_path"] for lg in logos] == [path]
        assert PLAIN.get(tmdb.image_url("original", path)).status_code == 200
    finally:
        tmdb.catalog.remove_images(119100, "logos")


def test_python_dash_m_standin_prints_bases():
    proc = subprocess.Popen([sys.executable, "-m", "standin", "--rate-limit", "40", "--synthetic", "3"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
        r = PLAIN.get(fields["api_base"] + "/tv/1429", params={"api_key": fields["api_key"]})
        assert r.status_code == 200 and fields["image_base"].endswith("/t/p")
    finally:
        proc.terminate()
        proc.wait(timeout=5)
