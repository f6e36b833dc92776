"""Hostile input, end to end: broken sidecars, links out of the library, unreadable and
read-only folders, a full disk, odd names, and metadata meant to break the NFO or make
aniload fetch from elsewhere. Also the secrets sweep: every byte aniload writes or prints.

Everything goes through the real CLI in a subprocess. Conditions that cannot be made real
here (a PermissionError as root, a read-only folder where ``chattr`` is refused, a full
disk) are injected into that subprocess by a small boot script (``run_patched``) that
patches one function and then runs ``aniload.cli.main`` as usual.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aniload.nfo import clean_text
from standin import Catalog, Fault, Standin
from tests.conftest import REPO, Result, build_library, snapshot

SIDECAR = ".aniload.json"


def by_folder(doc: dict) -> dict[str, dict]:
    return {s["folder"]: s for s in doc["series"]}


def one_line(text: str | None) -> bool:
    return bool(text) and "\n" not in text and "\r" not in text and "Traceback" not in text


def no_traceback(r: Result) -> None:
    assert "Traceback" not in r.stderr, r.stderr


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".aniload-tmp")]


def tree_outside(root: Path, inside: Path, ignore: tuple[str, ...] = (".aniload.lock",)) -> dict:
    """Every path under ``root`` but those under ``inside``, with file contents: proves that
    nothing was created, changed or removed anywhere else (folder mtimes aside)."""
    rel = os.fspath(inside.relative_to(root))
    out = {}
    for key, (_, size, data) in snapshot(root).items():
        if key == rel or key.startswith(rel + os.sep) or os.path.basename(key) in ignore:
            continue
        out[key] = (size, data) if (root / key).is_file() else "dir"
    return out


@pytest.fixture
def run_patched(cli_env, tmp_path):
    """Run the CLI in a subprocess after executing ``patch`` (Python source) in it."""

    def _run(patch: str, *args, env: dict | None = None, timeout: float = 60) -> Result:
        boot = (
            "import sys\n"
            f"sys.path.insert(0, {os.fspath(REPO)!r})\n"
            + textwrap.dedent(patch)
            + "\nfrom aniload.cli import main\nsys.argv[0] = 'aniload'\nmain()\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", boot, *map(os.fspath, args)],
            env={**cli_env, **(env or {})}, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))

    return _run


# =============================================================================== sidecars

SPEC = {
    "Cowboy Bebop": {"Season 1": ["Cowboy Bebop - 1x01.mkv", "Cowboy Bebop - 1x02.mkv"]},
    "Frieren (2023)": ["[SubsPlease] Sousou no Frieren - 05 (1080p) [F02B9CEE].mkv"],
    "Attack on Titan (2013)": {"Season 1": ["Attack on Titan - S01E01.mkv"]},
}


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return build_library(tmp_path / "lib", SPEC)


FOREIGN = [
    pytest.param(lambda real: real[: len(real) // 2], "not valid JSON", id="truncated-half"),
    pytest.param(lambda real: b'{"name": "my-app", "version": "1.0.0", "dependencies": {}}', "no schema", id="foreign"),
    pytest.param(lambda real: b"null", "not a JSON object", id="json-null"),
    pytest.param(lambda real: real.replace(b'"schema":1', b'"schema":0'), "unknown schema", id="schema-0"),
]


@pytest.mark.parametrize("command", ["scan", "fetch"])
@pytest.mark.parametrize("mangle, problem", FOREIGN)
def test_broken_sidecar_is_kept_aside_and_rebuilt(run, lib, tmdb_env, command, mangle, problem):
    assert run("scan", lib).code == 0
    target = lib / "Cowboy Bebop"
    real = (target / SIDECAR).read_bytes()
    assert real.startswith(b'{"schema":1,')
    bad = mangle(real)
    (target / SIDECAR).write_bytes(bad)
    others_before = {f: (lib / f / SIDECAR).read_bytes() for f in SPEC if f != "Cowboy Bebop"}

    r = run(command, lib, "--json", env=tmdb_env)
    no_traceback(r)
    doc = r.json()  # one JSON document on stdout whatever happened
    series = by_folder(doc)
    bebop = series["Cowboy Bebop"]
    assert r.code == 0, r.stderr
    assert bebop["status"] == "ok" and bebop["episodes"] == {"1": [1, 2], "absolute": []}
    assert problem in r.stderr and "Cowboy Bebop" in r.stderr
    kept = [p for p in target.iterdir() if p.name.startswith(SIDECAR + ".bad-")]
    assert len(kept) == 1 and kept[0].read_bytes() == bad  # kept byte for byte, never deleted
    rebuilt = json.loads((target / SIDECAR).read_bytes())
    assert rebuilt["schema"] == 1 and rebuilt["episodes"] == {"1": [1, 2], "absolute": []}
    if command == "fetch":
        assert bebop["tmdb_id"] == 30991 and bebop["steps"]["nfo"] == "done"
        assert ET.parse(target / "tvshow.nfo").getroot().findtext("title") == "Cowboy Bebop"
        assert all(s["status"] == "ok" for s in doc["series"])
    else:
        for folder, before in others_before.items():  # the others were left as they were
            assert (lib / folder / SIDECAR).read_bytes() == before
    assert not temp_files(lib)


def test_sidecar_with_a_bom_is_not_corruption(run, lib):
    assert run("scan", lib).code == 0
    side = lib / "Cowboy Bebop" / SIDECAR
    side.write_bytes(b"\xef\xbb\xbf" + side.read_bytes())  # an editor saved it "with BOM"
    (lib / "Cowboy Bebop" / "Season 1" / "Cowboy Bebop - 1x03.mkv").touch()
    r = run("scan", lib, "--json")
    assert r.code == 0 and by_folder(r.json())["Cowboy Bebop"]["episodes"]["1"] == [1, 2, 3]
    assert not [p for p in side.parent.iterdir() if ".bad-" in p.name]


NEWER = {"schema": 2, "written_by": "aniload 9.0.0", "series": {"key": "cowboy-bebop"}, "steps": {},
         "episodes": {}, "match": {"tmdb_id": 30991, "pinned": True}, "future_field": [1, 2, 3]}


@pytest.mark.parametrize("args", [
    ("scan",), ("fetch",), ("fetch", "--force"), ("fetch", "--dry-run"),
    ("fetch", "--series", "Cowboy Bebop", "--tmdb-id", "1429"),
])
def test_newer_sidecar_is_never_downgraded(run, lib, tmdb, tmdb_env, args):
    target = lib / "Cowboy Bebop"
    newer = json.dumps(NEWER, indent=2).encode()
    (target / SIDECAR).write_bytes(newer)
    before = snapshot(target)

    r = run(*args[:1], lib, *args[1:], "--json", env=tmdb_env)
    no_traceback(r)
    assert r.code == 1, r.stderr
    series = by_folder(r.json())
    bebop = series["Cowboy Bebop"]
    assert bebop["status"] == "failed" and one_line(bebop["error"])
    assert "newer" in bebop["error"] and "upgrade" in bebop["error"]
    assert snapshot(target) == before  # not rewritten, not set aside, no NFO, no art
    if "--series" not in args:
        assert all(s["status"] == "ok" for f, s in series.items() if f != "Cowboy Bebop")
    if args[0] == "fetch" and "--dry-run" not in args and "--series" not in args:
        assert (lib / "Frieren (2023)" / "tvshow.nfo").exists()
    st = run("status", lib, "--json")
    assert st.code == 1 and "newer" in by_folder(st.json())["Cowboy Bebop"]["error"]
    assert snapshot(target) == before


def test_sidecar_that_is_a_directory_fails_that_series_only(run, lib, tmdb_env):
    (lib / "Cowboy Bebop" / SIDECAR).mkdir()
    (lib / "Cowboy Bebop" / SIDECAR / "keep.txt").write_text("mine")
    for command in ("scan", "fetch", "status"):
        r = run(command, lib, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 1, (command, r.stderr)
        series = by_folder(r.json())
        assert series["Cowboy Bebop"]["status"] == "failed" and one_line(series["Cowboy Bebop"]["error"])
        assert all(s["status"] == "ok" for f, s in series.items() if f != "Cowboy Bebop")
    assert (lib / "Cowboy Bebop" / SIDECAR / "keep.txt").read_text() == "mine"


# =============================================================================== symlinks


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the library that links inside it point at."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "precious.jpg").write_bytes(b"\xff\xd8\xff precious photo \xff\xd9")
    (out / "precious.png").write_bytes(b"\x89PNG\r\n\x1a\n precious")
    (out / "notes.nfo").write_bytes(b"<tvshow><title>my notes</title></tvshow>")
    (out / "state.json").write_bytes(b'{"schema": 1, "mine": true}')
    (out / "dir").mkdir()
    (out / "dir" / "Show - 01.mkv").touch()
    return out


def test_linked_series_folder_is_never_written(run, lib, outside, tmdb, tmdb_env):
    os.symlink(outside / "dir", lib / "Linked Show (2020)")
    os.symlink(lib / "Frieren (2023)", lib / "Frieren Again (2023)")  # a link to another series
    before = snapshot(outside)
    for args in (("scan",), ("fetch",), ("fetch", "--force"), ("status",)):
        r = run(*args[:1], lib, *args[1:], "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 0, (args, r.stderr)
        assert set(by_folder(r.json())) == set(SPEC)
    assert snapshot(outside) == before
    assert "symlinked folder" in run("scan", lib).stderr
    # naming the link is a usage error, not a way around the rule
    r = run("fetch", lib, "--series", "Linked Show (2020)", "--json", env=tmdb_env)
    assert r.code == 2 and "unknown series" in r.stderr
    assert snapshot(outside) == before


LINKED_FILES = {  # in a series folder -> a file outside the library
    "poster.jpg": "precious.jpg",
    "fanart.jpg": "precious.jpg",
    "clearlogo.png": "precious.png",
    "tvshow.nfo": "notes.nfo",
    SIDECAR: "state.json",
}


def test_links_to_files_outside_are_never_written_through(run, lib, outside, tmdb, tmdb_env):
    series = lib / "Attack on Titan (2013)"
    for name, target in LINKED_FILES.items():
        os.symlink(outside / target, series / name)
    os.symlink(outside / "missing-target.jpg", lib / "Cowboy Bebop" / "poster.jpg")  # dangling
    os.symlink(outside / "missing-target.nfo", lib / "Cowboy Bebop" / "tvshow.nfo")
    before = snapshot(outside)
    for args in (("scan",), ("fetch",), ("fetch", "--force", "--dry-run"), ("fetch", "--force"), ("status",)):
        r = run(*args[:1], lib, *args[1:], "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 0, (args, r.stderr)
        assert snapshot(outside) == before, args
    assert not (outside / "missing-target.jpg").exists() and not (outside / "missing-target.nfo").exists()
    # the links were replaced (by a rename onto their name), never followed
    for folder in ("Attack on Titan (2013)", "Cowboy Bebop"):
        for name in ("tvshow.nfo", "poster.jpg", "fanart.jpg", "clearlogo.png", SIDECAR):
            path = lib / folder / name
            assert path.is_file() and not path.is_symlink(), (folder, name)
    assert ET.parse(series / "tvshow.nfo").getroot().findtext("title") == "Attack on Titan"
    kept = [p for p in series.iterdir() if p.name.startswith(SIDECAR + ".bad-")]
    assert len(kept) == 1 and kept[0].is_symlink()  # the sidecar link was set aside as it was
    assert os.readlink(kept[0]) == os.fspath(outside / "state.json")
    assert not temp_files(lib)


def test_linked_lock_file_is_refused(run, lib, outside, tmdb_env):
    os.symlink(outside / "state.json", lib / ".aniload.lock")
    before = snapshot(outside)
    for command in ("scan", "fetch"):
        r = run(command, lib, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 2 and "lock" in r.stderr and one_line(r.stderr.strip())
    assert snapshot(outside) == before
    assert not (lib / "Cowboy Bebop" / SIDECAR).exists()


def test_linked_season_folder_is_read_not_written(run, lib, outside, tmdb_env):
    os.symlink(outside / "dir", lib / "Cowboy Bebop" / "Season 2")
    before = snapshot(outside)
    r = run("fetch", lib, "--json", env=tmdb_env)
    assert r.code == 0, r.stderr
    assert by_folder(r.json())["Cowboy Bebop"]["episodes"] == {"1": [1, 2], "2": [1], "absolute": []}
    assert snapshot(outside) == before


# =================================================================== unreadable folders

# As root, chmod 0 stops nothing, so the boot script makes the kernel's answers for a
# chmod-0 folder instead: the folder itself can be stat'ed but not listed or opened, and
# nothing under it can be reached at all.
DENY_PATCH = """
import errno, json, os
_DENY = [os.fsencode(p) for p in json.loads(os.environ.get("HOSTILE_DENY", "[]"))]
_FILES = [os.fsencode(p) for p in json.loads(os.environ.get("HOSTILE_DENY_FILES", "[]"))]
def _check(path, listing):
    if isinstance(path, int):
        return
    p = os.path.abspath(os.fsencode(path))
    for d in _DENY:
        if p.startswith(d + b"/") or (listing and p == d):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
    if listing and p in _FILES:  # a chmod-0 file: stat works, open does not
        raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
def _wrap(name, listing, nargs=1):
    real = getattr(os, name)
    def fake(*args, **kwargs):
        for a in args[:nargs]:
            _check(a, listing)
        return real(*args, **kwargs)
    setattr(os, name, fake)
for _name in ("scandir", "listdir", "open"):
    _wrap(_name, True)
for _name in ("stat", "lstat", "unlink", "mkdir"):
    _wrap(_name, False)
for _name in ("rename", "replace"):
    _wrap(_name, False, 2)
"""


@pytest.fixture
def run_denied(run, run_patched):
    """Run the CLI with ``deny`` (folders or files) unreadable: chmod 0 for a normal user,
    injected as root."""

    def _run(deny: list[Path], *args, env: dict | None = None) -> Result:
        if os.geteuid() != 0:
            modes = {p: p.stat().st_mode for p in deny}
            for p in deny:
                p.chmod(0)
            try:
                return run(*args, env=env)
            finally:
                for p, mode in modes.items():
                    p.chmod(mode)
        dirs = [os.fspath(p) for p in deny if p.is_dir()]
        files = [os.fspath(p) for p in deny if not p.is_dir()]
        return run_patched(DENY_PATCH, *args, env={
            **(env or {}), "HOSTILE_DENY": json.dumps(dirs), "HOSTILE_DENY_FILES": json.dumps(files)})

    return _run


@pytest.mark.parametrize("command", ["scan", "fetch", "status"])
def test_unreadable_series_folder_fails_only_that_series(run, run_denied, lib, tmdb_env, command):
    if command == "status":
        assert run("scan", lib).code == 0
    r = run_denied([lib / "Frieren (2023)"], command, lib, "--json", env=tmdb_env)
    no_traceback(r)
    assert r.code == 1, r.stderr
    series = by_folder(r.json())
    frieren = series["Frieren (2023)"]
    assert frieren["status"] == "failed" and one_line(frieren["error"])
    assert "permission denied" in frieren["error"].lower()
    assert all(s["status"] == "ok" for f, s in series.items() if f != "Frieren (2023)")
    if command == "fetch":
        assert (lib / "Cowboy Bebop" / "tvshow.nfo").exists()
    # readable again: the next run just works
    r = run(command, lib, "--json", env=tmdb_env)
    assert r.code == 0, r.stderr


def test_unreadable_season_folder_is_a_warning_and_retried(run, run_denied, lib, tmdb_env):
    build_library(lib, {"Cowboy Bebop": {"Season 2": ["Cowboy Bebop - 2x01.mkv"]}})
    r = run_denied([lib / "Cowboy Bebop" / "Season 2"], "fetch", lib, "--json", env=tmdb_env)
    no_traceback(r)
    assert r.code == 0, r.stderr
    assert "Season 2" in r.stderr and "permission denied" in r.stderr.lower()
    bebop = by_folder(r.json())["Cowboy Bebop"]
    assert bebop["status"] == "ok" and bebop["episodes"] == {"1": [1, 2], "absolute": []}
    r = run("scan", lib, "--json")  # not remembered as scanned: listed again once readable
    assert by_folder(r.json())["Cowboy Bebop"]["episodes"] == {"1": [1, 2], "2": [1], "absolute": []}


def test_unreadable_sidecar_fails_the_series_and_is_kept(run, run_denied, lib, tmdb_env):
    assert run("scan", lib).code == 0
    side = lib / "Cowboy Bebop" / SIDECAR
    before = side.read_bytes()
    for command in ("scan", "fetch"):
        side.chmod(side.stat().st_mode)  # a real chmod 0 moves the ctime (the scan index sees it); as root we only simulate
        r = run_denied([side], command, lib, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 1, r.stderr
        bebop = by_folder(r.json())["Cowboy Bebop"]
        assert bebop["status"] == "failed" and one_line(bebop["error"])
        assert SIDECAR in bebop["error"] and "permission denied" in bebop["error"].lower()
        assert side.read_bytes() == before  # neither replaced nor set aside
    assert not (lib / "Cowboy Bebop" / "tvshow.nfo").exists()


def test_unreadable_library_is_exit_2(run_denied, lib, tmdb_env):
    for command in ("scan", "fetch", "status"):
        r = run_denied([lib], command, lib, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 2, (command, r.stderr)
        assert "permission denied" in r.stderr.lower() and one_line(r.stderr.strip())
        assert json.loads(r.stdout)["error"]
    assert not any((lib / f / SIDECAR).exists() for f in SPEC)


# =================================================================================== names


def _mk(parent: bytes, name: bytes, files: list[bytes]) -> bytes:
    path = parent + b"/" + name
    os.mkdir(path)
    for f in files:
        open(path + b"/" + f, "wb").close()
    return path


def test_hostile_names_through_scan_status_and_fetch(run, tmp_path, tmdb, tmdb_env):
    lib = tmp_path / "lib"
    lib.mkdir()
    raw = os.fsencode(lib)
    pad = lambda head, tail=b"": head + b"x" * (255 - len(head) - len(tail)) + tail  # noqa: E731
    long_bebop = pad(b"Cowboy Bebop [", b"]")  # a 255-byte name that still matches
    long_frieren = pad("葬送のフリーレン [".encode(), b"]")  # multi-byte characters, 255 bytes
    folders = {
        b"[\xff\xfe] Cowboy Bebop": [b"Cowboy Bebop - 1x01 \xff.mkv", b"Cowboy Bebop - 1x02 \n.mkv"],
        b"Attack on Titan (2013) [a\nb]": [b"Attack on Titan - S01E01.mkv", b"line\nbreak - S01E02.mkv"],
        long_bebop: [pad(b"Cowboy Bebop - 1x03 ", b".mkv"), pad(b"Cowboy Bebop - 1x04 \xff", b".mkv")],
        long_frieren: [pad("フリーレン - 05 ".encode(), b".mkv")],
        pad(b"Unknown \xff\n"): [pad(b"Show - 01 ", b".mkv")],  # matches nothing on TMDB
        b"\xff\xfe\xfd": [b"\x80 - 02.mkv"],
        b"Tab\tand\rCR (2001)": [b"Show - 03.mkv"],
    }
    for name, files in folders.items():
        assert len(name) <= 255 and all(len(f) <= 255 for f in files)
        _mk(raw, name, files)

    r = run("scan", lib, "--json")
    no_traceback(r)
    assert r.code == 0, r.stderr
    series = r.json()["series"]
    assert len(series) == len(folders)
    for s in series:
        assert s["status"] == "ok" and s["folder"].isprintable() and s["key"], s
    json.dumps(r.json(), ensure_ascii=False).encode("utf-8")  # no lone surrogates anywhere
    eps = {s["folder"]: s["episodes"] for s in series}
    assert eps["[\\xff\\xfe] Cowboy Bebop"] == {"1": [1, 2], "absolute": []}
    assert eps["Attack on Titan (2013) [a\\nb]"] == {"1": [1, 2], "absolute": []}
    assert eps["\\xff\\xfe\\xfd"] == {"absolute": [2]}

    plain = run("status", lib)
    assert plain.code == 0 and len(plain.stdout.splitlines()) == len(folders)  # one line each
    status = run("status", lib, "--json")
    assert status.code == 0 and all(s["steps"]["episodes"] == "present" for s in status.json()["series"])

    r = run("fetch", lib, "--json", env=tmdb_env)
    no_traceback(r)
    assert r.code == 1, r.stderr  # the unknown ones fail; nothing crashes
    doc = r.json()
    assert doc["summary"]["series"] == len(folders)
    series = by_folder(doc)
    for s in doc["series"]:
        assert s["status"] in ("ok", "failed") and (s["status"] == "ok" or one_line(s["error"]))
    assert series["[\\xff\\xfe] Cowboy Bebop"]["tmdb_id"] == 30991
    assert series["Attack on Titan (2013) [a\\nb]"]["tmdb_id"] == 1429
    assert series[long_bebop.decode()]["tmdb_id"] == 30991
    assert series[long_frieren.decode()]["tmdb_id"] == 209867
    for name in (b"[\xff\xfe] Cowboy Bebop", b"Attack on Titan (2013) [a\nb]", long_bebop, long_frieren):
        folder = raw + b"/" + name
        assert os.path.getsize(folder + b"/tvshow.nfo") > 0 and os.path.getsize(folder + b"/poster.jpg") > 0
        ET.parse(os.fsdecode(folder + b"/tvshow.nfo"))
    assert series["\\xff\\xfe\\xfd"]["status"] == "failed"
    for line in r.stderr.splitlines():  # odd names never break a log line
        assert line.startswith(("[", "warning:", "fetch:")), line

    # --series accepts the raw name (as a shell passes it) and the escaped display name
    for name in (b"[\xff\xfe] Cowboy Bebop", "[\\xff\\xfe] Cowboy Bebop", long_bebop, b"Attack on Titan (2013) [a\nb]"):
        r = run("fetch", lib, "--series", name, "--json", env=tmdb_env)
        assert r.code == 0, (name, r.stderr)
        assert [s["steps"]["nfo"] for s in r.json()["series"]] == ["present"]
    assert not temp_files(lib)


def test_library_path_that_is_a_file(run, tmp_path, tmdb, tmdb_env):
    f = tmp_path / "library.mkv"
    f.write_bytes(b"not a folder")
    for command in ("scan", "fetch", "status"):
        r = run(command, f, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 2 and "not a directory" in r.stderr and one_line(r.stderr.strip())
        assert "not a directory" in json.loads(r.stdout)["error"]
    assert f.read_bytes() == b"not a folder" and sorted(p.name for p in tmp_path.iterdir()) == ["home", "library.mkv"]
    assert tmdb.requests == []


def test_empty_library_and_library_without_series(run, tmp_path, tmdb, tmdb_env, outside):
    empty = tmp_path / "empty"
    empty.mkdir()
    none = tmp_path / "none"
    none.mkdir()
    (none / "loose - 01.mkv").touch()
    (none / ".hidden (2020)").mkdir()
    (none / ".hidden (2020)" / "x - 01.mkv").touch()
    os.symlink(outside / "dir", none / "Linked")
    os.symlink(tmp_path / "nowhere", none / "Dangling")
    for lib in (empty, none):
        for args in (("scan",), ("status",), ("fetch",), ("fetch", "--force")):
            r = run(*args[:1], lib, *args[1:], "--json", env=tmdb_env)
            no_traceback(r)
            assert r.code == 0, (lib, args, r.stderr)
            assert r.json()["summary"] == {"series": 0, "ok": 0, "failed": 0} and r.json()["series"] == []
    assert tmdb.requests == []  # nothing to do: not even the credentials check
    assert sorted(p.name for p in empty.iterdir()) == [".aniload.lock"]
    assert not (none / ".hidden (2020)" / SIDECAR).exists()


def test_library_where_no_series_matches(run, tmp_path, tmdb, tmdb_env):
    lib = build_library(tmp_path / "lib", {
        "Zzyzx Qwerty (2031)": ["Zzyzx - 01.mkv"],
        "!!!": ["x - 01.mkv"],
        "12345": ["12345 - 01.mkv"],
        "S01": ["E01.mkv"],  # looks like a season folder, sits where a series goes
    })
    r = run("fetch", lib, "--json", env=tmdb_env)
    no_traceback(r)
    assert r.code == 1
    doc = r.json()
    assert doc["summary"] == {"series": 4, "ok": 0, "failed": 4}
    for s in doc["series"]:
        assert s["status"] == "failed" and one_line(s["error"]) and s["tmdb_id"] is None
        assert not (lib / s["folder"] / "tvshow.nfo").exists()
    assert tmdb.count(kind="image") == 0


# ====================================================================== read-only folders

READONLY_PATCH = """
import errno, json, os
_RO = [os.fsencode(p) for p in json.loads(os.environ["HOSTILE_READONLY"])]
_ERR = getattr(errno, os.environ.get("HOSTILE_ERRNO", "EROFS"))
def _check(path):
    if isinstance(path, int):
        return
    p = os.path.abspath(os.fsencode(path))
    if any(p.startswith(d + b"/") or p == d for d in _RO):
        raise OSError(_ERR, os.strerror(_ERR), os.fsdecode(path))
_real_open = os.open
def _open(path, flags, *args, **kwargs):
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
        _check(path)
    return _real_open(path, flags, *args, **kwargs)
os.open = _open
def _wrap(name, nargs):
    real = getattr(os, name)
    def fake(*args, **kwargs):
        for a in args[:nargs]:
            _check(a)
        return real(*args, **kwargs)
    setattr(os, name, fake)
for _name, _n in (("rename", 2), ("replace", 2), ("unlink", 1), ("remove", 1), ("mkdir", 1), ("rmdir", 1)):
    _wrap(_name, _n)
"""


def _chattr(path: Path, flag: str) -> bool:
    try:
        return subprocess.run(["chattr", flag, os.fspath(path)], capture_output=True).returncode == 0
    except OSError:
        return False


@pytest.fixture(params=["chattr", "injected"])
def run_readonly(request, run, run_patched):
    """Run the CLI with folders read-only: ``chattr +i`` (a real EPERM) where the filesystem
    and our privileges allow it, else injected EROFS/EACCES in the subprocess."""
    mode = request.param

    def _run(folders: list[Path], *args, env: dict | None = None, errno_name: str = "EROFS") -> Result:
        if mode == "chattr":
            made = []
            try:
                for f in folders:
                    if not _chattr(f, "+i"):
                        pytest.skip("chattr +i is not available here")
                    made.append(f)
                return run(*args, env=env)
            finally:
                for f in made:
                    _chattr(f, "-i")
        return run_patched(READONLY_PATCH, *args, env={
            **(env or {}), "HOSTILE_READONLY": json.dumps([os.fsdecode(os.fsencode(f)) for f in folders]),
            "HOSTILE_ERRNO": errno_name})

    _run.mode = mode
    return _run


READONLY_REASONS = ("read-only file system", "operation not permitted", "permission denied")


@pytest.mark.parametrize("command", ["scan", "fetch", "fetch --force"])
def test_read_only_series_folder_fails_that_series_only(run, run_readonly, lib, tmdb_env, command):
    command, *flags = command.split()
    if flags:  # everything there already: --force has to rewrite it
        assert run("fetch", lib, env=tmdb_env).code == 0
        (lib / "Frieren (2023)" / "Frieren - 06.mkv").touch()
    target = lib / "Frieren (2023)"
    before = snapshot(target)
    r = run_readonly([target], command, lib, *flags, "--json", env=tmdb_env)
    no_traceback(r)
    assert r.code == 1, r.stderr
    series = by_folder(r.json())
    frieren = series["Frieren (2023)"]
    assert frieren["status"] == "failed" and one_line(frieren["error"]), frieren
    assert any(reason in frieren["error"] for reason in READONLY_REASONS), frieren["error"]
    assert all(s["status"] == "ok" for f, s in series.items() if f != "Frieren (2023)")
    assert snapshot(target) == before
    if command == "fetch":
        assert (lib / "Cowboy Bebop" / "tvshow.nfo").exists()
        assert frieren["steps"]["nfo"] in ("failed", "present")


def test_read_only_folder_with_an_odd_name(run, run_readonly, tmp_path, tmdb_env):
    """The error names the folder; its undecodable bytes and newline must not break the
    one-line error, the JSON on stdout, or the process."""
    lib = tmp_path / "lib"
    lib.mkdir()
    odd = _mk(os.fsencode(lib), b"[\xff] Cowboy Bebop\n(1998)", [b"Cowboy Bebop - 1x01.mkv"])
    _mk(os.fsencode(lib), b"Frieren (2023)", [b"Frieren - 05.mkv"])
    for command in ("scan", "fetch"):
        r = run_readonly([Path(os.fsdecode(odd))], command, lib, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 1, r.stderr
        series = by_folder(r.json())
        bad = series["[\\xff] Cowboy Bebop\\n(1998)"]
        assert bad["status"] == "failed" and one_line(bad["error"]) and bad["error"].isprintable(), bad
        assert series["Frieren (2023)"]["status"] == "ok"


def test_undecodable_library_path_keeps_json_valid(run, run_patched, tmp_path, tmdb_env):
    lib = Path(os.fsdecode(os.fsencode(tmp_path) + b"/lib \xff\xfe"))
    build_library(lib, {"Cowboy Bebop": ["Cowboy Bebop - 1x01.mkv"]})
    for command in ("scan", "status", "fetch"):
        r = run(command, lib, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 0, r.stderr
        assert r.json()["library"].endswith("lib \\xff\\xfe")
    # the library itself read-only: the lock cannot be made, exit 2 with a JSON error
    r = run_patched(READONLY_PATCH, "scan", lib, "--json",
                    env={"HOSTILE_READONLY": json.dumps([os.fspath(lib)])})
    no_traceback(r)
    assert r.code == 2 and one_line(r.json()["error"]) and r.json()["error"].isprintable()


# ============================================================================== full disk

# The disk fills while aniload writes into one series folder: the file object that
# ``aniload.fsutil.atomic_open`` hands out accepts HOSTILE_FULL_AFTER bytes, then every
# write fails with ENOSPC, exactly as a full filesystem answers. The real atomic_open
# around it does the rest (error text, temp-file removal): that is what is under test.
FULL_PATCH = """
import contextlib, errno, json, os
import aniload.fsutil as fsutil
_FOLDER = os.fsencode(os.environ["HOSTILE_FULL"])
_NAMES = set(json.loads(os.environ.get("HOSTILE_FULL_NAMES", "[]")))
_AFTER = int(os.environ.get("HOSTILE_FULL_AFTER", "0"))
_real = fsutil.atomic_open
class _Full:
    def __init__(self, fh):
        self.fh, self.n = fh, 0
    def write(self, data):
        room = _AFTER - self.n
        if len(data) > room:
            self.fh.write(data[:max(room, 0)])
            self.n = _AFTER
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.n += len(data)
        return self.fh.write(data)
    def __getattr__(self, name):
        return getattr(self.fh, name)
@contextlib.contextmanager
def atomic_open(target, *, durable=True):
    full = os.fsencode(os.path.dirname(os.path.abspath(target))) == _FOLDER and (
        not _NAMES or os.path.basename(target) in _NAMES)
    with _real(target, durable=durable) as fh:
        yield _Full(fh) if full else fh
fsutil.atomic_open = atomic_open
def atomic_write(target, data, *, durable=True):  # route bytes-in-hand writes through the same fault
    with atomic_open(target, durable=durable) as fh:
        fh.write(data)
fsutil.atomic_write = atomic_write
import aniload.artwork, aniload.sidecar, aniload.fetch
aniload.artwork.atomic_open = atomic_open
aniload.sidecar.atomic_write = aniload.fetch.atomic_write = atomic_write
"""


def full_disk_env(folder: Path, names=(), after: int = 0) -> dict[str, str]:
    return {"HOSTILE_FULL": os.fspath(folder), "HOSTILE_FULL_NAMES": json.dumps(list(names)),
            "HOSTILE_FULL_AFTER": str(after)}


def test_full_disk_during_forced_refetch_keeps_every_previous_file(run, run_patched, lib, tmdb_env):
    assert run("fetch", lib, env=tmdb_env).code == 0
    target = lib / "Attack on Titan (2013)"
    (target / "Season 1" / "Attack on Titan - S01E02.mkv").touch()  # the sidecar has news to write, too
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    assert {"tvshow.nfo", "poster.jpg", "fanart.jpg", SIDECAR} <= set(before)

    r = run_patched(FULL_PATCH, "fetch", lib, "--force", "--json",
                    env={**tmdb_env, **full_disk_env(target, after=100)})
    no_traceback(r)
    assert r.code == 1, r.stderr
    series = by_folder(r.json())
    aot = series["Attack on Titan (2013)"]
    assert aot["status"] == "failed" and one_line(aot["error"])
    assert "no space left on device" in aot["error"]
    assert "no space left on device" in r.stderr
    assert all(s["status"] == "ok" for f, s in series.items() if f != "Attack on Titan (2013)")
    assert {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()} == before  # all intact
    assert not temp_files(lib)

    r = run("fetch", lib, "--force", "--json", env=tmdb_env)  # space again: all redone
    assert r.code == 0 and by_folder(r.json())["Attack on Titan (2013)"]["episodes"]["1"] == [1, 2]


@pytest.mark.parametrize("name, after", [("poster.jpg", 1000), ("tvshow.nfo", 10), ("fanart.jpg", 0)])
def test_full_disk_while_writing_one_file(run, run_patched, lib, tmdb_env, name, after):
    assert run("fetch", lib, env=tmdb_env).code == 0
    target = lib / "Frieren (2023)"
    old = (target / name).read_bytes()
    r = run_patched(FULL_PATCH, "fetch", lib, "--force", "--json",
                    env={**tmdb_env, **full_disk_env(target, [name], after)})
    no_traceback(r)
    assert r.code == 1, r.stderr
    frieren = by_folder(r.json())["Frieren (2023)"]
    step = {"poster.jpg": "poster", "tvshow.nfo": "nfo", "fanart.jpg": "fanart"}[name]
    assert frieren["status"] == "failed" and frieren["steps"][step] == "failed"
    assert "no space left on device" in frieren["error"] and name in frieren["error"]
    assert (target / name).read_bytes() == old
    assert not temp_files(lib)
    side = json.loads((target / SIDECAR).read_bytes())  # the failure is on record for `status`
    assert side["steps"][step]["state"] == "failed"
    assert "no space left on device" in side["steps"][step]["error"]


def test_full_disk_on_the_first_sidecar_write(run, run_patched, lib):
    target = lib / "Cowboy Bebop"
    r = run_patched(FULL_PATCH, "scan", lib, "--json", env=full_disk_env(target, [SIDECAR]))
    no_traceback(r)
    assert r.code == 1
    series = by_folder(r.json())
    assert series["Cowboy Bebop"]["status"] == "failed"
    assert "no space left on device" in series["Cowboy Bebop"]["error"] and one_line(series["Cowboy Bebop"]["error"])
    assert not (target / SIDECAR).exists() and not temp_files(lib)
    assert (lib / "Frieren (2023)" / SIDECAR).exists()
    assert run("scan", lib).code == 0 and (target / SIDECAR).exists()


# ======================================================================= hostile metadata

NASTY = """<tvshow>&amp; "dq" 'sq' ]]> <![CDATA[x]]> </title><!-- & -->"""
CONTROL = "A\x00B\x01\x08\x0b\x0c\x1bC\x7f\x9f\ufffe\uffffD\tE\r\nF"
EVIL_PATHS = ["http://evil.example/x.jpg", "//evil/x.jpg", "/../../etc/x.jpg", "/..%2f..%2fetc/x.jpg",
              "/x.jpg?api_key=1", "https://evil.example/y.png", "/a/../../b.jpg", "\\\\evil\\x.jpg"]
HOSTILE_ID = 990001

# Every host the CLI resolves or connects to is logged; any but loopback is refused outright.
NO_OTHER_HOSTS_PATCH = """
import os, socket
_log = open(os.environ["HOSTILE_HOSTS_LOG"], "a", buffering=1)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
def _allow(host):
    shown = host.decode() if isinstance(host, bytes) else str(host)
    _log.write(shown + "\\n")
    if shown not in _LOOPBACK:
        raise socket.gaierror(socket.EAI_NONAME, "refused by the test: " + shown)
_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    _allow(host)
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
for _name in ("connect", "connect_ex"):
    def _make(real):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _allow(address[0])
            return real(self, address)
        return connect
    setattr(socket.socket, _name, _make(getattr(socket.socket, _name)))
"""


def hostile_record(overview: str) -> dict:
    rec = Catalog.from_specs([{
        "id": HOSTILE_ID, "en": "Hostile Show", "ja": "敵対的" + CONTROL, "first_air_date": "2020-01-10",
        "seasons": [(12, "2020-01-10"), (12, "2021-01-10")], "season_names": {1: NASTY},
        "networks": ["Tokyo MX"], "companies": ["MAPPA"],
        "cast": [("Voice Actor", "声優", "Hero", 1), ("Second Actor", "声優2", "Villain", 2)],
        "external": {"imdb": "tt123<script>", "tvdb": 1}, "alt": [("US", "Hostile Show Co")],
    }])[HOSTILE_ID]
    en = next(t for t in rec["translations"] if t["iso_639_1"] == "en")
    en.update(name='Hostile <Show> & "Co" ]]>', overview=overview, tagline=CONTROL + NASTY)
    rec["status"] = NASTY
    rec["cast"][0].update(name=NASTY, character=CONTROL)
    rec["cast"][1]["profile_path"] = "http://evil.example/face.jpg"
    rec["networks"][0].update(name=CONTROL, logo_path="//evil/logo.png")
    rec["keywords"] = [{"id": 1, "name": NASTY}, {"id": 2, "name": CONTROL}]
    rec["content_ratings"] = [{"descriptors": [], "iso_3166_1": "US", "rating": NASTY}]
    rec["seasons"][0]["poster_path"] = "http://evil.example/season.jpg"
    rec["seasons"][1]["poster_path"] = "/../../etc/season.jpg"
    images = rec["images"]
    good_poster, good_backdrop = images["posters"][1], images["backdrops"][0]
    # the hostile images score best; one plain poster and backdrop are left to pick from
    images["posters"] = [dict(good_poster, file_path=p, vote_average=10.0, iso_639_1="en") for p in EVIL_PATHS]
    images["posters"].append(good_poster)
    images["backdrops"] = [dict(good_backdrop, file_path=p, vote_average=10.0) for p in EVIL_PATHS]
    images["backdrops"].append(good_backdrop)
    images["logos"] = [dict(images["logos"][0], file_path=p.replace(".jpg", ".png"), iso_639_1="en")
                       for p in EVIL_PATHS]  # only hostile logos: the logo is "unavailable"
    return rec


def test_hostile_metadata_makes_a_clean_nfo_and_fetches_only_from_the_image_host(run_patched, tmp_path, cli_env):
    overview = ("Evil & <b>bold</b> ]]> \x00\x1b[31m " * 40000)[:1_048_576] + "\r\nend"
    catalog = Catalog.default().copy()
    catalog.add(hostile_record(overview))
    lib = build_library(tmp_path / "lib", {"Hostile Show Co (2020)": ["Hostile Show - 01.mkv"]})
    series_dir = lib / "Hostile Show Co (2020)"
    hosts = tmp_path / "hosts.log"
    hosts.touch()
    before = tree_outside(tmp_path, series_dir, ignore=(".aniload.lock", "hosts.log"))
    with Standin(catalog) as tmdb:
        env = {"ANILOAD_TMDB_API_BASE": tmdb.api_base, "ANILOAD_TMDB_IMAGE_BASE": tmdb.image_base,
               "ANILOAD_TMDB_READ_ACCESS_TOKEN": tmdb.read_access_token, "HOSTILE_HOSTS_LOG": os.fspath(hosts)}
        for args in (("fetch",), ("fetch", "--force")):
            r = run_patched(NO_OTHER_HOSTS_PATCH, *args[:1], lib, *args[1:], "--json", env=env)
            no_traceback(r)
            assert r.code == 0, r.stderr
            s = by_folder(r.json())["Hostile Show Co (2020)"]
            assert s["tmdb_id"] == HOSTILE_ID and s["status"] == "ok"
            assert s["steps"]["poster"] == "done" and s["steps"]["fanart"] == "done"
            assert s["steps"]["logo"] == "unavailable"  # every logo path was hostile
        requests = list(tmdb.requests)
        served_poster = tmdb.image_bytes("original", hostile_record("")["images"]["posters"][-1]["file_path"])

    assert set(hosts.read_text().split()) <= {"127.0.0.1", "localhost", "::1"} and hosts.read_text()
    for req in requests:  # nothing but plain API paths and plain image file names
        assert ".." not in req.target and "//" not in req.target and "evil" not in req.target, req.target
        if req.kind == "image":
            assert req.path.count("/") == 4 and req.status == 200, req.path
    assert tree_outside(tmp_path, series_dir, ignore=(".aniload.lock", "hosts.log")) == before  # nothing elsewhere
    assert (series_dir / "poster.jpg").read_bytes() == served_poster
    written = {p.name for p in series_dir.iterdir()}
    assert written <= {"Hostile Show - 01.mkv", "tvshow.nfo", "poster.jpg", "fanart.jpg", SIDECAR}

    raw = (series_dir / "tvshow.nfo").read_bytes()
    root = ET.fromstring(raw)  # well-formed
    assert root.tag == "tvshow"
    assert root.findtext("title") == 'Hostile <Show> & "Co" ]]>'
    assert root.findtext("originaltitle") == clean_text("敵対的" + CONTROL)
    assert root.findtext("plot") == clean_text(overview) and len(root.findtext("plot")) > 900_000
    assert root.findtext("tagline") == clean_text(CONTROL + NASTY)
    assert root.findtext("status") == NASTY and root.findtext("mpaa") == NASTY
    assert [a.findtext("name") for a in root.findall("actor")][0] == NASTY
    assert root.find("actor").findtext("role") == clean_text(CONTROL)
    assert clean_text(CONTROL) in [e.text for e in root.findall("studio")]
    assert [e.text for e in root.findall("tag")] == [NASTY, clean_text(CONTROL)]
    assert (NASTY, "1") in [(e.text, e.get("number")) for e in root.findall("namedseason")]
    assert "uniqueid" in {e.tag for e in root} and root.find("uniqueid[@type='imdb']") is None
    urls = [u for e in root.iter("thumb") for u in (e.text, e.get("preview")) if u is not None]
    assert len(urls) >= 4  # poster, fanart, a season poster, an actor
    for url in urls:  # every image the NFO points a media server at is on the image host
        assert url.startswith(env["ANILOAD_TMDB_IMAGE_BASE"] + "/"), url
        assert ".." not in url and "evil" not in url and "//" not in url.split("://", 1)[1], url
    for ch in "\x00\x01\x08\x0b\x0c\x1b\x7f\x9f\ufffe\uffff\r":
        assert ch not in raw.decode("utf-8")


# ================================================================================ secrets

KEY = "a1b2c3d4e5f6SECRETKEY0987654321ff"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.SECRET-TOKEN-payload.abc_DEF-123"
WRONG_KEY = "ffffWRONGKEY00000000000000000000"
WRONG_TOKEN = "eyJhbGciOiJIUzI1NiJ9.WRONG-TOKEN-payload.zzz"


def test_secrets_never_appear_in_anything_aniload_writes_or_prints(run, tmp_path, cli_env):
    from urllib.parse import quote, quote_plus

    from aniload.redact import MASK

    lib = build_library(tmp_path / "lib", {
        "Cowboy Bebop": ["Cowboy Bebop - 1x01.mkv"],
        "Frieren (2023)": ["Frieren - 05.mkv"],
        "Hunter x Hunter (1999)": ["Hunter x Hunter - 01.mkv"],
        "Attack on Titan (2013)": ["Attack on Titan - S01E01.mkv"],
        "Zzyzx Nothing": ["x - 01.mkv"],  # a no-match error message
    })
    home_cfg = Path(cli_env["XDG_CONFIG_HOME"]) / "aniload" / "config.toml"
    user_cfg = tmp_path / "user" / "secret.toml"  # the user's own file: it holds the secrets on purpose
    user_cfg.parent.mkdir()
    outputs: list[str] = []

    with Standin(api_key=KEY, read_access_token=TOKEN) as tmdb:
        base = {"ANILOAD_TMDB_API_BASE": tmdb.api_base, "ANILOAD_TMDB_IMAGE_BASE": tmdb.image_base}
        with_token = {**base, "ANILOAD_TMDB_READ_ACCESS_TOKEN": TOKEN}
        with_key = {**base, "ANILOAD_TMDB_API_KEY": KEY, "ANILOAD_TMDB_READ_ACCESS_TOKEN": ""}
        with_both = {**base, "ANILOAD_TMDB_API_KEY": KEY, "ANILOAD_TMDB_READ_ACCESS_TOKEN": TOKEN}
        user_cfg.write_text(f'[tmdb]\napi_key = "{KEY}"\nread_access_token = "{TOKEN}"\n'
                            f'api_base = "{tmdb.api_base}"\nimage_base = "{tmdb.image_base}"\nmax_retries = 1\n')

        def do(*args, env=None, codes=(0, 1)):
            r = run(*args, env=env)
            outputs.extend((r.stdout, r.stderr))
            assert r.code in codes, (args, r.code, r.stderr)
            if "-v" not in args:
                no_traceback(r)
            return r

        do("config", "init", env=with_both)  # writes the starter config; must not copy env secrets in
        assert home_cfg.exists()
        do("scan", lib, env=with_both)
        do("-v", "scan", lib, "--json", env=with_both)
        do("fetch", lib, "--series", "Cowboy Bebop", env=with_token)
        do("fetch", lib, "--series", "Frieren (2023)", "--json", env=with_key)
        do("-v", "fetch", lib, "--dry-run", "--force", env=with_key)

        # errors: 500s, 429s, resets, broken JSON, a key revoked mid-run, and a server (or a
        # proxy) that echoes the credentials back in its error text; printed and recorded
        echo = f"echo api_key={KEY}&x=1 Authorization: Bearer {TOKEN} {quote(TOKEN)}"
        tmdb.add_fault(Fault(kind="status", status=500, path_contains="/tv/12850", times=None))
        tmdb.add_fault(Fault(kind="rate_limit", retry_after=0.05, path_contains="/search/tv", times=3, message=echo))
        tmdb.add_fault(Fault(kind="status", status=403, path_contains="/tv/1429", times=None, message=echo))
        tmdb.add_fault(Fault(kind="reset", path_contains="/tv/30991", times=None))
        tmdb.add_fault(Fault(kind="invalid_json", path_contains="/tv/209867", times=None))
        for env, verbose in ((with_key, ()), (with_key, ("-v",)), (with_token, ("-v",))):
            do("--config", user_cfg, *verbose, "fetch", lib, "--force", "--json", env=env, codes=(1,))
        tmdb.clear_faults()
        tmdb.add_fault(Fault(kind="status", status=401, path_contains="/tv/", times=None, message=echo))
        do("--config", user_cfg, "-v", "fetch", lib, "--force", "--json", env=with_key, codes=(1, 2))
        tmdb.clear_faults()

        # rejected credentials: exit 2, and neither the right nor the wrong ones are shown
        for env, sent in (({**base, "ANILOAD_TMDB_API_KEY": WRONG_KEY}, f"api_key={WRONG_KEY}"),
                          ({**base, "ANILOAD_TMDB_READ_ACCESS_TOKEN": WRONG_TOKEN}, f"Bearer {WRONG_TOKEN}")):
            tmdb.add_fault(Fault(kind="status", status=401, path_contains="/configuration", times=1,
                                 message=f"Invalid credentials: {sent}"))
            for verbose in ((), ("-v",)):  # echoed once, then TMDB's own 401
                do(*verbose, "fetch", lib, "--json", env=env, codes=(2,))
            tmdb.clear_faults()
        do("--config", user_cfg, "fetch", lib, "--json",
           env={"ANILOAD_TMDB_READ_ACCESS_TOKEN": WRONG_TOKEN}, codes=(2,))

        do("status", lib, env=with_both, codes=(1,))
        do("-v", "status", lib, "--json", env=with_both, codes=(1,))
        for args in (("config", "show"), ("config", "show", "--json"), ("-v", "config", "show")):
            do(*args, env=with_both)
            do("--config", user_cfg, *args)
            do("--config", user_cfg, *args, env={"ANILOAD_TMDB_API_KEY": WRONG_KEY})
        do("--config", tmp_path / "missing.toml", "config", "show", env=with_both, codes=(2,))
        assert tmdb.count(status=401) >= 4 and tmdb.count(status=500) >= 1 and tmdb.count(status=429) >= 1

    written = [(p, p.read_bytes()) for p in tmp_path.rglob("*")
               if p.is_file() and not p.is_symlink() and p != user_cfg]
    assert any(p.name == SIDECAR for p, _ in written) and any(p.name == "tvshow.nfo" for p, _ in written)
    assert any(p == home_cfg for p, _ in written)
    printed = "\n".join(outputs)
    assert "rejected" in printed and "500" in printed and "403" in printed  # the errors were printed
    assert f"api_key={MASK}" in printed  # the echo reached a message, masked
    for secret in (KEY, TOKEN, WRONG_KEY, WRONG_TOKEN):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            assert form not in printed, form
            for path, data in written:
                assert form.encode() not in data, (form, path)


# ================================================================ hand-edited sidecars


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def _edit_found_key(data: dict, series: Path) -> None:
    data["scan"]["dirs"]["Season 1"]["found"] = {"one": [1, 2]}  # the folder is unchanged: reused


def _edit_nan_episode(data: dict, series: Path) -> None:
    data["episodes"]["1"] = [float("nan"), 1.5, True]


def _edit_file_size(data: dict, series: Path) -> None:
    top = data["scan"]["dirs"][""]
    top["files"] = {"poster.jpg": "big"}
    top["mtime_ns"] = series.stat().st_mtime_ns  # as if nothing changed since: the record is reused


@pytest.mark.parametrize("edit", [_edit_found_key, _edit_nan_episode, _edit_file_size],
                         ids=["season-key", "nan-episode", "file-size"])
def test_hand_edited_sidecar_with_wrong_inner_types(run, lib, tmdb_env, edit):
    assert run("scan", lib).code == 0
    series = lib / "Cowboy Bebop"
    side = series / SIDECAR
    data = json.loads(side.read_bytes())
    edit(data, series)
    with open(side, "r+b") as fh:  # edited in place, as an editor without safe-save does
        fh.write(json.dumps(data).encode())
        fh.truncate()
    for command in ("status", "scan", "status", "fetch"):
        args = ("--dry-run",) if command == "fetch" else ()
        r = run(command, lib, *args, "--json", env=tmdb_env)
        no_traceback(r)
        doc = _strict_json(r.stdout)
        bebop = by_folder(doc)["Cowboy Bebop"]
        assert all(type(n) is int for numbers in bebop["episodes"].values() for n in numbers), bebop
        assert r.code == 0, (command, r.stderr)


def test_episode_named_with_a_superscript_digit(run, lib, tmdb_env):
    (lib / "Cowboy Bebop" / "².mkv").touch()
    (lib / "Cowboy Bebop" / "Season 1" / "Cowboy Bebop ²1x03.mkv").touch()
    for command in ("scan", "status", "fetch"):
        r = run(command, lib, "--json", env=tmdb_env)
        no_traceback(r)
        assert r.code == 0, (command, r.stderr)
        assert by_folder(r.json())["Cowboy Bebop"]["status"] == "ok"


# ======================================================= special files under aniload's names


def test_fifos_under_aniloads_names_do_not_hang_the_run(run, lib, tmdb_env):
    os.mkfifo(lib / "Cowboy Bebop" / SIDECAR)
    os.mkfifo(lib / "Frieren (2023)" / "tvshow.nfo")
    try:
        for command in ("status", "scan", "fetch"):
            r = run(command, lib, "--json", env=tmdb_env, timeout=8)
            no_traceback(r)
            assert r.code in (0, 1), (command, r.stderr)
            series = by_folder(r.json())
            assert series["Attack on Titan (2013)"]["status"] == "ok"
            for s in series.values():
                assert s["status"] == "ok" or one_line(s["error"])
    except subprocess.TimeoutExpired:
        pytest.fail("aniload hung on a FIFO")
    assert by_folder(r.json())["Frieren (2023)"]["steps"]["nfo"] == "done"  # the FIFO was replaced


def test_nfo_linked_to_an_endless_device(run_patched, lib, tmdb_env):
    os.symlink("/dev/zero", lib / "Cowboy Bebop" / "tvshow.nfo")
    limit = "import resource\nresource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))\n"
    r = run_patched(limit, "fetch", lib, "--json", env=tmdb_env, timeout=30)
    no_traceback(r)
    assert r.code == 0, r.stderr
    nfo = lib / "Cowboy Bebop" / "tvshow.nfo"
    assert nfo.is_file() and not nfo.is_symlink()  # the link was replaced by aniload's NFO, never read whole


def test_aniload_names_taken_by_folders_and_stray_temp_names(run, lib, outside, tmdb_env):
    bebop = lib / "Cowboy Bebop"
    (bebop / "tvshow.nfo").mkdir()
    (bebop / "tvshow.nfo" / "mine.txt").write_text("keep")
    (bebop / "poster.jpg").mkdir()
    # names like aniload's temp files: a link out of the library, and a folder
    os.symlink(outside / "precious.jpg", lib / "Frieren (2023)" / ".poster.jpg.0badc0de.aniload-tmp")
    (lib / "Frieren (2023)" / ".fanart.jpg.12345678.aniload-tmp").mkdir()
    before = snapshot(outside)
    r = run("fetch", lib, "--json", env=tmdb_env)
    no_traceback(r)
    assert r.code == 1, r.stderr
    series = by_folder(r.json())
    assert series["Cowboy Bebop"]["status"] == "failed" and one_line(series["Cowboy Bebop"]["error"])
    assert series["Frieren (2023)"]["status"] == "ok" and series["Attack on Titan (2013)"]["status"] == "ok"
    assert (bebop / "tvshow.nfo" / "mine.txt").read_text() == "keep" and (bebop / "poster.jpg").is_dir()
    assert snapshot(outside) == before
    assert (lib / "Frieren (2023)" / ".fanart.jpg.12345678.aniload-tmp").is_dir()
