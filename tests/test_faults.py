"""Fault tolerance, end to end: `aniload fetch` through the real CLI against the stand-in,
with TMDB (API) and CDN (image) faults injected.

Every fault class is tried on the three request paths of a series: the search (Frieren),
the details (Attack on Titan, matched without details so its search stays clean) and an
image (Cowboy Bebop's poster). Hunter x Hunter (1999) is never faulted: it proves that the
others are unaffected. After every faulty run:

* the library holds no temp file, and every image / NFO / sidecar that is there is whole
  (the artwork byte for byte what the CDN serves);
* a transient fault (``times`` 1..3) ends ok after retries; a permanent one
  (``times=None``) fails its series with a one-line ``error``, exit code 1, the rest ok;
* a later clean run exits 0 with everything ok and asks TMDB only for what is missing:
  a complete series costs nothing, a series with a saved match costs its details (no
  search) plus one download per missing image.

The whole file is meant to stay around a minute: small ``max_retries``, a 0.5 s read
timeout only where a timeout is the fault, and small Retry-After values.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from aniload.artwork import pick_image
from standin import Fault, Standin
from standin.catalog import Catalog
from tests.conftest import STANDIN_IDS, STANDIN_SPEC, build_library

ART_FILES = {"poster": "poster.jpg", "fanart": "fanart.jpg", "logo": "clearlogo.png"}

SEARCHED = "Frieren (2023)"          # its search is faulted
DETAILED = "Attack on Titan (2013)"  # its details are faulted
IMAGED = "Cowboy Bebop"              # its poster download is faulted
CLEAN = "Hunter x Hunter (1999)"     # never faulted
BEBOP_POSTER = pick_image(Catalog.default()[30991]["images"]["posters"], kind="poster",
                          language="en-US", fallback_languages=["en-US"])["file_path"]
PATHS = {SEARCHED: "query=Frieren", DETAILED: "/tv/1429", IMAGED: BEBOP_POSTER}

# Transient runs allow 3 retries (API); the image downloader always makes 3 attempts.
TRANSIENT_CFG = "[tmdb]\nmax_retries = 3\nread_timeout = 5\n[artwork]\nmax_image_mb = 1\n"
PERMANENT_CFG = "[tmdb]\nmax_retries = 1\nread_timeout = 5\n[artwork]\nmax_image_mb = 1\n"
TIMEOUT_CFG = "[tmdb]\nmax_retries = {retries}\nread_timeout = 0.5\n[artwork]\nmax_image_mb = 1\n"

# fault class -> (Fault factory(path, times, where), config template,
#                 paths whose TRANSIENT fault still fails the series by design)
HUGE_JSON_RETRYABLE = 1_000_001  # valid JSON but not an object: retried like any nonsense body
HUGE_JSON_REFUSED = 33 * 2**20   # over the client's 32 MiB cap: refused at once
HUGE_IMAGE = 2 * 2**20           # a whole JPEG, but over max_image_mb = 1: refused at once


def _huge(path: str, times: int | None, where: str) -> Fault:
    if where == "image":
        size = HUGE_IMAGE
    else:
        size = HUGE_JSON_RETRYABLE if times is not None else HUGE_JSON_REFUSED
    return Fault("huge", path, times=times, size=size)


CLASSES = {
    # 500 on the search, 502 + Retry-After on the details, 503 on the image
    "5xx": (lambda p, t, w: Fault("status", p, times=t, status={"search": 500, "details": 502}.get(w, 503),
                                  retry_after=0.2 if w == "details" else None), None, set()),
    # 429 without Retry-After on the search and the image, with one (0.2 s) on the details;
    # test_429_storms_* and test_stand_in_rate_limit_storm_* separate the two at scale
    "429": (lambda p, t, w: Fault("rate_limit", p, times=t, retry_after=0.2 if w == "details" else None),
            None, set()),
    "reset": (lambda p, t, w: Fault("reset", p, times=t), None, set()),
    "timeout": (lambda p, t, w: Fault("slow", p, times=t, delay=1.0), TIMEOUT_CFG, set()),
    "truncated": (lambda p, t, w: Fault("truncate", p, times=t), None, set()),
    # HTML, JSON or an over-size image where an image was expected is a clear answer, not
    # a glitch: artwork.download_image does not retry it (see test_artwork).
    "html": (lambda p, t, w: Fault("content_type", p, times=t), None, {"image"}),
    "invalid-json": (lambda p, t, w: Fault("invalid_json", p, times=t), None, {"image"}),
    "huge": (_huge, None, {"image"}),
}
WHERE = {SEARCHED: "search", DETAILED: "details", IMAGED: "image"}
# Transient: bad answers in a row per path. Kept small for speed; the storms and
# test_faults_everywhere_at_once go up to 3 and 10.
TIMES = {SEARCHED: 2, DETAILED: 1, IMAGED: 1}

# Expected words in the one-line error of a permanently faulted series.
ERROR_HINT = {SEARCHED: "/search/tv", DETAILED: "/tv/1429", IMAGED: "poster"}


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return build_library(tmp_path / "lib", STANDIN_SPEC)


@pytest.fixture
def tmdb2():
    """A second stand-in, so that two scenarios can run side by side."""
    with Standin() as server:
        yield server


def env_for(tmdb) -> dict[str, str]:
    return {
        "ANILOAD_TMDB_API_BASE": tmdb.api_base,
        "ANILOAD_TMDB_IMAGE_BASE": tmdb.image_base,
        "ANILOAD_TMDB_READ_ACCESS_TOKEN": tmdb.read_access_token,
    }


def write_cfg(tmp_path: Path, text: str) -> Path:
    cfg = tmp_path / "aniload.toml"
    cfg.write_text(text)
    return cfg


def by_folder(doc: dict) -> dict[str, dict]:
    return {s["folder"]: s for s in doc["series"]}


def fetch(run, lib: Path, env: dict, cfg: Path | None = None):
    args = (("--config", cfg) if cfg else ()) + ("fetch", lib, "--json")
    r = run(*args, env=env)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.stdout.strip(), f"no JSON document on stdout (exit {r.code}): {r.stderr}"
    return r, r.json()


def assert_whole(lib: Path, tmdb) -> None:
    """No temp file anywhere; everything aniload wrote is whole and what TMDB serves."""
    leftovers = [str(p.relative_to(lib)) for p in lib.rglob("*") if p.name.endswith(".aniload-tmp")]
    assert leftovers == []
    for folder in STANDIN_SPEC:
        d = lib / folder
        side = {}
        if (d / ".aniload.json").exists():
            side = json.loads((d / ".aniload.json").read_text(encoding="utf-8"))
            assert isinstance(side, dict)
        if (d / "tvshow.nfo").exists():
            root = ET.parse(d / "tvshow.nfo").getroot()
            assert root.tag == "tvshow" and root.find("uniqueid[@type='tmdb']").text == str(STANDIN_IDS[folder])
        for kind, name in ART_FILES.items():
            p = d / name
            if not p.exists():
                continue
            data = p.read_bytes()
            if name.endswith(".jpg"):
                assert data.startswith(b"\xff\xd8\xff") and data.endswith(b"\xff\xd9"), p
            else:
                assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82"), p
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
            record = side.get("steps", {}).get(kind, {})
            if record.get("file_path"):
                served = record["file_path"]
                if name.endswith(".png") and served.endswith(".svg"):
                    served = served[:-4] + ".png"
                assert data == tmdb.image_bytes(record["size"], served), p


def missing_work(lib: Path) -> tuple[Counter, int]:
    """What a clean run must ask for: API paths (a Counter) and the number of downloads."""
    api: Counter = Counter()
    images = 0
    for folder in STANDIN_SPEC:
        d = lib / folder
        missing = [n for n in ("tvshow.nfo", *ART_FILES.values()) if not (d / n).exists()]
        if not missing:
            continue
        side = json.loads((d / ".aniload.json").read_text(encoding="utf-8")) if (d / ".aniload.json").exists() else {}
        if not (side.get("match") or {}).get("tmdb_id"):
            api["/3/search/tv"] += 1
        api[f"/3/tv/{STANDIN_IDS[folder]}"] += 1
        images += sum(1 for n in ART_FILES.values() if n in missing)
    if api:
        api["/3/configuration"] += 1  # the credentials check of a run that goes online
    return api, images


def heal(run, lib: Path, tmdb, env: dict, cfg: Path | None = None) -> dict:
    """Clear the faults, run again: exit 0, all ok, only what was missing is fetched."""
    want_api, want_images = missing_work(lib)
    tmdb.clear_faults()
    assert tmdb.wait_idle()  # an answer the faulty run gave up on is logged when it ends
    tmdb.reset_log()
    r, doc = fetch(run, lib, env, cfg)
    assert r.code == 0, (r.stderr, doc)
    assert doc["summary"] == {"series": len(STANDIN_SPEC), "ok": len(STANDIN_SPEC), "failed": 0}
    for s in doc["series"]:
        assert s["error"] is None and s["tmdb_id"] == STANDIN_IDS[s["folder"]]
        assert set(s["steps"].values()) <= {"done", "present"}, s
        # a complete folder is left alone
        if not any(v == "done" for k, v in s["steps"].items() if k != "episodes"):
            assert set(s["steps"].values()) == {"present"}, s
    got_api = Counter(q.path for q in tmdb.api_requests())
    assert got_api == want_api
    assert tmdb.count(kind="image") == want_images
    assert tmdb.count(status=429) == 0
    assert_whole(lib, tmdb)
    return doc


def assert_one_line_error(s: dict, hint: str, tmdb) -> None:
    assert s["status"] == "failed", s
    error = s["error"]
    assert isinstance(error, str) and error.strip() and "\n" not in error and len(error) < 400, error
    assert hint in error, error
    assert tmdb.read_access_token not in error and "Traceback" not in error


def add_faults(tmdb, cls: str, *, permanent: bool) -> None:
    """The class's fault on the search, the details and the image path (one series each)."""
    factory = CLASSES[cls][0]
    for folder, path in PATHS.items():
        tmdb.add_fault(factory(path, None if permanent else TIMES[folder], WHERE[folder]))


# ----------------------------------------------------------------------------- per fault class


def transient_case(cls: str, run, root: Path, tmdb) -> None:
    """A few bad answers per path: every series ends ok after retries (or, where the
    downloader deliberately does not retry, fails with a one-line reason)."""
    template, by_design = CLASSES[cls][1], CLASSES[cls][2]
    lib, env = build_library(root / "lib", STANDIN_SPEC), env_for(tmdb)
    cfg = write_cfg(root, template.format(retries=3) if template else TRANSIENT_CFG)
    add_faults(tmdb, cls, permanent=False)
    r, doc = fetch(run, lib, env, cfg)
    series = by_folder(doc)
    for folder, where in WHERE.items():
        if where in by_design:
            assert_one_line_error(series[folder], ERROR_HINT[folder], tmdb)
        else:
            assert series[folder]["status"] == "ok", (cls, series[folder], r.stderr)
    assert series[CLEAN]["status"] == "ok" and series[CLEAN]["steps"]["poster"] == "done"
    assert r.code == (1 if by_design else 0), r.stderr
    for fault in tmdb.faults:  # the faults really fired: the run survived them, not missed them
        assert fault.fired >= 1, fault
    assert_whole(lib, tmdb)
    heal(run, lib, tmdb, env, cfg)


def permanent_case(cls: str, run, root: Path, tmdb) -> None:
    """The fault never ends: its three series fail with a one-line error, the fourth is ok."""
    template = CLASSES[cls][1]
    lib, env = build_library(root / "lib", STANDIN_SPEC), env_for(tmdb)
    cfg = write_cfg(root, template.format(retries=1) if template else PERMANENT_CFG)
    add_faults(tmdb, cls, permanent=True)
    r, doc = fetch(run, lib, env, cfg)
    assert r.code == 1, r.stderr
    assert doc["summary"] == {"series": 4, "ok": 1, "failed": 3}
    series = by_folder(doc)
    for folder in PATHS:
        assert_one_line_error(series[folder], ERROR_HINT[folder], tmdb)
        assert folder in r.stderr  # the human summary names it too
    assert series[CLEAN]["status"] == "ok" and series[CLEAN]["error"] is None
    assert {series[CLEAN]["steps"][k] for k in ("nfo", *ART_FILES)} == {"done"}
    # a series that failed before its details has nothing; the one whose poster failed has its NFO
    for folder in (SEARCHED, DETAILED):
        assert not any((lib / folder / n).exists() for n in ("tvshow.nfo", *ART_FILES.values()))
        assert series[folder]["steps"]["nfo"] == "failed"
    assert series[IMAGED]["steps"]["nfo"] == "done" and series[IMAGED]["steps"]["poster"] == "failed"
    assert not (lib / IMAGED / "poster.jpg").exists()
    assert_whole(lib, tmdb)
    heal(run, lib, tmdb, env, cfg)


@pytest.mark.parametrize("cls", list(CLASSES))
def test_fault_class_transient_and_permanent(cls, run, tmp_path, tmdb, tmdb2):
    """Both cases of a class at once, each with its own stand-in and library (halves the time)."""
    (tmp_path / "transient").mkdir()
    (tmp_path / "permanent").mkdir()
    with ThreadPoolExecutor(2) as pool:
        transient = pool.submit(transient_case, cls, run, tmp_path / "transient", tmdb)
        permanent = pool.submit(permanent_case, cls, run, tmp_path / "permanent", tmdb2)
        transient.result()
        permanent.result()


# ----------------------------------------------------------------------------- 429 storms


def test_stand_in_rate_limit_storm_ends_all_ok(run, lib, tmp_path, tmdb, tmdb_env):
    """TMDB itself throttling (5 req/s, Retry-After in whole seconds): everyone waits, all ok."""
    tmdb.rate_limit = 5
    r, doc = fetch(run, lib, tmdb_env)
    assert r.code == 0, r.stderr
    assert doc["summary"]["ok"] == 4
    assert tmdb.count(status=429) >= 1  # it really was a storm
    assert_whole(lib, tmdb)
    tmdb.rate_limit = None
    heal(run, lib, tmdb, tmdb_env)


def storm_case(run, root: Path, tmdb, *, retry_after: float | None, times: int) -> None:
    lib, env = build_library(root / "lib", STANDIN_SPEC), env_for(tmdb)
    cfg = write_cfg(root, "[tmdb]\nmax_retries = 10\n")
    # `times` refusals for each kind of API request the run makes; whoever asks first gets them
    for path in ("/search/tv", "/3/tv/"):
        tmdb.add_fault(Fault("rate_limit", path, times=times, retry_after=retry_after))
    tmdb.add_fault(Fault("rate_limit", "/configuration", times=2, retry_after=retry_after))
    r, doc = fetch(run, lib, env, cfg)
    assert r.code == 0, r.stderr
    assert doc["summary"]["ok"] == 4
    assert tmdb.count(status=429) == 2 * times + 2
    assert_whole(lib, tmdb)
    heal(run, lib, tmdb, env, cfg)


def test_429_storms_on_every_api_path_end_all_ok(run, tmp_path, tmdb, tmdb2):
    """10 x 429 on the searches and 10 on the details (+2 on the credentials check) with a
    Retry-After; without one, where each 429 costs a growing backoff for everyone, 5 + 5 + 2."""
    (tmp_path / "ra").mkdir()
    (tmp_path / "no-ra").mkdir()
    with ThreadPoolExecutor(2) as pool:
        with_ra = pool.submit(storm_case, run, tmp_path / "ra", tmdb, retry_after=0.1, times=10)
        without = pool.submit(storm_case, run, tmp_path / "no-ra", tmdb2, retry_after=None, times=5)
        with_ra.result()
        without.result()


def test_normal_run_stays_under_40_per_second(run, tmp_path, tmdb, tmdb_env):
    """The whole catalogue (more than 40 API requests) against TMDB's documented limit."""
    titles = {
        "Attack on Titan (2013)": 1429, "Frieren (2023)": 209867, "Cowboy Bebop (1998)": 30991,
        "Fullmetal Alchemist Brotherhood (2009)": 31911, "Hunter x Hunter (2011)": 46298,
        "Hunter x Hunter (1999)": 12850, "Fruits Basket (2001)": 30980, "Fruits Basket (2019)": 86836,
        "Spy x Family (2022)": 120089, "Jujutsu Kaisen (2020)": 95479, "Demon Slayer (2019)": 85937,
        "One Piece (1999)": 37854, "Vinland Saga (2019)": 88803, "Chainsaw Man (2022)": 114410,
        "Mob Psycho 100 (2016)": 67075, "Steins;Gate (2011)": 42509, "Made in Abyss (2017)": 72636,
        "Bocchi the Rock! (2022)": 119100, "Dr. Stone (2019)": 86031, "Toradora! (2008)": 42942,
        "Mushi-Shi (2005)": 45845, "Monster (2004)": 30981, "Case Closed (1996)": 30983,
    }
    lib = build_library(tmp_path / "big", {t: ["x - 01.mkv"] for t in titles})
    tmdb.rate_limit = 40
    r, doc = fetch(run, lib, tmdb_env)
    assert r.code == 0, r.stderr
    assert {s["folder"]: s["tmdb_id"] for s in doc["series"]} == titles
    assert len(tmdb.api_requests()) > 40  # more than the stand-in's one-second burst allowance
    assert tmdb.count(status=429) == 0


# ----------------------------------------------------------------------------- more cases


def test_credentials_check_survives_a_transient_outage(run, lib, tmp_path, tmdb, tmdb_env):
    cfg = write_cfg(tmp_path, TRANSIENT_CFG)
    tmdb.add_fault(Fault("status", "/configuration", times=1, status=503))
    tmdb.add_fault(Fault("reset", "/configuration", times=1))
    r, doc = fetch(run, lib, tmdb_env, cfg)
    assert r.code == 0, r.stderr
    assert doc["summary"]["ok"] == 4
    heal(run, lib, tmdb, tmdb_env, cfg)


def test_faults_everywhere_at_once_then_heal(run, lib, tmp_path, tmdb, tmdb_env):
    """A bad night: every kind of glitch on one run, a few of them for good."""
    cfg = write_cfg(tmp_path, "[tmdb]\nmax_retries = 4\n[artwork]\nmax_image_mb = 1\n")
    for fault in (
        Fault("rate_limit", "/search/tv", times=2),
        Fault("reset", "/search/tv", times=1),
        Fault("truncate", "/3/tv/", times=2),
        Fault("content_type", "/3/tv/", times=1),
        Fault("invalid_json", "/3/tv/", times=1),
        Fault("status", "/t/p/", times=3, status=502),
        Fault("truncate", "/t/p/", times=2),
        Fault("reset", "/t/p/", times=2),
        Fault("rate_limit", "/t/p/", times=2, retry_after=0.1),
    ):
        tmdb.add_fault(fault)
    r, doc = fetch(run, lib, tmdb_env, cfg)
    assert r.code in (0, 1), r.stderr
    for s in doc["series"]:
        if s["status"] == "failed":  # only an image can run out of its 3 attempts here
            assert s["error"] and "\n" not in s["error"] and s["error"].split(":")[0] in ART_FILES, s
    assert_whole(lib, tmdb)
    heal(run, lib, tmdb, tmdb_env, cfg)


def test_image_fault_leaves_an_existing_file_alone(run, lib, tmp_path, tmdb, tmdb_env):
    """--force over a good poster: a truncated or over-size answer never replaces it."""
    cfg = write_cfg(tmp_path, PERMANENT_CFG)
    assert run("fetch", lib, "--series", IMAGED, env=tmdb_env).code == 0
    before = (lib / IMAGED / "poster.jpg").read_bytes()
    for kind in ("truncate", "huge"):
        tmdb.add_fault(Fault(kind, BEBOP_POSTER, times=None, size=HUGE_IMAGE))
        r = run("--config", cfg, "fetch", lib, "--series", IMAGED, "--force", "--json", env=tmdb_env)
        assert r.code == 1
        assert_one_line_error(r.json()["series"][0], "poster", tmdb)
        assert (lib / IMAGED / "poster.jpg").read_bytes() == before
        assert_whole(lib, tmdb)
        tmdb.clear_faults()


# ----------------------------------------------------------------------------- known gaps (fetch.py)


def test_failed_poster_costs_only_the_poster_later(run, lib, tmp_path, tmdb, tmdb_env):
    cfg = write_cfg(tmp_path, PERMANENT_CFG)
    tmdb.add_fault(Fault("status", BEBOP_POSTER, times=None, status=503))
    r, doc = fetch(run, lib, tmdb_env, cfg)
    assert r.code == 1
    bebop = by_folder(doc)[IMAGED]
    assert_one_line_error(bebop, "poster", tmdb)
    assert bebop["steps"]["poster"] == "failed"
    assert bebop["steps"]["fanart"] == "done" and bebop["steps"]["logo"] == "done"
    tmdb.clear_faults()
    tmdb.reset_log()
    r, doc = fetch(run, lib, tmdb_env, cfg)
    assert r.code == 0
    assert [q.path for q in tmdb.api_requests()] == ["/3/configuration", "/3/tv/30991"]
    assert [q.path for q in tmdb.image_requests()] == [f"/t/p/original{BEBOP_POSTER}"]


def test_tmdb_down_for_the_whole_run_still_reports(run, lib, tmp_path, tmdb, tmdb_env):
    cfg = write_cfg(tmp_path, PERMANENT_CFG)
    tmdb.add_fault(Fault("status", "/configuration", times=None, status=503))
    r = run("--config", cfg, "fetch", lib, "--json", env=tmdb_env)
    assert r.code == 1
    doc = r.json()  # contract: exactly one JSON document on stdout when the command ends
    assert doc["summary"] == {"series": 4, "ok": 0, "failed": 4}
    for s in doc["series"]:
        assert_one_line_error(s, "503", tmdb)
        assert s["steps"]["nfo"] == "failed" and s["steps"]["episodes"] == "done"
    assert_whole(lib, tmdb)
    heal(run, lib, tmdb, tmdb_env, cfg)


def test_image_retries_follow_max_retries(run, lib, tmp_path, tmdb, tmdb_env):
    cfg = write_cfg(tmp_path, "[tmdb]\nmax_retries = 3\n")
    tmdb.add_fault(Fault("status", BEBOP_POSTER, times=3, status=503))
    r, doc = fetch(run, lib, tmdb_env, cfg)
    assert r.code == 0, by_folder(doc)[IMAGED]["error"]
