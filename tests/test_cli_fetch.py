"""End-to-end: `aniload fetch` through the real CLI against the TMDB stand-in on loopback."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from standin import Fault
from standin.images import jpeg_bytes
from tests.conftest import STANDIN_IDS, STANDIN_SPEC, build_library, snapshot


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return build_library(tmp_path / "lib", STANDIN_SPEC)


def by_folder(doc: dict) -> dict[str, dict]:
    return {s["folder"]: s for s in doc["series"]}


def sidecar_of(series_dir: Path) -> dict:
    return json.loads((series_dir / ".aniload.json").read_text())


def test_fetch_new_library_end_to_end(run, lib, tmdb, tmdb_env):
    r = run("fetch", lib, "--json", env=tmdb_env)
    assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["command"] == "fetch" and doc["summary"] == {"series": 4, "ok": 4, "failed": 0}
    series = by_folder(doc)
    for folder, tmdb_id in STANDIN_IDS.items():
        s = series[folder]
        assert s["tmdb_id"] == tmdb_id, (folder, s)
        assert s["status"] == "ok" and s["error"] is None
        assert s["steps"]["nfo"] == "done" and s["steps"]["poster"] == "done" and s["steps"]["fanart"] == "done"
        side = sidecar_of(lib / folder)
        assert side["match"]["tmdb_id"] == tmdb_id and side["match"]["media_type"] == "tv"
        for kind, name in (("poster", "poster.jpg"), ("fanart", "fanart.jpg")):
            record = side["steps"][kind]
            served = tmdb.image_bytes(record["size"], record["file_path"])
            assert (lib / folder / name).read_bytes() == served
        if s["steps"]["logo"] == "done":
            record = side["steps"]["logo"]
            png_path = record["file_path"].rsplit(".", 1)[0] + ".png"  # an SVG logo comes as its PNG rendition
            assert (lib / folder / "clearlogo.png").read_bytes() == tmdb.image_bytes(record["size"], png_path)
            assert (lib / folder / "clearlogo.png").read_bytes().startswith(b"\x89PNG")
    assert series["Attack on Titan (2013)"]["episodes"] == {"1": [1, 2], "absolute": []}
    # at most 2 API requests per new series, plus one credentials check for the run
    assert len(tmdb.api_requests()) <= 2 * 4 + 1
    assert tmdb.count(status=429) == 0


def test_nfo_content_is_kodi_format(run, lib, tmdb_env):
    assert run("fetch", lib, "--series", "Attack on Titan (2013)", env=tmdb_env).code == 0
    raw = (lib / "Attack on Titan (2013)" / "tvshow.nfo").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    root = ET.fromstring(raw)
    assert root.tag == "tvshow"
    assert root.findtext("title") == "Attack on Titan"
    assert root.findtext("originaltitle") == "進撃の巨人"
    assert root.findtext("year") == "2013" and root.findtext("premiered").startswith("2013-")
    assert root.find("uniqueid[@type='tmdb']").text == "1429"
    assert root.find("uniqueid[@type='tmdb']").get("default") == "true"
    assert json.loads(root.findtext("episodeguide"))["tmdb"] == "1429"
    for tag in ("plot", "status", "genre", "studio", "mpaa", "runtime", "showtitle"):
        assert root.findtext(tag), tag
    assert root.find("ratings/rating[@name='themoviedb']/value") is not None
    assert root.find("thumb[@aspect='poster']") is not None and root.find("fanart/thumb") is not None
    assert root.findall("namedseason") and root.findall("actor/name") and root.findall("actor/role")


def test_rerun_costs_zero_requests_and_writes_nothing(run, lib, tmdb, tmdb_env):
    assert run("fetch", lib, env=tmdb_env).code == 0
    tmdb.reset_log()
    before = snapshot(lib)
    r = run("fetch", lib, "--json", env=tmdb_env)
    assert r.code == 0
    assert tmdb.api_requests() == [] and tmdb.count(kind="image") == 0
    assert all(set(s["steps"].values()) <= {"present", "unavailable"} for s in r.json()["series"])
    after = snapshot(lib)
    after.pop(".aniload.lock"), before.pop(".aniload.lock")
    assert after == before


def test_ambiguous_title_fails_with_candidates_then_pin_wins(run, tmp_path, tmdb, tmdb_env):
    lib = build_library(tmp_path / "lib", {"Hunter x Hunter": ["Hunter x Hunter - 01.mkv"], "Cowboy Bebop": ["x - 01.mkv"]})
    r = run("fetch", lib, "--json", env=tmdb_env)
    assert r.code == 1
    series = by_folder(r.json())
    hxh = series["Hunter x Hunter"]
    assert hxh["status"] == "failed" and hxh["tmdb_id"] is None
    assert "12850" in hxh["error"] and "46298" in hxh["error"] and "--tmdb-id" in hxh["error"]
    assert "\n" not in hxh["error"]
    assert not (lib / "Hunter x Hunter" / "tvshow.nfo").exists()
    assert series["Cowboy Bebop"]["status"] == "ok"  # the others went on
    assert run("status", lib, "--json").code == 1  # status remembers the failure

    r = run("fetch", lib, "--series", "Hunter x Hunter", "--tmdb-id", "46298", "--json", env=tmdb_env)
    assert r.code == 0, r.stderr
    assert r.json()["series"][0]["tmdb_id"] == 46298
    side = sidecar_of(lib / "Hunter x Hunter")
    assert side["match"]["tmdb_id"] == 46298 and side["match"]["pinned"] is True
    # the pin wins on later runs, without searching again
    (lib / "Hunter x Hunter" / "tvshow.nfo").unlink()
    tmdb.reset_log()
    assert run("fetch", lib, "--series", "Hunter x Hunter", env=tmdb_env).code == 0
    assert not [q for q in tmdb.api_requests() if "/search/" in q.path]
    assert ET.parse(lib / "Hunter x Hunter" / "tvshow.nfo").find("uniqueid[@type='tmdb']").text == "46298"


def test_tmdb_id_needs_exactly_one_series(run, lib, tmdb_env):
    r = run("fetch", lib, "--tmdb-id", "1429", env=tmdb_env)
    assert r.code == 2 and "exactly one --series" in r.stderr
    assert not (lib / "Cowboy Bebop" / ".aniload.json").exists()


def test_exact_title_beats_popularity_and_year_decides(run, tmp_path, tmdb_env):
    lib = build_library(tmp_path / "lib", {
        "Monster": ["Monster - 01.mkv"],  # "Monster Musume" is more popular
        "Fruits Basket (2019)": ["Fruits Basket - 01.mkv"],
        "Fruits Basket (2001)": ["Fruits Basket - 01.mkv"],
        "Detektiv Conan": ["Detektiv Conan - Folge 1.mp4"],
        "葬送のフリーレン": ["第01話.mkv"],
    })
    r = run("fetch", lib, "--json", env=tmdb_env)
    series = by_folder(r.json())
    assert series["Monster"]["tmdb_id"] == 30981
    assert series["Fruits Basket (2019)"]["tmdb_id"] == 86836
    assert series["Fruits Basket (2001)"]["tmdb_id"] == 30980
    assert series["Detektiv Conan"]["tmdb_id"] == 30983
    assert series["葬送のフリーレン"]["tmdb_id"] == 209867
    assert r.code == 0, r.stderr


def test_german_language_nfo(run, tmp_path, tmdb_env):
    lib = build_library(tmp_path / "lib", {"Attack on Titan (2013)": ["x - S01E01.mkv"], "Bocchi the Rock! (2022)": ["x - 01.mkv"]})
    r = run("fetch", lib, "--json", env={**tmdb_env, "ANILOAD_LANGUAGE": "de-DE"})
    assert r.code == 0, r.stderr
    aot = ET.parse(lib / "Attack on Titan (2013)" / "tvshow.nfo").getroot()
    assert aot.findtext("title") == "Attack on Titan" or "Titan" in aot.findtext("title")
    assert aot.findtext("mpaa") and "16" in aot.findtext("mpaa")
    bocchi = ET.parse(lib / "Bocchi the Rock! (2022)" / "tvshow.nfo").getroot()
    assert bocchi.findtext("title") == "BOCCHI THE ROCK!"  # no German: the en-US fallback, not Japanese
    assert bocchi.findtext("plot")


def test_existing_nfo_pins_and_is_never_overwritten(run, tmp_path, tmdb, tmdb_env):
    lib = build_library(tmp_path / "lib", {"My Odd Folder Name": ["x - 01.mkv"]})
    foreign = b'<?xml version="1.0"?>\n<tvshow><title>Mine</title><uniqueid type="tmdb">1429</uniqueid></tvshow>\n'
    (lib / "My Odd Folder Name" / "tvshow.nfo").write_bytes(foreign)
    r = run("fetch", lib, "--json", env=tmdb_env)
    assert r.code == 0, r.stderr
    s = r.json()["series"][0]
    assert s["tmdb_id"] == 1429 and s["steps"]["nfo"] == "present" and s["steps"]["poster"] == "done"
    assert (lib / "My Odd Folder Name" / "tvshow.nfo").read_bytes() == foreign
    assert not [q for q in tmdb.api_requests() if "/search/" in q.path]
    r = run("fetch", lib, "--force", "--json", env=tmdb_env)  # only --force replaces it
    assert r.json()["series"][0]["steps"]["nfo"] == "done"
    assert ET.parse(lib / "My Odd Folder Name" / "tvshow.nfo").getroot().findtext("title") == "Attack on Titan"


def test_edited_nfo_is_kept(run, lib, tmdb_env):
    run("fetch", lib, "--series", "Cowboy Bebop", env=tmdb_env)
    nfo = lib / "Cowboy Bebop" / "tvshow.nfo"
    edited = nfo.read_bytes().replace(b"<title>", b"<title>My ")
    nfo.write_bytes(edited)
    (lib / "Cowboy Bebop" / "poster.jpg").unlink()
    r = run("fetch", lib, "--series", "Cowboy Bebop", "--json", env=tmdb_env)
    assert r.json()["series"][0]["steps"]["nfo"] == "present" and r.json()["series"][0]["steps"]["poster"] == "done"
    assert nfo.read_bytes() == edited


def test_dry_run_writes_nothing_but_says_what_it_would_do(run, lib, tmdb, tmdb_env):
    before = snapshot(lib)
    r = run("fetch", lib, "--dry-run", "--json", env=tmdb_env)
    assert r.code == 0, r.stderr
    assert snapshot(lib) == before
    assert tmdb.count(kind="image") == 0
    assert "would write tvshow.nfo" in r.stderr and "would download poster.jpg" in r.stderr
    s = by_folder(r.json())["Attack on Titan (2013)"]
    assert s["tmdb_id"] == 1429 and s["steps"]["nfo"] == "pending" and s["steps"]["poster"] == "pending"


def test_force_redoes_nfo_and_artwork(run, lib, tmdb_env):
    run("fetch", lib, "--series", "Frieren (2023)", env=tmdb_env)
    poster = lib / "Frieren (2023)" / "poster.jpg"
    good = poster.read_bytes()
    poster.write_bytes(b"\xff\xd8\xff not really")
    assert run("fetch", lib, "--series", "Frieren (2023)", "--json", env=tmdb_env).json()["series"][0]["steps"]["poster"] == "present"
    r = run("fetch", lib, "--series", "Frieren (2023)", "--force", "--json", env=tmdb_env)
    steps = r.json()["series"][0]["steps"]
    assert steps["nfo"] == "done" and steps["poster"] == "done"
    assert poster.read_bytes() == good


def test_unavailable_logo_is_remembered(run, tmp_path, tmdb, tmdb_env):
    lib = build_library(tmp_path / "lib", {"Mushi-Shi (2005)": ["Mushishi - 01.mkv"]})
    r = run("fetch", lib, "--json", env=tmdb_env)
    assert r.code == 0, r.stderr
    steps = r.json()["series"][0]["steps"]
    assert steps["logo"] == "unavailable" and steps["fanart"] == "unavailable"
    tmdb.reset_log()
    r = run("fetch", lib, "--json", env=tmdb_env)
    assert r.json()["series"][0]["steps"]["logo"] == "unavailable" and tmdb.api_requests() == []
    assert run("status", lib, "--json").json()["series"][0]["steps"]["logo"] == "unavailable"
    tmdb.reset_log()
    run("fetch", lib, "--force", env=tmdb_env)
    assert tmdb.api_requests()  # --force asks again


def test_rejected_key_exit_2_nothing_written(run, lib, tmdb, tmdb_env):
    before = snapshot(lib)
    r = run("fetch", lib, "--json", env={**tmdb_env, "ANILOAD_TMDB_READ_ACCESS_TOKEN": "wrong-token-abc"})
    assert r.code == 2
    assert "rejected" in r.stderr and "wrong-token-abc" not in r.stderr + r.stdout
    after = snapshot(lib)
    after.pop(".aniload.lock")  # the lock file is the library's own furniture, not a change
    assert after == before
    assert len(tmdb.api_requests()) == 1


def test_missing_key_exit_2(run, lib, tmdb):
    r = run("fetch", lib, env={"ANILOAD_TMDB_API_BASE": tmdb.api_base})
    assert r.code == 2 and "no TMDB credentials" in r.stderr
    assert not (lib / "Cowboy Bebop" / ".aniload.json").exists()


def test_server_errors_fail_one_series_and_secrets_never_appear(run, lib, tmdb, tmdb_env):
    key = tmdb.api_key
    env = {**tmdb_env, "ANILOAD_TMDB_READ_ACCESS_TOKEN": "", "ANILOAD_TMDB_API_KEY": key}
    tmdb.add_fault(Fault(kind="status", status=500, path_contains="/tv/12850", times=None))
    tmdb.add_fault(Fault(kind="rate_limit", retry_after=0.2, path_contains="/search/tv", times=2))
    cfg = lib.parent / "fast.toml"
    cfg.write_text("[tmdb]\nmax_retries = 2\n")
    r = run("--config", cfg, "fetch", lib, "--json", env=env)
    assert r.code == 1
    series = by_folder(r.json())
    assert series["Hunter x Hunter (1999)"]["status"] == "failed"
    assert "500" in series["Hunter x Hunter (1999)"]["error"]
    assert all(s["status"] == "ok" for f, s in series.items() if f != "Hunter x Hunter (1999)")
    written = b"".join(p.read_bytes() for p in lib.rglob("*") if p.is_file())
    for secret in (key, tmdb.read_access_token):
        assert secret not in r.stdout and secret not in r.stderr
        assert secret.encode() not in written
    verbose = run("--config", cfg, "-v", "fetch", lib, "--json", env=env)
    assert key not in verbose.stdout + verbose.stderr


def test_new_pin_redoes_what_aniload_made_for_the_old_match(run, lib, tmdb, tmdb_env):
    folder = lib / "Hunter x Hunter (1999)"
    assert run("fetch", lib, "--series", folder.name, env=tmdb_env).code == 0
    assert ET.parse(folder / "tvshow.nfo").find("uniqueid[@type='tmdb']").text == "12850"
    old_poster = (folder / "poster.jpg").read_bytes()
    # the user's own images since: one copied over aniload's (the folder's mtime stays), one renamed in
    mine = jpeg_bytes(64, 36, (200, 30, 30), comment="mine")
    with open(folder / "fanart.jpg", "r+b") as fh:
        fh.write(mine)
        fh.truncate()
    (folder / "mine.png").write_bytes(b"\x89PNG my logo")
    os.replace(folder / "mine.png", folder / "clearlogo.png")
    r = run("fetch", lib, "--series", folder.name, "--tmdb-id", "46298", "--json", env=tmdb_env)
    assert r.code == 0, r.stderr
    steps = r.json()["series"][0]["steps"]
    assert steps["nfo"] == "done" and steps["poster"] == "done"
    assert ET.parse(folder / "tvshow.nfo").find("uniqueid[@type='tmdb']").text == "46298"
    assert (folder / "poster.jpg").read_bytes() != old_poster
    assert (folder / "fanart.jpg").read_bytes() == mine  # not aniload's any more: kept
    assert (folder / "clearlogo.png").read_bytes() == b"\x89PNG my logo"
    assert steps["fanart"] == "present" and steps["logo"] == "present"
    # the same pin again: nothing to redo, nothing asked
    tmdb.reset_log()
    r = run("fetch", lib, "--series", folder.name, "--tmdb-id", "46298", "--json", env=tmdb_env)
    assert r.code == 0 and tmdb.api_requests() == []
    assert sidecar_of(folder)["match"] == {**sidecar_of(folder)["match"], "tmdb_id": 46298, "pinned": True}


def test_pin_of_a_complete_series_is_saved_without_requests(run, lib, tmdb, tmdb_env):
    folder = lib / "Cowboy Bebop"
    (folder / "tvshow.nfo").write_text("<tvshow><title>hand made</title></tvshow>")
    for name in ("poster.jpg", "fanart.jpg", "clearlogo.png"):
        (folder / name).write_bytes(b"x")
    r = run("fetch", lib, "--series", folder.name, "--tmdb-id", "30991", env=tmdb_env)
    assert r.code == 0 and tmdb.api_requests() == []
    assert sidecar_of(folder)["match"]["tmdb_id"] == 30991 and sidecar_of(folder)["match"]["pinned"]
