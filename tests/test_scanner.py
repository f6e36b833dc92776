"""The scanner, the sidecar and the library walk as units, on real temporary trees."""

from __future__ import annotations

import json
import os

import pytest

from aniload import sidecar
from aniload.errors import LibraryError, SeriesError, SidecarError, UsageError
from aniload.foldernames import parse_series_folder
from aniload.library import list_series, make_series, select_series, series_key
from aniload.scanner import scan_series
from tests.conftest import build_library


def warnings_list():
    seen: list[str] = []
    return seen, seen.append


def test_season_folders_flat_files_specials_and_extras(tmp_path):
    root = build_library(tmp_path, {"S": {
        "Season 2": ["Show - 01.mkv", "Show - S03E04.mkv", "Show - OVA 1.mkv"],
        "Staffel 3": ["Folge 7.mp4"],
        "S04": ["E05.mkv"],
        "Specials": ["Show - 02.mkv"],
        "Extras": ["Show - 99.mkv"],
        "Misc": ["Show - 12.mkv"],
        "": ["Show - 1001.mkv", "movie.txt", "Show - S01E01-E03.MKV"],
    }})
    seen, warn = warnings_list()
    result = scan_series(root / "S", None, None, warn)
    assert result.episodes == {
        "0": [1, 2], "1": [1, 2, 3], "2": [1], "3": [4, 7], "4": [5], "absolute": [12, 1001],
    }
    assert result.changed and seen == []


def test_release_folders_inside_a_series_give_their_season(tmp_path):
    """A series folder holding one release folder per season, whose files name no season."""
    root = build_library(tmp_path, {"Frieren": {
        "[SubsPlease] Sousou no Frieren (1080p)": ["[SubsPlease] Sousou no Frieren - 03 (1080p) [ABCD1234].mkv"],
        "[SubsPlease] Sousou no Frieren S2 (1080p)": ["[SubsPlease] Sousou no Frieren - 05 (1080p) [1234ABCD].mkv"],
        "Sousou.no.Frieren.S03.1080p.BluRay-GRP": ["Sousou.no.Frieren.S01E07.1080p.mkv"],  # the file's own season wins
        "Frieren OVA": ["Frieren - 01.mkv"],
        "2": ["Frieren - 09.mkv"],
    }})
    result = scan_series(root / "Frieren", None, None, print)
    assert result.episodes == {"0": [1], "1": [7], "2": [5, 9], "absolute": [3]}


def test_unchanged_series_lists_nothing(tmp_path):
    root = build_library(tmp_path, {"S": {"Season 1": ["E01.mkv"], "": ["Show - 05.mkv"]}})
    first = scan_series(root / "S", None, None, print)
    again = scan_series(root / "S", first.scan, None, print)
    assert again.listed == 0 and not again.changed and again.episodes is None
    (root / "S" / "Season 1" / "E02.mkv").touch()
    third = scan_series(root / "S", again.scan, None, print)
    assert third.listed == 1 and third.changed and third.episodes["1"] == [1, 2]


def test_a_scan_made_with_older_name_rules_is_redone(tmp_path):
    """An upgrade that reads names differently must not keep an unchanged folder's old
    reading: the record of a scan without today's NAME_RULES lists every folder again."""
    from aniload.scanner import NAME_RULES, is_fresh

    root = build_library(tmp_path, {"S": {"Season 1": ["E01.mkv"], "": ["[G] Show - 05 [12340ED5].mkv"]}})
    first = scan_series(root / "S", None, None, print)
    assert first.scan["rules"] == NAME_RULES and first.episodes == {"1": [1], "absolute": [5]}
    old = json.loads(json.dumps(first.scan))
    del old["rules"]
    old["dirs"][""]["found"] = {}  # what the old rules made of the checksum name: nothing
    assert not is_fresh(root / "S", old, None)
    again = scan_series(root / "S", old, None, print)
    assert again.listed == 2 and again.changed and again.episodes == {"1": [1], "absolute": [5]}
    assert is_fresh(root / "S", again.scan, None)


def test_own_sidecar_write_does_not_count_as_a_change(tmp_path):
    root = build_library(tmp_path, {"S": ["Show - 05.mkv"]})
    first = scan_series(root / "S", None, None, print)
    data = sidecar.new_sidecar("s", "S", "S", None)
    data["scan"] = first.scan
    sidecar.save(root / "S", data, durable=False)  # moves the folder's mtime
    loaded = sidecar.load(root / "S")
    again = scan_series(root / "S", loaded.data["scan"], loaded.ctime_ns, print)
    assert again.listed == 0 and not again.changed
    (root / "S" / "Show - 06.mkv").touch()
    after = scan_series(root / "S", loaded.data["scan"], loaded.ctime_ns, print)
    assert after.listed == 1 and after.episodes["absolute"] == [5, 6]


def test_unreadable_season_folder_is_a_warning(tmp_path, monkeypatch):
    root = build_library(tmp_path, {"S": {"Season 1": ["E01.mkv"], "Season 2": ["E01.mkv"]}})
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("Season 2"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    seen, warn = warnings_list()
    result = scan_series(root / "S", None, None, warn)
    assert result.episodes == {"1": [1], "absolute": []}
    assert len(seen) == 1 and "Season 2" in seen[0] and "Permission denied" in seen[0]
    monkeypatch.setattr(os, "scandir", real_scandir)
    retry = scan_series(root / "S", result.scan, None, warn)  # not remembered as scanned
    assert retry.episodes == {"1": [1], "2": [1], "absolute": []}


def test_unreadable_series_folder_fails_the_series(tmp_path, monkeypatch):
    root = build_library(tmp_path, {"S": ["E01.mkv"]})
    monkeypatch.setattr(os, "scandir", lambda p: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    with pytest.raises(SeriesError, match="Permission denied"):
        scan_series(root / "S", None, None, print)


def test_symlink_loop_is_reported_once_and_scan_ends(tmp_path):
    root = build_library(tmp_path, {"S": {"Season 1": ["E01.mkv"]}})
    os.symlink("../..", root / "S" / "Season 1" / "up")
    os.symlink(".", root / "S" / "self")
    seen, warn = warnings_list()
    result = scan_series(root / "S", None, None, warn)
    assert result.episodes["1"] == [1]
    assert seen and all("symlink loop" in w or "deeper" in w for w in seen)


def test_series_key_and_folder_names(tmp_path):
    assert series_key("Attack on Titan (2013)") == "attack-on-titan-2013"
    assert series_key("Steins;Gate 0") == "steins-gate-0"
    assert series_key("Re:ZERO -Starting Life_in\tAnother World- (2016)") == "re-zero-starting-life-in-another-world-2016"
    assert series_key("  MIXED case__") == "mixed-case"
    assert series_key("葬送のフリーレン") == "葬送のフリーレン"
    assert series_key("!!!").startswith("series-")
    root = build_library(tmp_path, {"Foo!": [], "Foo?": [], "Bar (2001)": []})
    keys = {s.folder: s.key for s in list_series(root, lambda m, s: None)}
    assert keys["Bar (2001)"] == "bar-2001"
    assert keys["Foo!"] != keys["Foo?"] and keys["Foo!"].startswith("foo-")


@pytest.mark.parametrize(
    "folder, title, year, tmdb_id",
    [
        ("Frieren (2023)", "Frieren", 2023, None),
        ("Title (2013) (2014)", "Title (2013)", 2014, None),  # only the last bracket is the year
        ("Title [2013]", "Title", 2013, None),
        ("Title ( 2013 )", "Title", 2013, None),
        ("(2013)", "(2013)", None, None),  # a year alone is the title
        ("Title (1899)", "Title (1899)", None, None),
        ("Title (2013)x", "Title (2013)x", None, None),
        ("Blade Runner 2049", "Blade Runner 2049", None, None),  # not a plausible year
        ("Cowboy Bebop 1998", "Cowboy Bebop", 1998, None),
        ("Attack.on.Titan.2013", "Attack on Titan", 2013, None),
        ("86 (2021)", "86", 2021, None),
        ("Title (2013) [tmdbid-1429]", "Title", 2013, 1429),
        ("[Group] Title (2019) [BD 1080p]", "Title", 2019, None),
        ("Mob Psycho 100 (2016) [tvdbid-1234]", "Mob Psycho 100", 2016, None),
    ],
)
def test_series_folder_names(folder, title, year, tmdb_id):
    assert parse_series_folder(folder) == (title, year, tmdb_id)


def test_titles_are_read_from_the_name_not_its_escaped_display(tmp_path):
    """Undecodable bytes are mostly Windows-1252 names from old shares; TMDB is searched for
    the title a person reads. Folder, key and path keep the name as it is on disk."""
    raw = os.fsdecode(b"Pok\xe9mon (2019)")
    series = make_series(tmp_path, raw)
    assert (series.title, series.year) == ("Pok\u00e9mon", 2019)
    assert series.folder == "Pok\\xe9mon (2019)" and series.key == "pok-xe9mon-2019"
    assert series.dir == os.path.join(tmp_path, raw)
    newline = make_series(tmp_path, "Attack on Titan\n(2013)")
    assert (newline.title, newline.year, newline.folder) == ("Attack on Titan", 2013, "Attack on Titan\\n(2013)")
    mixed = make_series(tmp_path, os.fsdecode("Caf\u00e9 ".encode() + b"\xe9t\xe9"))  # UTF-8 and cp1252 in one name
    assert mixed.title == "Caf\u00e9 \u00e9t\u00e9"


def test_select_series_by_exact_name_does_not_list_the_library(tmp_path, monkeypatch):
    root = build_library(tmp_path, {"A (2000)": [], "B": []})
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: pytest.fail("listed the library"))
    assert [s.folder for s in select_series(root, ["A (2000)"], lambda m, s: None)] == ["A (2000)"]
    monkeypatch.setattr(os, "scandir", real_scandir)
    assert [s.folder for s in select_series(root, ["a (2000)", "b"], lambda m, s: None)] == ["A (2000)", "B"]
    with pytest.raises(UsageError, match="closest: 'A \\(2000\\)'"):
        select_series(root, ["A (2001)"], lambda m, s: None)


def test_library_errors(tmp_path):
    with pytest.raises(LibraryError):
        list_series(tmp_path / "missing", lambda m, s: None)


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "not valid JSON"),
        (b"{\"schema\": 1", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"{\"schema\": \"1\"}", "no schema"),
        (b"{\"schema\": 1, \"series\": {}, \"steps\": [], \"episodes\": {}}", "steps"),
        (b"{\"schema\": 1, \"series\": {}, \"steps\": {}, \"episodes\": {\"1\": [\"a\"]}}", "episodes"),
        (b"{\"schema\": 1, \"series\": {}, \"steps\": {}, \"episodes\": {}, \"scan\": {\"dirs\": 3}}", "scan"),
        (b"\xff\xfe garbage", "not valid JSON"),
        (b"[" * 100000, "not valid JSON"),
    ],
)
def test_broken_sidecars_are_set_aside_never_deleted(tmp_path, content, problem):
    (tmp_path / sidecar.SIDECAR_NAME).write_bytes(content)
    peek = sidecar.load(tmp_path, set_aside=False)
    assert peek.data is None and problem in peek.problem
    assert (tmp_path / sidecar.SIDECAR_NAME).read_bytes() == content  # read-only mode
    loaded = sidecar.load(tmp_path)
    assert loaded.data is None and problem in loaded.problem
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(".aniload.json.bad-")]
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert not (tmp_path / sidecar.SIDECAR_NAME).exists()


def test_newer_schema_is_refused_and_untouched(tmp_path):
    doc = json.dumps({"schema": sidecar.SCHEMA + 1, "future": True}).encode()
    (tmp_path / sidecar.SIDECAR_NAME).write_bytes(doc)
    with pytest.raises(SidecarError, match="newer"):
        sidecar.load(tmp_path)
    assert (tmp_path / sidecar.SIDECAR_NAME).read_bytes() == doc


def test_sidecar_round_trip_with_undecodable_folder_names(tmp_path):
    data = sidecar.new_sidecar("k", "F", "F", 2020)
    data["scan"] = {"dirs": {"Season \udcff": {"mtime_ns": 1, "season": 1, "subdirs": [], "videos": 0, "found": {}}}}
    sidecar.save(tmp_path, data, durable=True)
    assert sidecar.load(tmp_path).data["scan"]["dirs"] == data["scan"]["dirs"]


def test_atomic_write_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch):
    import errno

    from aniload import fsutil
    from aniload.errors import WriteError

    target = tmp_path / "file.json"
    target.write_bytes(b"old")
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(WriteError, match="no space left on device"):
        fsutil.atomic_write(target, b"new" * 1000)
    monkeypatch.setattr(os, "write", real_write)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]
    fsutil.atomic_write(target, b"new", durable=True)
    assert target.read_bytes() == b"new"


def _scan(root, names=()):
    from aniload.config import Config
    from aniload.events import NullReporter
    from aniload.pipeline import scan_library

    return {s.folder: s for s in scan_library(root, list(names), Config(), NullReporter()).series}


def test_index_answers_an_unchanged_rescan_without_reading_sidecars(tmp_path, monkeypatch):
    from aniload import scanindex

    root = build_library(tmp_path, {"A (2001)": {"Season 1": ["A - 01.mkv"]}, "B": ["B - 05.mkv"]})
    first = _scan(root)
    assert (root / scanindex.INDEX_NAME).exists()
    index_bytes = (root / scanindex.INDEX_NAME).read_bytes()
    monkeypatch.setattr(sidecar, "load", lambda *a, **k: pytest.fail("read a sidecar"))
    again = _scan(root)
    assert {k: (v.episodes, v.tmdb_id) for k, v in again.items()} == {k: (v.episodes, v.tmdb_id) for k, v in first.items()}
    assert all(v.steps["episodes"] == "present" for v in again.values())
    assert (root / scanindex.INDEX_NAME).read_bytes() == index_bytes  # nothing new: not rewritten


def test_index_entries_fall_back_when_anything_changed(tmp_path):
    from aniload import scanindex

    root = build_library(tmp_path, {"A (2001)": {"Season 1": ["A - 01.mkv"]}, "B": ["B - 05.mkv"]})
    _scan(root)
    (root / "A (2001)" / "Season 1" / "A - 02.mkv").touch()  # a new episode
    data = json.loads((root / "B" / ".aniload.json").read_text())
    data["match"] = {"tmdb_id": 77, "media_type": "tv", "pinned": True}  # fetch or a user changed it
    (root / "B" / ".aniload.json").write_text(json.dumps(data))
    result = _scan(root)
    assert result["A (2001)"].episodes["1"] == [1, 2] and result["B"].tmdb_id == 77
    (root / scanindex.INDEX_NAME).write_text("{broken")  # only a cache: ignored, rebuilt
    assert _scan(root)["B"].tmdb_id == 77
    assert json.loads((root / scanindex.INDEX_NAME).read_text())["series"]["B"]["report"][0] == 77


def test_series_runs_leave_the_index_alone(tmp_path):
    from aniload import scanindex

    root = build_library(tmp_path, {"A": ["A - 01.mkv"], "B": ["B - 05.mkv"]})
    _scan(root, ["A"])
    assert not (root / scanindex.INDEX_NAME).exists()


def test_atomic_write_steps_around_a_temp_name_that_is_taken(tmp_path):
    """Temp names are pid + counter (no getrandom per write); one left by a killed run with
    the same pid, or a planted symlink, is never written through: another name is used."""
    from aniload import fsutil

    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    counter = fsutil._temp_counter
    upcoming = next(counter) + 1
    taken = tmp_path / f".data.json.{fsutil._pid_hex}-{upcoming}{fsutil.TEMP_SUFFIX}"
    taken.symlink_to(outside)
    fsutil.atomic_write(tmp_path / "data.json", b"{}", durable=False)
    assert (tmp_path / "data.json").read_bytes() == b"{}"
    assert outside.read_text() == "keep" and taken.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["data.json", "outside.txt", taken.name])
