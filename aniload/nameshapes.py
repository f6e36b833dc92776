"""One folder's episode names, parsed together: a name that differs from one already parsed
only in its episode number is answered without running the parser again.

The files of one season differ only in the number ("Show - Folge 7 [German Dub]",
"[Group] Show - 07 (1080p) [1A2B3C4D]" once the parser has dropped the checksum tag). When
two names of the same length come one after the other, this module learns the second one's
*shape*: the text around the number, the number's length and whether it starts with a zero.
A later name of the same shape gets the same answer with its own number, at the cost of
two string comparisons. Learning costs about two parses, so it waits for that second name:
a folder of unlike names (episode titles in the names) rarely pays for it, and never more
than ``_MAX_IDLE_SHAPES`` times.

Why that is the parser's answer, not a guess: the parser's decisions depend on a digit run
only through its length, its leading zero and (for 4 digits) whether it is a year; only
the results carry the values. So two names equal but for the digits of one run of 1 to 3
digits, with the same leading zero, go down the same path. Which run the episode came from
is checked, not assumed: learning parses the name a second time with that run's digits
changed, and keeps the shape only if the episode followed the change and nothing else did
(a title number that happens to equal the episode, a range, a season number all fail it).
The parser's one digit-valued pattern, "x.264"/"h.265" in dotted names, is kept out by
never learning a 3-digit run right after a dot. tests/test_nameshapes.py compares this
with the plain parser on the shared corpus, on generated folders and on random names.
"""

from __future__ import annotations

import re

from aniload.names import _MAX_NAME, EpisodeName, parse_clean_stem, without_checksum

_MAX_IDLE_SHAPES = 2  # learned shapes that no later name had: a folder of unlike names stops
_RUN = re.compile(r"(?<!\d)[0-9]{1,3}(?!\d)")  # \d is Unicode's: a run ends at any digit
_new_name = tuple.__new__  # EpisodeName(...) without its Python-level __new__


# Answers by (season, special-ness, leading zero), then by the digits as written: shared
# by every folder of a run, so a hit builds nothing. Bounded: 1 to 3 digits, few seasons.
_ANSWERS: dict[tuple[int | None, bool, bool], dict[str, EpisodeName]] = {}


def parse_folder_stems(stems: list[str]) -> list[EpisodeName]:
    """``parse_episode_stem`` of each name (extension already cut off), in order.

    Names sorted by length, then by name, work best: a season's names then come in runs of
    one shape ("Folge 1".."Folge 9", then "Folge 10"..), and only the current shape is tried.
    """
    out = []
    shape_len = -1  # the current shape; -1: none
    prefix = suffix = ""
    start = end = 0
    zero = special = False
    season = None
    known: dict[str, EpisodeName] = {}
    idle = hits = 0
    last_len = -1  # the length of the last name parsed in full
    for stem in stems:
        # what the parser looks at (a checksum tag is "[" and 8 more characters at the end)
        s = without_checksum(stem[:_MAX_NAME]) if stem[-10:-9] == "[" or len(stem) > _MAX_NAME else stem
        if len(s) == shape_len and s.startswith(prefix) and s.endswith(suffix):
            digits = s[start:end]
            found = known.get(digits)
            if found is None and digits.isascii() and digits.isdigit() and (digits[0] == "0") == zero:
                found = known[digits] = _new_name(EpisodeName, (season, (int(digits),), special))
            if found is not None:
                hits += 1
                out.append(found)
                continue
        parsed = parse_clean_stem(s)
        out.append(parsed)
        if len(s) == last_len and idle < _MAX_IDLE_SHAPES:
            shape = _learn(s, parsed)
            if shape is not None:
                if shape_len >= 0 and not hits:
                    idle += 1
                shape_len, prefix, suffix, start, end, zero = shape
                season, special, hits = parsed.season, parsed.special, 0
                known = _ANSWERS.setdefault((season, special, zero), {})
                if len(known) > 4096:  # not from real folders; stay small anyway
                    known.clear()
        last_len = len(s)
    return out


def _learn(s: str, parsed: EpisodeName):
    """(length, text before, text after, start, end, leading zero) of the one digit run the
    episode number came from, or None. ``s`` is a name as the parser proper sees it."""
    if len(parsed.episodes) != 1:
        return None
    episode = parsed.episodes[0]
    for run in _RUN.finditer(s):
        digits = run.group()
        start, end = run.span()
        if int(digits) != episode or digits == "0" or (len(digits) == 3 and s[start - 1 : start] == "."):
            continue
        other = digits[:-1] + ("2" if digits[-1] == "1" else "1")  # same length, same leading zero
        if parse_clean_stem(s[:start] + other + s[end:]) == (parsed.season, (int(other),), parsed.special):
            return len(s), s[:start], s[end:], start, end, digits[0] == "0"
    return None
