"""Property tests (hypothesis) for the parsers that take untrusted input: folder names,
sidecar files, and TMDB documents rendered into tvshow.nfo.

What tests/test_nfo.py already fuzzes (arbitrary *text* in a fixed, well-formed details
document) is not repeated here; this file throws arbitrary *structure* at the renderer,
and checks that every image URL in the NFO stays on the image host.

Budget: the whole file runs in well under 30 s (``max_examples`` is set per test).
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
import time
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from aniload import sidecar
from aniload.config import Config
from aniload.errors import SeriesError, SidecarError
from aniload.library import make_series
from aniload.foldernames import parse_season_folder, parse_series_folder
from aniload.names import parse_episode_name
from aniload.nfo import clean_text, render_tvshow_nfo
from aniload.pipeline import fill_report, new_report
from aniload.report import RunReport
from aniload.scanner import is_fresh, scan_series
from aniload.steps import first_failure, scan_episodes

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Folder names as aniload sees them: display names (printable; undecodable bytes already
# escaped), plus the pieces the parser looks for, so hypothesis reaches the interesting paths.
PIECES = st.sampled_from([
    "(2013)", "[2013]", "(1899)", "(2100)", "2013", " 1999", "[tmdbid-1429]", "{tmdb=0}", "(tmdb:999999999)",
    "[tvdbid-81797]", "[SubsPlease]", "[1080p]", "Season 2", "S01", "Staffel 3", "Specials", "OVA", "第2期",
    "シーズン2", "1st Season", "Season Two", " - ", ".", "_", "  ", "(", ")", "[", "]", "{", "}", "Title",
    "Attack on Titan", "葬送のフリーレン", "\\xff", "\\n", "0", "9999", "-",
])
FOLDER_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=12).map("".join),
)


def _year_ok(year) -> bool:
    return year is None or (isinstance(year, int) and 1900 <= year <= 2099)


# ========================================================================= folder names


@FAST
@given(FOLDER_TEXT)
@example("")
@example(" ")
@example("...")
@example("(2013)")
@example("[tmdbid-0]")
@example("[Group] (2013) [1080p]")
def test_parse_series_folder_never_raises_and_is_sane(name):
    parsed = parse_series_folder(name)
    assert isinstance(parsed.title, str)
    if name.strip():
        assert parsed.title.strip(), (name, parsed)  # never an empty or blank title
    assert _year_ok(parsed.year), (name, parsed)
    assert parsed.tmdb_id is None or (isinstance(parsed.tmdb_id, int) and 0 < parsed.tmdb_id < 10**9)
    if parsed.year is not None:
        assert str(parsed.year) in name
    if parsed.tmdb_id is not None:
        assert str(parsed.tmdb_id) in name


@FAST
@given(FOLDER_TEXT)
@example("Season 0")
@example("S00")
@example("Season 9999 - extra")
@example("第99期")
def test_parse_season_folder_never_raises_and_is_sane(name):
    season = parse_season_folder(name)
    assert season is None or (type(season) is int and 0 <= season <= 9999), (name, season)
    if season is not None:  # the number is in the name: as digits (any script's) or as a word
        digits = "".join(str(unicodedata.digit(c, 0)) if c.isdigit() else c for c in name)
        words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
        assert season == 0 or str(season) in digits or any(w in name.lower() for w in words), (name, season)


@FAST
@given(st.text(max_size=120))
@example("².mkv")  # str.isdigit() is True for these, int() refuses them
@example("Show ①1x01.mkv")
def test_parse_episode_name_never_raises(name):
    parsed = parse_episode_name(name)
    assert all(type(n) is int and n >= 0 for n in parsed.episodes)
    assert parsed.season is None or (type(parsed.season) is int and parsed.season >= 0)


@pytest.mark.parametrize("name", ["².mkv", "①.mkv", "¹²³.mkv", "Show ²1x01.mkv", "a-¹1x02.mkv"])
def test_parse_episode_name_with_digits_int_refuses(name):
    parse_episode_name(name)


PATHOLOGICAL = [
    "[" * 5000, "(" * 5000, "{" * 5000, "[a]" * 3000, "(2013)" * 1500, " " * 10000 + "x", "a." * 5000,
    "." * 10000, "_" * 10000, "- " * 5000, "1" * 10000, "S1" * 5000, "Season " * 1500, "[tmdbid-1" + "0" * 5000,
    "(" + " " * 5000 + "2013", "Title" + " " * 5000 + "2013", "a " * 5000 + "(2013)", "第" * 5000 + "期",
    "x" * 255, "[" + "x" * 253 + "]", "1st " * 2500, "ova " * 2500, "E1" * 5000, " - 1" * 3000,
]


@pytest.mark.parametrize("name", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_parsers_are_fast_on_pathological_names(name):
    """No catastrophic backtracking: real names are < 256 bytes, these are up to 10,000 chars."""
    for parse in (parse_series_folder, parse_season_folder, parse_episode_name):
        start = time.perf_counter()
        parse(name)
        assert time.perf_counter() - start < 0.25, (parse.__name__, name[:40])


def test_parsers_are_fast_on_ordinary_names():
    names = [f"[Group] Some Title {i} (20{i % 30:02d}) [tmdbid-{i}] [1080p]" for i in range(5000)]
    start = time.perf_counter()
    for n in names:
        parse_series_folder(n)
        parse_season_folder(n)
    assert time.perf_counter() - start < 2.0  # well under a millisecond per name


# ============================================================================== sidecars

JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
)
JSON = st.recursive(JSON_LEAF, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)), max_leaves=20)


def _kept_aside(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(sidecar.SIDECAR_NAME + ".bad-")]


def _load_checks(raw: bytes) -> sidecar.Loaded | None:
    """Load ``raw`` as a sidecar both ways; returns the result, None if it was refused."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / sidecar.SIDECAR_NAME
        path.write_bytes(raw)
        try:  # read-only mode (status): never changes anything
            sidecar.load(folder, set_aside=False)
        except SidecarError:
            pass
        assert path.read_bytes() == raw and not _kept_aside(folder)
        try:
            loaded = sidecar.load(folder)
        except SidecarError as exc:
            assert str(exc) and "\n" not in str(exc)
            assert path.read_bytes() == raw and not _kept_aside(folder)  # refused: left untouched
            return None
        if loaded.data is None:  # set aside: renamed, byte for byte, never deleted
            assert not path.exists() and loaded.problem
            kept = _kept_aside(folder)
            assert len(kept) == 1 and kept[0].read_bytes() == raw
        else:
            assert path.read_bytes() == raw and not _kept_aside(folder)
            assert isinstance(loaded.data, dict) and loaded.data["schema"] == sidecar.SCHEMA
        return loaded


@FAST
@given(st.binary(max_size=300))
@example(b"")
@example(b"\xef\xbb\xbf{}")
@example(b"[" * 50000)
@example(b'{"schema": 1e400}')
@example(b'{"schema": 99999999999999999999999999}')
def test_sidecar_load_on_arbitrary_bytes(raw):
    _load_checks(raw)


@FAST
@given(JSON)
def test_sidecar_load_on_arbitrary_json(value):
    _load_checks(json.dumps(value).encode())


def _real_sidecar(folder: Path) -> dict:
    """A sidecar as aniload writes it, for a small series folder."""
    (folder / "Season 1").mkdir()
    (folder / "Season 1" / "Show - S01E01.mkv").touch()
    (folder / "Show - 05.mkv").touch()
    (folder / "poster.jpg").write_bytes(b"\xff\xd8\xff")
    # The sidecar's name exists before the scan, so rewriting it in place later leaves the
    # folder's mtime alone: every record stays "unchanged" and is reused as written.
    (folder / sidecar.SIDECAR_NAME).write_bytes(b"{}")
    series = make_series(folder.parent, folder.name)
    data, _, _ = scan_episodes(series, sidecar.Loaded(None, None, None), lambda m: None)
    data["match"] = {"tmdb_id": 1429, "media_type": "tv", "pinned": False, "source": "search", "at": sidecar.now_iso()}
    sidecar.set_step(data, "nfo", "done", hash="sha256:00")
    sidecar.set_step(data, "logo", "unavailable")
    sidecar.set_step(data, "poster", "failed", error="HTTP 500")
    return data


PATHS = [  # places in a real sidecar where a hand edit or another tool may put anything
    ("series",), ("series", "key"), ("series", "year"), ("scan",), ("scan", "at"), ("scan", "dirs"),
    ("scan", "dirs", ""), ("scan", "dirs", "", "season"), ("scan", "dirs", "", "videos"),
    ("scan", "dirs", "", "files"), ("scan", "dirs", "", "files", "poster.jpg"), ("scan", "dirs", "", "found"),
    ("scan", "dirs", "", "subdirs"), ("scan", "dirs", "Season 1", "found", "1"), ("scan", "dirs", "Season 1", "season"),
    ("episodes",), ("episodes", "1"), ("match",), ("match", "tmdb_id"), ("match", "pinned"), ("match", "source"),
    ("steps",), ("steps", "nfo"), ("steps", "logo", "at"), ("steps", "logo", "state"), ("steps", "poster", "error"),
    ("written_by",), ("schema",),
]


def _put(doc: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


@SLOW
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=3),
       st.sampled_from(["none", "extra-key", "renamed-key"]))
@example([(("written_by",), "x")], "extra-key")  # ValueError: int("not-a-season") in merge_found
@example([(("scan", "dirs", "", "files", "poster.jpg"), "big")], "none")  # TypeError in find_present
@example([(("episodes", "1"), [math.nan])], "none")  # NaN in the --json output
def test_accepted_sidecars_never_break_scan_status_or_fetch_planning(edits, key_edit):
    """A sidecar the loader accepts is safe to use: status, scan and fetch planning run on it
    without any exception but a SeriesError (a series failure), even when its recorded
    folder mtimes still match, so that the edited records are reused rather than rebuilt."""
    from aniload.fetch import _plan
    from aniload.pipeline import Warnings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "Show (2020)"
        folder.mkdir()
        data = _real_sidecar(folder)
        for path, value in edits:
            with contextlib.suppress(KeyError, TypeError, IndexError):
                _put(data, path, value)
        if key_edit == "extra-key":
            with contextlib.suppress(KeyError, TypeError, AttributeError):
                data["scan"]["dirs"][""]["found"]["not-a-season"] = [1]
        elif key_edit == "renamed-key":
            with contextlib.suppress(KeyError, TypeError, AttributeError):
                data["episodes"]["-1"] = data["episodes"].pop("1", [1])
        raw = json.dumps(data).encode()
        (folder / sidecar.SIDECAR_NAME).write_bytes(raw)
        try:
            loaded = sidecar.load(folder, set_aside=False)
        except SidecarError:
            loaded = sidecar.Loaded(None, None, "newer")
        assume(loaded.data is not None)  # refused ones are the loader tests' business

        config = Config()
        series = make_series(folder.parent, folder.name)
        report = RunReport("status", folder.parent)
        warn = Warnings(report, type("R", (), {"emit": lambda self, e: None})())
        try:  # status
            result = new_report(series)
            fresh = is_fresh(folder, loaded.data.get("scan"), loaded.ctime_ns)
            fill_report(result, loaded.data, config, folder, fresh)
            first_failure(loaded.data)
            json.dumps(result.to_json(), allow_nan=False)  # valid JSON for --json
        except SeriesError:
            pass
        try:  # scan
            data2, _, _ = scan_episodes(series, sidecar.load(folder, set_aside=False), lambda m: None)
            result = new_report(series)
            fill_report(result, data2, config, folder, True)
            json.dumps(result.to_json(), allow_nan=False)
        except SeriesError:
            pass
        plan = _plan(series, config, warn, force=False, dry_run=True, flag_pin=None)  # fetch
        json.dumps(plan.report.to_json(), allow_nan=False)
        assert (folder / sidecar.SIDECAR_NAME).read_bytes() == raw  # none of that wrote anything


def test_scan_with_a_reused_record_keeps_its_findings():
    """The reuse the test above relies on: an unchanged folder's record comes from the sidecar."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "Show"
        folder.mkdir()
        data = _real_sidecar(folder)
        again = scan_series(folder, data["scan"], None, lambda m: None)
        assert again.listed == 0 and not again.changed


# =================================================================================== NFO

IMAGE_BASE = "http://img.test/t/p"
TMDB_KEYS = [
    "id", "name", "original_name", "overview", "tagline", "original_language", "first_air_date",
    "status", "vote_average", "vote_count", "episode_run_time", "last_episode_to_air", "poster_path",
    "backdrop_path", "genres", "networks", "production_companies", "origin_country", "keywords",
    "content_ratings", "external_ids", "seasons", "aggregate_credits", "credits", "images", "translations",
]
TEXT = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(list("<>&\"']]\x00\r\n"))), max_size=20)
IMAGE_PATH = st.one_of(
    st.sampled_from(["/a.jpg", "/b.png", "/c.svg", "d.jpg", "http://evil.test/x.jpg", "//evil/x.jpg",
                     "/../../etc/x.jpg", "/a/../b.jpg", "/x.jpg?api_key=1", "/x y.jpg", "/x.jpg#f",
                     "https://img.test/t/p/original/z.jpg", "/%2e%2e/x.jpg", "\\\\evil\\x.jpg", "/ok.JPG"]),
    TEXT,
)
NAMED = st.lists(st.fixed_dictionaries({"name": st.one_of(TEXT, JSON_LEAF)}, optional={"id": JSON_LEAF}), max_size=4)
IMAGES = st.lists(st.fixed_dictionaries({"file_path": IMAGE_PATH}, optional={"iso_639_1": st.one_of(st.none(), TEXT)}),
                  max_size=3)
STRUCTURED = {
    "genres": NAMED, "networks": NAMED, "production_companies": NAMED,
    "keywords": st.fixed_dictionaries({"results": NAMED}),
    "poster_path": IMAGE_PATH, "backdrop_path": IMAGE_PATH, "status": TEXT, "original_name": TEXT,
    "images": st.fixed_dictionaries({}, optional={"posters": IMAGES, "backdrops": IMAGES, "logos": IMAGES}),
    "seasons": st.lists(st.fixed_dictionaries({"season_number": st.one_of(st.integers(-2, 3), JSON_LEAF)},
                                              optional={"name": TEXT, "poster_path": IMAGE_PATH}), max_size=3),
    "aggregate_credits": st.fixed_dictionaries({"cast": st.lists(st.fixed_dictionaries(
        {"name": TEXT}, optional={"profile_path": IMAGE_PATH, "order": JSON_LEAF,
                                  "roles": st.lists(st.fixed_dictionaries({"character": TEXT}), max_size=2)}),
        max_size=3)}),
}
DETAILS = st.fixed_dictionaries({}, optional={
    **{k: JSON for k in TMDB_KEYS},
    **{k: st.one_of(v, JSON) for k, v in STRUCTURED.items()},
})
ARTWORK = st.dictionaries(st.sampled_from(["poster", "fanart", "clearlogo", "other"]), st.one_of(IMAGE_PATH, JSON_LEAF),
                          max_size=3)


def _distinct_names(items) -> list[str]:
    out: list[str] = []
    for item in items if isinstance(items, list) else []:
        name = clean_text(item.get("name")) if isinstance(item, dict) else ""
        if name and name not in out:
            out.append(name)
    return out


@SLOW
@given(DETAILS, ARTWORK, st.one_of(st.just("en-US"), TEXT),
       st.one_of(st.just(["en-US"]), st.lists(st.one_of(TEXT, JSON_LEAF), max_size=3)))
@example({"poster_path": "http://evil.test/x.jpg", "backdrop_path": "/../../x.jpg",
          "seasons": [{"season_number": 1, "poster_path": "//evil/s.jpg"}]},
         {"clearlogo": "https://evil.test/l.png"}, "en-US", ["en-US"])
def test_nfo_from_arbitrary_documents(details, artwork, language, fallbacks):
    data = render_tvshow_nfo(details, language=language, fallback_languages=fallbacks, image_base=IMAGE_BASE,
                             artwork=artwork, date_added="2024-01-01 00:00:00")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    root = ET.fromstring(data)  # always well-formed
    assert root.tag == "tvshow"
    for el in root.iter():
        if len(el) == 0 and el is not root:
            assert el.text and el.text.strip(), el.tag  # no empty tags
            if el.tag in ("value", "votes", "runtime", "year", "order"):  # numbers are finite numbers
                assert math.isfinite(float(el.text)), (el.tag, el.text)
    # every image a media server is pointed at is a plain file on the image host
    for el in root.iter("thumb"):
        for url in (el.text, el.get("preview")):
            if url is None:
                continue
            assert url.startswith(IMAGE_BASE + "/"), url
            rest = url[len(IMAGE_BASE) + 1:]
            size, _, file_name = rest.partition("/")
            assert size and file_name and "/" not in file_name and ".." not in file_name, url
            assert not any(c in file_name for c in "?#%\\ "), url
    # the text that is kept is the cleaned text, in order
    assert [e.text for e in root.findall("genre")] == _distinct_names(details.get("genres"))
    networks = _distinct_names(details.get("networks"))
    studios = networks or _distinct_names(details.get("production_companies"))
    assert [e.text for e in root.findall("studio")] == studios
    status = clean_text(details.get("status"))
    assert root.findtext("status") == (status or None)
    original = clean_text(details.get("original_name"))
    assert root.findtext("originaltitle") == (original or None)
    if isinstance(details.get("keywords"), dict) and isinstance(details["keywords"].get("results"), list) \
            and details["keywords"]["results"]:
        assert [e.text for e in root.findall("tag")] == _distinct_names(details["keywords"]["results"])


@given(st.dictionaries(st.sampled_from(["absolute", "0", "1", "12"]), st.sets(st.integers(0, 3000), max_size=60)))
def test_scan_index_episode_ranges_round_trip(episodes):
    """The index stores episode lists as runs ("1-24,26"); what it reads back is what it wrote."""
    from aniload.scanindex import _compact, _expand

    numbers = {bucket: sorted(values) for bucket, values in episodes.items()}
    assert _expand(_compact(numbers)) == numbers


@pytest.mark.parametrize("text", ["1-", "-5", "5-1", "1-99999", "a", "1,,2", "1-2-3"])
def test_scan_index_rejects_ranges_it_did_not_write(text):
    from aniload.scanindex import _expand

    with pytest.raises(ValueError):
        _expand({"1": text})
