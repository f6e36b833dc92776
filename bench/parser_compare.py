"""aniload's file-name parser against anitopy and guessit, on the shared corpus.

Every parser is scored by one rule: a name is right when the season, the episodes and the
special-ness read from it are what a person reads (``special`` missing in the corpus means
False). A film or an extra (no episodes expected) is right when the parser gives no episode.
Each library's own vocabulary is mapped onto that reading as fairly as we can:

- anitopy: ``anime_season``; ``episode_number`` (a two-item list is a range's two ends, as
  anitopy reports "01-03"); special when ``anime_type`` says OVA/OAD/OAV/SP/Special.
- guessit: ``season`` (unless it merely repeats ``year``, guessit's convention for
  year-numbered seasons); ``episode`` (else ``absolute_episode``), none for ``type: movie``;
  special when ``episode_details`` is Special or ``other`` names an original animation.

Speed is the mean over the corpus of the best of several timed passes, in microseconds.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aniload.names import parse_episode_name  # noqa: E402

Reading = tuple[int | None, tuple[int, ...], bool]
SPECIAL_TYPES = {"ova", "oad", "oav", "sp", "special", "specials"}
SPECIAL_OTHER = {"Original Animated Video", "Original Animation DVD", "Original Net Animation"}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _ints(values) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        return None  # "05.5" and the like: not a whole episode


def read_aniload(name: str) -> Reading:
    r = parse_episode_name(name)
    return r.season, r.episodes, r.special


def read_anitopy(name: str) -> Reading:
    import anitopy

    d = anitopy.parse(name) or {}
    seasons = _ints(_as_list(d.get("anime_season"))) or []
    episodes = _ints(_as_list(d.get("episode_number"))) or []
    if len(episodes) == 2 and 0 < episodes[1] - episodes[0] <= 500:
        episodes = list(range(episodes[0], episodes[1] + 1))
    special = any(str(t).lower() in SPECIAL_TYPES for t in _as_list(d.get("anime_type")))
    return (seasons[0] if seasons else None), tuple(sorted(set(episodes))), special


def read_guessit(name: str) -> Reading:
    from guessit import guessit

    d = guessit(name)
    seasons = _ints(_as_list(d.get("season"))) or []
    if seasons and seasons[0] == d.get("year"):
        seasons = []  # guessit's year-as-season convention; it reports the year as well
    episodes = _ints(_as_list(d.get("episode", d.get("absolute_episode")))) or []
    details = {str(x) for x in _as_list(d.get("episode_details"))}
    other = {str(x) for x in _as_list(d.get("other"))}
    special = "Special" in details or bool(other & SPECIAL_OTHER)
    return (seasons[0] if seasons else None), tuple(sorted(set(episodes))), special


PARSERS: dict[str, Callable[[str], Reading]] = {
    "aniload": read_aniload,
    "anitopy": read_anitopy,
    "guessit": read_guessit,
}


def is_right(case: dict, got: Reading) -> bool:
    if not case["episodes"]:
        return not got[1]
    return got == (case["season"], tuple(case["episodes"]), bool(case.get("special", False)))


def _us_per_name(read: Callable[[str], Reading], names: list[str], budget: float = 1.0) -> float:
    """Best of several passes over the corpus, as many as fit in about ``budget`` seconds."""
    best = float("inf")
    spent = 0.0
    passes = 0
    while passes < 3 or (spent < budget and passes < 200):
        start = time.perf_counter()
        for name in names:
            read(name)
        elapsed = time.perf_counter() - start
        best, spent, passes = min(best, elapsed), spent + elapsed, passes + 1
    return best / len(names) * 1e6


def compare(corpus_path: Path) -> list[dict]:
    cases = json.loads(Path(corpus_path).read_text(encoding="utf-8"))
    names = [c["name"] for c in cases]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # guessit/rebulk warn on import in newer Pythons
        for parser, read in PARSERS.items():
            try:
                read(names[0])
            except ImportError:
                continue  # the bench extras are not installed
            correct = sum(is_right(c, read(c["name"])) for c in cases)
            rows.append(
                {
                    "parser": parser,
                    "correct": correct,
                    "total": len(cases),
                    "accuracy": correct / len(cases),
                    "us_per_name": _us_per_name(read, names),
                }
            )
    return rows


def misses(corpus_path: Path, parser: str) -> list[tuple[str, Reading, Reading]]:
    """(name, expected, got) for every name ``parser`` reads wrong: for looking into a score."""
    read = PARSERS[parser]
    out = []
    for c in json.loads(Path(corpus_path).read_text(encoding="utf-8")):
        got = read(c["name"])
        if not is_right(c, got):
            expected = (c["season"], tuple(c["episodes"]), c.get("special", False))
            out.append((c["name"], expected, got))
    return out


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "filename_corpus.json"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    print(f"{'parser':<10}{'correct':>12}{'accuracy':>10}{'us/name':>10}")
    for row in compare(path):
        print(
            f"{row['parser']:<10}{row['correct']:>7}/{row['total']:<4}"
            f"{row['accuracy'] * 100:>9.1f}%{row['us_per_name']:>10.1f}"
        )
