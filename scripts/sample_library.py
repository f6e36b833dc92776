"""Builds the sample library `make demo` runs on: real anime titles, the layouts people
really have (season folders, flat folders, Specials, German folders) and the file names
fansub groups, scene releases and German dubs really use. Empty files: only names matter
to the scan."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SERIES: dict[str, dict[str, list[str]]] = {
    "Attack on Titan (2013)": {
        "Season 1": [f"Attack on Titan - S01E{e:02d} - Episode {e}.mkv" for e in range(1, 26)],
        "Season 2": [f"Attack.on.Titan.S02E{e:02d}.1080p.BluRay.x264-GRP.mkv" for e in range(1, 13)],
        "Specials": ["Attack on Titan - S00E01 - Ilse's Notebook.mkv", "Attack on Titan - OVA 2.mkv"],
    },
    "Frieren (2023)": {
        "": [f"[SubsPlease] Sousou no Frieren - {e:02d} (1080p) [A1B2C3{e:02X}].mkv" for e in range(1, 29)],
    },
    "Cowboy Bebop (1998)": {
        "Season 01": [f"Cowboy Bebop - 1x{e:02d}.mkv" for e in range(1, 27)],
    },
    "One Piece (1999)": {
        "": [f"[Erai-raws] One Piece - {e} [1080p].mkv" for e in range(1071, 1101)],
    },
    "Hunter x Hunter (2011)": {
        "Season 1": [f"Hunter x Hunter (2011) - {e:03d} [BD 1080p].mkv" for e in range(1, 149)],
    },
    "Hunter x Hunter (1999)": {
        "S01": [f"[Group] Hunter x Hunter - {e:02d} [DVD].mkv" for e in range(1, 63)],
    },
    "Detektiv Conan": {
        "Staffel 1": [f"Detektiv Conan - Folge {e} - Der Titel.mp4" for e in range(1, 29)],
    },
    "Spy x Family (2022)": {
        "Season 1": [f"Spy.x.Family.S01E{e:02d}.German.DL.1080p.WEB.h264-GRP.mkv" for e in range(1, 26)],
        "Season 2": [f"[SubsPlease] Spy x Family S2 - {e:02d} (1080p) [0A1B2C{e:02X}].mkv" for e in range(1, 13)],
    },
    "Jujutsu Kaisen (2020)": {
        "": [f"[Judas] Jujutsu Kaisen - S01E{e:02d}v2 [1080p][HEVC x265 10bit].mkv" for e in range(1, 25)],
    },
    "Mob Psycho 100 (2016)": {
        "Season 1": [f"Mob Psycho 100 - {e:02d}.mkv" for e in range(1, 13)],
        "Season 2": [f"Mob Psycho 100 - S02E{e:02d}.mkv" for e in range(1, 14)],
    },
    "Demon Slayer - Kimetsu no Yaiba (2019)": {
        "Season 1": [f"Demon Slayer - S01E{e:02d} [Dual Audio][BD 1080p].mkv" for e in range(1, 27)],
        "": ["Demon Slayer - The Movie - Mugen Train (2020) [1080p].mkv"],
    },
    "葬送のフリーレン": {
        "": [f"葬送のフリーレン 第{e:02d}話.mkv" for e in range(1, 11)],
    },
    "Vinland Saga (2019)": {
        "Staffel 1": [f"Vinland Saga - Staffel 1 Folge {e}.mp4" for e in range(1, 25)],
        "Staffel 2": [f"Vinland.Saga.S02E{e:02d}.German.DL.1080p.BluRay.x264-GRP.mkv" for e in range(1, 25)],
    },
}


def make_sample_library(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    for series, folders in SERIES.items():
        for folder, names in folders.items():
            where = root / series / folder if folder else root / series
            where.mkdir(parents=True, exist_ok=True)
            for name in names:
                (where / name).touch()
    (root / "README.txt").write_text("top-level files are not series\n")
    (root / ".hidden").mkdir()
    return root


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-library")
    make_sample_library(target)
    print(f"sample library with {len(SERIES)} series in {target}")
