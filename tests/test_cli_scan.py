"""End-to-end: `aniload scan` / `status` / `config` through the real entry point in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import build_library, snapshot

SPEC = {
    "Attack on Titan (2013)": {
        "Season 1": ["Attack on Titan - S01E01 - To You.mkv", "Attack on Titan - S01E02.mkv", "Attack.on.Titan.S01E03.1080p.mkv"],
        "Specials": ["Attack on Titan - OVA 1.mkv"],
        "": ["Attack on Titan - S00E05 - Recap.mkv", "notes.txt"],
    },
    "One Piece": ["[Erai-raws] One Piece - 1001 [1080p].mkv", "One Piece - 1002.mkv", "Kimi no Na wa (2016) [1080p].mkv"],
    "Frieren (2023)": {"Season 01": ["[SubsPlease] Sousou no Frieren - 05 (1080p) [F02B9CEE].mkv", "Frieren - 06.MP4"]},
    "Detektiv Conan": {"Staffel 2": ["Detektiv Conan - Folge 30.mp4"]},
}


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    root = build_library(tmp_path / "lib", SPEC)
    (root / "loose-file.mkv").touch()  # top-level files are not series
    (root / ".hidden").mkdir()
    return root


def by_folder(doc: dict) -> dict[str, dict]:
    return {s["folder"]: s for s in doc["series"]}


def test_scan_json_shape_and_episodes(run, lib):
    r = run("scan", lib, "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    assert set(doc) >= {"command", "library", "series", "summary"}
    assert doc["command"] == "scan" and doc["library"] == str(lib)
    assert doc["summary"] == {"series": 4, "ok": 4, "failed": 0}
    series = by_folder(doc)
    assert list(series) == ["Attack on Titan (2013)", "Detektiv Conan", "Frieren (2023)", "One Piece"]
    aot = series["Attack on Titan (2013)"]
    assert aot["key"] == "attack-on-titan-2013" and aot["name"] == "Attack on Titan" and aot["year"] == 2013
    assert aot["status"] == "ok" and aot["error"] is None and aot["tmdb_id"] is None
    assert aot["episodes"] == {"0": [1, 5], "1": [1, 2, 3], "absolute": []}
    assert aot["steps"] == {"episodes": "done", "nfo": "pending", "poster": "pending", "fanart": "pending", "logo": "pending"}
    assert series["One Piece"]["episodes"] == {"absolute": [1001, 1002]}  # the film is not listed
    assert series["One Piece"]["year"] is None
    assert series["Frieren (2023)"]["episodes"] == {"1": [5, 6], "absolute": []}
    assert series["Detektiv Conan"]["episodes"] == {"2": [30], "absolute": []}
    for s in doc["series"]:
        assert json.loads((lib / s["folder"] / ".aniload.json").read_text())["schema"] == 1


def test_progress_goes_to_stderr_plain_lines_when_not_a_terminal(run, lib):
    r = run("scan", lib)
    assert r.code == 0
    assert r.stdout == ""
    lines = [l for l in r.stderr.splitlines() if l.startswith("[")]
    assert len(lines) == 4 and lines[0].startswith("[1/4] ok")
    quiet = run("-q", "scan", lib)
    assert quiet.code == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert run("scan", lib, "-q").stderr == ""  # global flags also after the command


def test_rescan_unchanged_writes_nothing_and_reports_present(run, lib):
    assert run("scan", lib).code == 0
    before = snapshot(lib)
    doc = run("scan", lib, "--json").json()
    assert all(s["steps"]["episodes"] == "present" for s in doc["series"])
    after = snapshot(lib)
    after.pop(".aniload.lock"), before.pop(".aniload.lock")
    assert after == before


def test_rescan_sees_new_episode_in_season_folder_and_flat(run, lib):
    run("scan", lib)
    (lib / "Attack on Titan (2013)" / "Season 1" / "Attack on Titan - S01E04.mkv").touch()
    (lib / "One Piece" / "One Piece - 1003.mkv").touch()
    series = by_folder(run("scan", lib, "--json").json())
    assert series["Attack on Titan (2013)"]["episodes"]["1"] == [1, 2, 3, 4]
    assert series["Attack on Titan (2013)"]["steps"]["episodes"] == "done"
    assert series["One Piece"]["episodes"]["absolute"] == [1001, 1002, 1003]
    assert series["Frieren (2023)"]["steps"]["episodes"] == "present"
    (lib / "One Piece" / "One Piece - 1001.mkv").touch()  # unrelated; then removal of one
    os.unlink(lib / "One Piece" / "[Erai-raws] One Piece - 1001 [1080p].mkv")
    series = by_folder(run("scan", lib, "--json").json())
    assert series["One Piece"]["episodes"]["absolute"] == [1001, 1002, 1003]
    os.unlink(lib / "One Piece" / "One Piece - 1001.mkv")
    assert by_folder(run("scan", lib, "--json").json())["One Piece"]["episodes"]["absolute"] == [1002, 1003]


def test_series_selection_touches_only_that_folder(run, lib):
    r = run("scan", lib, "--series", "frieren (2023)", "--series", "one-piece", "--json")
    assert r.code == 0, r.stderr
    assert [s["folder"] for s in r.json()["series"]] == ["Frieren (2023)", "One Piece"]
    assert not (lib / "Attack on Titan (2013)" / ".aniload.json").exists()
    assert (lib / "One Piece" / ".aniload.json").exists()


def test_unknown_series_is_usage_error_with_closest_matches(run, lib):
    r = run("scan", lib, "--series", "Attack on Titan", "--json")
    assert r.code == 2
    assert "Attack on Titan (2013)" in r.stderr and r.stderr.count("\n") == 1
    assert json.loads(r.stdout)["error"].startswith("unknown series")
    assert not any((lib / s / ".aniload.json").exists() for s in SPEC)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("scan", "{missing}"), "library not found"),
        (("scan", "{file}"), "not a directory"),
        (("scan",), "no library given"),
        (("scan", "--bogus-flag"), "No such option"),
        (("status", "{missing}"), "library not found"),
    ],
)
def test_usage_errors_exit_2(run, tmp_path, args, fragment):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    args = [a.format(missing=tmp_path / "nope", file=a_file) for a in args]
    r = run(*args)
    assert r.code == 2
    assert fragment in r.stderr
    assert "Traceback" not in r.stderr


def test_library_from_env_and_config(run, lib, tmp_path):
    assert run("scan", env={"ANILOAD_LIBRARY": str(lib)}).code == 0
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'library = "{lib}"\n')
    r = run("--config", cfg, "status", "--json")
    assert r.code == 0 and r.json()["library"] == str(lib)


def test_bad_config_exit_2_names_file_line_and_key(run, lib, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('language = "en-US"\n[tmdb]\nrequests_per_second = "fast"\n')
    r = run("--config", cfg, "scan", lib)
    assert r.code == 2
    assert str(cfg) in r.stderr and "line 3" in r.stderr and "requests_per_second" in r.stderr
    cfg.write_text("language = \n")
    r = run("scan", lib, env={"ANILOAD_CONFIG": str(cfg)})
    assert r.code == 2 and "line 1" in r.stderr
    assert run("--config", tmp_path / "missing.toml", "scan", lib).code == 2
    assert not (lib / "One Piece" / ".aniload.json").exists()


def test_verbose_shows_traceback_only_then(run, tmp_path):
    r = run("-v", "scan", tmp_path / "nope")
    assert r.code == 2 and "Traceback" in r.stderr


def test_status_is_read_only_and_reports_pending_before_scan(run, lib):
    before = snapshot(lib)
    r = run("status", lib, "--json")
    assert r.code == 0, r.stderr
    assert all(s["steps"]["episodes"] == "pending" for s in r.json()["series"])
    assert snapshot(lib) == before
    run("scan", lib)
    before = snapshot(lib)
    doc = run("status", lib, "--json").json()
    assert snapshot(lib) == before
    aot = by_folder(doc)["Attack on Titan (2013)"]
    assert aot["steps"]["episodes"] == "present" and aot["episodes"]["1"] == [1, 2, 3]
    (lib / "Attack on Titan (2013)" / "Season 1" / "x - S01E09.mkv").touch()
    assert by_folder(run("status", lib, "--json").json())["Attack on Titan (2013)"]["steps"]["episodes"] == "pending"


def test_status_reports_artwork_present_from_disk(run, lib):
    (lib / "One Piece" / "poster.jpg").write_bytes(b"\xff\xd8\xff fake")
    (lib / "One Piece" / "logo.png").write_bytes(b"\x89PNG")  # an older library's logo counts
    (lib / "One Piece" / "fanart.jpg").touch()  # empty: does not count
    steps = by_folder(run("status", lib, "--json").json())["One Piece"]["steps"]
    assert steps["poster"] == "present" and steps["logo"] == "present" and steps["fanart"] == "pending"


def test_corrupt_foreign_and_newer_sidecars(run, lib):
    (lib / "One Piece" / ".aniload.json").write_text("{not json")
    (lib / "Frieren (2023)" / ".aniload.json").write_text('{"hello": "world"}')
    newer = {"schema": 99, "series": {}, "steps": {}, "episodes": {}}
    (lib / "Detektiv Conan" / ".aniload.json").write_text(json.dumps(newer))
    status = run("status", lib, "--json")
    assert (lib / "One Piece" / ".aniload.json").read_text() == "{not json"  # status never repairs
    assert status.code == 1  # the newer one cannot be read
    r = run("scan", lib, "--json")
    assert r.code == 1
    series = by_folder(r.json())
    assert series["One Piece"]["status"] == "ok" and series["One Piece"]["episodes"]["absolute"] == [1001, 1002]
    kept = [p.name for p in (lib / "One Piece").iterdir() if p.name.startswith(".aniload.json.bad-")]
    assert len(kept) == 1 and (lib / "One Piece" / kept[0]).read_text() == "{not json"
    assert any(p.name.startswith(".aniload.json.bad-") for p in (lib / "Frieren (2023)").iterdir())
    assert "not valid JSON" in r.stderr and "warning" in r.stderr
    conan = series["Detektiv Conan"]
    assert conan["status"] == "failed" and "newer" in conan["error"]
    assert json.loads((lib / "Detektiv Conan" / ".aniload.json").read_text()) == newer  # never downgraded
    assert series["Attack on Titan (2013)"]["status"] == "ok"  # the others went on


def test_symlink_loop_and_outside_links_are_warnings(run, lib, tmp_path):
    season = lib / "Frieren (2023)" / "Season 01"
    os.symlink("..", season / "loop")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, lib / "Linked Series")
    os.symlink(tmp_path / "does-not-exist", lib / "Broken Link")
    r = run("scan", lib, "--json")
    assert r.code == 0, r.stderr
    assert "Linked Series" not in by_folder(r.json())
    assert "symlink loop" in r.stderr and "symlinked folder" in r.stderr
    assert not (outside / ".aniload.json").exists()
    assert by_folder(r.json())["Frieren (2023)"]["episodes"]["1"] == [5, 6]


def test_names_with_newlines_and_undecodable_bytes(run, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    odd = os.fsencode(lib) + b"/Bad \xff Name (2020)"
    os.mkdir(odd)
    open(odd + b"/Show - S01E0\xfe1.mkv", "wb").close()
    open(odd + b"/Show \xff - 03.mkv", "wb").close()
    nl = lib / "New\nLine (2019)"
    nl.mkdir()
    (nl / "Ep\n - 04.mkv").touch()
    r = run("scan", lib, "--json")
    assert r.code == 0, r.stderr
    series = by_folder(r.json())
    assert series["Bad \\xff Name (2020)"]["episodes"]["absolute"] == [3]
    assert series["New\\nLine (2019)"]["episodes"]["absolute"] == [4]
    plain = run("scan", lib)
    assert all(line.startswith(("[", "scan:")) for line in plain.stderr.splitlines())
    assert run("status", lib, "--series", "New\nLine (2019)", "--json").json()["series"][0]["year"] == 2019


def test_unreadable_subfolder_is_a_warning(run, lib):
    if os.geteuid() == 0:
        pytest.skip("root reads everything; tests/test_scanner.py simulates the PermissionError")
    locked = lib / "Attack on Titan (2013)" / "Season 1"
    locked.chmod(0)
    try:
        r = run("scan", lib, "--json")
    finally:
        locked.chmod(0o755)
    assert r.code == 0 and "Season 1" in r.stderr


def test_lock_held_exits_75_and_changes_nothing(run, lib):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_RDWR|os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)", str(lib / ".aniload.lock")],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        r = run("scan", lib)
        assert r.code == 75
        assert len(r.stderr.strip().splitlines()) == 1 and "another aniload run" in r.stderr
        assert not (lib / "One Piece" / ".aniload.json").exists()
        assert run("status", lib).code == 0  # status does not need the lock
    finally:
        holder.kill()
        holder.wait()
    assert run("scan", lib).code == 0  # the killed holder's lock went with it


def test_version_and_help(run):
    r = run("--version")
    assert r.code == 0 and r.stdout.startswith("aniload ")
    r = run("--help")
    assert r.code == 0 and "scan" in r.stdout and "status" in r.stdout and "config" in r.stdout


def test_config_init_and_show(run, tmp_path, cli_env):
    path = tmp_path / "cfg" / "config.toml"
    r = run("config", "init", path)
    assert r.code == 0 and path.exists()
    original = path.read_bytes()
    r = run("config", "init", path)
    assert r.code == 2 and path.read_bytes() == original
    default = Path(cli_env["XDG_CONFIG_HOME"]) / "aniload" / "config.toml"
    assert run("config", "init").code == 0 and default.exists()
    secret = "s3cr3t-token-value-123"
    r = run("config", "show", env={"ANILOAD_TMDB_READ_ACCESS_TOKEN": secret, "ANILOAD_LANGUAGE": "de-DE"})
    assert r.code == 0 and "de-DE" in r.stdout and secret not in r.stdout + r.stderr
    r = run("config", "show", "--json", env={"ANILOAD_TMDB_API_KEY": secret})
    assert secret not in r.stdout and json.loads(r.stdout)["language"] == "en-US"


def test_empty_library(run, tmp_path):
    (tmp_path / "empty").mkdir()
    r = run("scan", tmp_path / "empty", "--json")
    assert r.code == 0 and r.json()["summary"] == {"series": 0, "ok": 0, "failed": 0}
