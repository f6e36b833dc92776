"""A folder's names parsed together must give exactly what the parser gives name by name."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aniload import names, nameshapes
from aniload.nameshapes import parse_folder_stems
from aniload.names import parse_clean_stem, parse_episode_name, parse_episode_stem

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "filename_corpus.json"

# Pieces names are made of, chosen for the parser's corner cases: years, resolutions,
# codecs (x264 / h.265), CRCs, season words, specials, ranges, half episodes, CJK markers.
PIECES = [
    "[SubsPlease]", "[Erai-raws]", "Show", "Title 2", "S2", "Season 2", "2nd Season", "OVA", "Ep",
    "Episode", " - ", "-", " ", ".", "_", "2019", "1080p", "[ABCDE123]", "(01-13)", "x264", "H.264",
    "x.265", "v2", "E", "S01E", "Folge", "第", "話", "Special", "SP", "#", "Part 2", "Movie", "NCOP",
    ".5", "91 Days", "(1080p)", "[BD]", "Staffel 2", "–", "1x", "第2期", "~", "+", "05", "264",
]


def stem_of(name: str) -> str:
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def assert_same(stems):
    assert parse_folder_stems(stems) == [parse_episode_stem(s) for s in stems]
    assert parse_folder_stems(sorted(stems)) == [parse_episode_stem(s) for s in sorted(stems)]


def test_the_shared_corpus_as_one_folder():
    names_ = [case["name"] for case in json.loads(CORPUS.read_text())]
    assert_same([stem_of(n) for n in names_])
    assert [parse_episode_name(n) for n in names_] == parse_folder_stems([stem_of(n) for n in names_])


def test_numbered_families_of_every_corpus_name():
    """Each corpus name with each of its digit runs counted up: the shapes that get learned."""
    for case in json.loads(CORPUS.read_text()):
        stem = stem_of(case["name"])
        for run in re.finditer(r"[0-9]+", stem):
            width = run.end() - run.start()
            assert_same([
                stem[: run.start()] + str(n).zfill(width)[-width:] + stem[run.end() :]
                for n in (1, 2, 3, 9, 10, 11, 99, 100, 264, 265, 999, 2019, 0)
            ])


def parse_calls(monkeypatch, stems) -> int:
    """How many names of ``stems`` the folder parse ran the parser on (learning included)."""
    calls = []

    def counting(s):
        calls.append(s)
        return parse_clean_stem(s)

    monkeypatch.setattr(nameshapes, "parse_clean_stem", counting)
    stems = sorted(sorted(stems), key=len)  # as the scanner does
    assert parse_folder_stems(stems) == [parse_episode_stem(s) for s in stems]
    return len(calls)


def test_a_season_is_parsed_about_once_per_number_length(monkeypatch):
    # two runs of one length each (1-9, 10-40): two names of each parsed, one learnt (~2 parses)
    assert parse_calls(monkeypatch, [f"Show - Folge {n} [German Dub]" for n in range(1, 41)]) <= 8
    fansub = [f"[Group] Show - {n:02d} (1080p) [{random.Random(n).getrandbits(32):08X}]" for n in range(1, 41)]
    # "01".."09" and "10".."40" (a leading zero or not): two shapes, learnt with ~6 parses in all
    assert parse_calls(monkeypatch, fansub) <= 6  # the checksums differ; the parser ignores them
    assert parse_calls(monkeypatch, [f"Show.S01E{n:02d}.1080p.WEB.x264-GRP" for n in range(1, 41)]) <= 6


def test_a_folder_of_unlike_names_stops_learning(monkeypatch):
    titles = ["The Beginning", "The Middle!", "An Ending..", "Another One", "Yet Another", "Last Words!"]
    stems = [f"Show - S01E{n:02d} - {title}" for n, title in enumerate(titles * 5, 1)]
    # names of equal length but other episode titles: two failed shapes, then plain parsing
    assert parse_calls(monkeypatch, stems) <= len(stems) + 2 * 2


def test_checksums_and_cut_names():
    assert_same([f"[G] Show - {n:02d} [{c}]" for n, c in ((1, "ABCD1234"), (2, "abcd0ed5"), (3, "12345678"))])
    assert_same([f"Show {n:02d} [0ED5{n:04d}]" for n in range(1, 9)])  # "0ED5" is no ending
    assert_same([f"Show - {n:02d} [ABCD{n:04d}] [BD]" for n in range(1, 9)])  # not the last tag
    assert_same([f"Show - {n:02d} [DEADBEEF] [ABCD{n:04d}]" for n in range(1, 9)])  # two: one dropped
    long_title = "T" * (names._MAX_NAME - 14)
    assert_same([f"{long_title} - {n:02d} [ABCD{n:04d}]" for n in range(1, 9)])  # cut inside the tag
    assert_same([f"{long_title[:-3]} - {n:02d} [ABCD{n:04d}]" for n in range(1, 9)])  # tag at the cut


def test_tricky_families_stay_right():
    stems = [f"Show - Folge {n} [German Dub]" for n in range(1, 40)]
    stems += [f"Show.S01E{n:02d}.1080p.WEB.x264-GRP" for n in range(1, 30)]
    stems += [f"Show 2 Episode {n:02d}" for n in (1, 2, 3)]  # the title's 2 is not the episode
    stems += [f"Show Ep {n:02d}-{n + 1:02d}" for n in (1, 3)]  # ranges
    stems += [f"Show Episode {n}.5" for n in (1, 2)]  # half episodes
    stems += [f"Show {n:03d} x.{264 + n % 2}" for n in range(1, 6)]
    assert_same(stems)
    assert_same([f"Show.x.{n}" for n in range(260, 268)])  # x.264 is a codec, x.263 an episode
    assert_same([f"Show.H.{n}" for n in range(260, 268)])
    assert_same([f"Episode {n} Season {n}" for n in range(1, 12)])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
    st.integers(0, len(PIECES)),
    st.lists(st.integers(0, 1200), min_size=2, max_size=12),
    st.sampled_from([0, 1, 2, 3]),
)
def test_generated_folders(parts, where, numbers, width):
    """Families of names equal but for a number, with the number anywhere in the name."""
    def name(n):
        pieces = list(parts)
        pieces.insert(min(where, len(pieces)), str(n).zfill(width))
        return "".join(pieces)

    assert_same([name(n) for n in numbers])


def test_random_folders():
    rnd = random.Random(11)
    for _ in range(3000):
        template = [rnd.choice(PIECES) for _ in range(rnd.randint(1, 5))]
        at = rnd.randint(0, len(template))
        width = rnd.choice([1, 2, 3])
        stems = []
        for n in rnd.sample(range(0, 400), rnd.randint(2, 8)):
            pieces = list(template)
            pieces.insert(at, str(n).zfill(width))
            stems.append("".join(pieces))
        if rnd.random() < 0.3:
            stems.append("".join(rnd.choice(PIECES) for _ in range(4)))
        assert_same(stems)
