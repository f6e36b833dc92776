"""What season and episode a file name says (folder names: ``foldernames``).

Pure. The scanner calls ``parse_episode_name`` for each of up to 100,000 files a run, so
the commonest shapes cost two regex searches, and no input can raise or backtrack badly.
The rules go in the order of confidence a person reading the name would have:

1. ``S01E05`` / ``2x05`` and their ranges (``S01E01-E03``, ``S01E01E02``, ``1x01-1x02``).
2. Words naming an episode before the "Title - NN" number: "Episode 5", "Ep.05", "E05",
   "#05", "Folge 5", 第5話, Épisode/Capítulo, and specials "OVA 2", "SP01", "Special 2"
   (also as the title's last word: "Title - Specials - 02");
   season words anywhere: "S2", "2nd Season", "Season 2", "Staffel 2", 第2期.
3. The fansub position "Title - NN" (the first that is not a year). A title with no digit
   holds no marker, so that shape costs two searches; one with digits costs a third.
4. A bracket holding only a number or range ("[05]", "(01-13)"); then, unless a film or
   extra word (Movie, NCOP, PV, ...) is there, the last free-standing number, a zero-padded
   one first, since titles rarely pad ("Gundam 00 05" is 5, "Title 05 Part 2" is 5).

Free-standing means touching no letter, digit or dot, which by itself rules out 1080p,
x264, H.264, 10bit, 60fps, 5.1, 1920x1080, CRC32s and 8-digit dates. Four-digit numbers
from 1920 to 2099 are years unless a marker says otherwise, so "One Piece - 1001" is an
episode and "Kanon 2006 - 05" has a year in its title.

Judgement calls: a half episode ("Title - 05.5", a recap) is a special we cannot number,
``special=True, episodes=()``. A lone "OVA" with no number is special 1. "2nd GIG", "III",
"Part 2" and "Final Season" name no season. Markers after the dash number are ignored
("Title - 05 - Ep 7 Recap" is 5).
"""

from __future__ import annotations

import re
from typing import NamedTuple

VIDEO_EXTENSIONS: frozenset[str] = frozenset(
    ".mkv .mp4 .avi .m4v .webm .ts .m2ts .mts .mov .wmv .flv .ogm .ogv .mpg .mpeg "
    ".divx .xvid .rmvb .rm .asf .3gp .vob .f4v".split()
)
# Names handed to the parser may carry a subtitle or side-file extension too.
_STRIP_EXTENSIONS = VIDEO_EXTENSIONS | frozenset(
    ".srt .ass .ssa .sub .idx .sup .vtt .nfo .txt .mka .flac .mp3 .aac .jpg .png .part".split()
)

_MAX_RANGE = 500  # "01-9999" is not 9,999 episodes; a longer span keeps only its start
# No file system allows a name over 255 bytes (or UTF-16 units), so a longer string is not
# a real name: looking at its first 1,024 characters only bounds the time whatever it holds.
_MAX_NAME = 1024


class EpisodeName(NamedTuple):
    """A tuple, so that the scanner can group a folder's results with C-speed hashing."""

    season: int | None
    episodes: tuple[int, ...]
    special: bool = False


def video_stem(filename: str) -> str | None:
    """The name without its extension if it is a video file's name, else None."""
    dot = filename.rfind(".")
    if dot > 0 and ((ext := filename[dot:]) in VIDEO_EXTENSIONS or ext.lower() in VIDEO_EXTENSIONS):
        return filename[:dot]
    return None


# --- patterns -------------------------------------------------------------------------
# Speed: hot patterns have no re.IGNORECASE and open with one literal or character class,
# so the engine skips in C to where a match can start. Rare words (Season, OVA, 第..話)
# are looked for only when a substring test on the lower-cased name finds them.
# They are compiled on the first file name parsed (10 ms): a rescan that parses no name,
# and `status`, never pay for them.
_LATER: dict[str, tuple[str, int]] = {}


def _later(name: str, pattern: str, flags: int = 0) -> None:
    _LATER[name] = (pattern, flags)


def _compile_patterns() -> None:
    patterns = {name: re.compile(pattern, flags) for name, (pattern, flags) in _LATER.items()}
    mark = patterns["_MARK"]
    # m.group(3) is cheaper than m.group("s"), and a bound method than an attribute lookup.
    groups = {"_X_E": "xe", "_X_TAIL": "xtail", "_S": "s", "_E": "e", "_S_TAIL": "tail",
              "_SP": "sp", "_N": "n", "_HALF_N": "half", "_N_TAIL": "etail"}
    indexes = {name: mark.groupindex[group] for name, group in groups.items()}
    searches = {"_mark_search": mark.search, "_sxe_search": patterns["_SXE"].search,
                "_dash_search": patterns["_DASH"].search}
    globals().update(patterns, **indexes, **searches)  # module globals, as if compiled at import


def _tail(group: str) -> str:
    """A range or list after S01E05: "E06", "-E06", "-06", "+06", "-1x06" unspaced; spaced
    only with the E (" - E06"), so "S01E05 - 100 Percent" keeps 100 in the title."""
    return rf"""(?P<{group}>(?:
          (?:\s?[-~+&]\s?)?[eE]\d{{1,4}}(?:[vV]\d{{1,2}})?(?!\d)
        | [-~+](?:\d{{1,2}}[xX])?\d{{1,4}}(?:[vV]\d{{1,2}})?(?![\dpiPI])
    )*)"""


# After a marker or a dash, a spaced range ("05 - 06") counts only when nothing but tags
# follows, so "Ep 1 - 100 Percent" stays episode 1.
_ETAIL = r"""(?P<etail>(?:
      [-~+&]\s?(?:[eE][pP]?)?\d{1,4}(?:[vV]\d{1,2})?(?![\d.pPiI])
    | \s[-~+&]\s(?:[eE][pP]?)?\d{1,4}(?:[vV]\d{1,2})?(?=\s*(?:[\[({]|$))
)*)"""
_NUM = r"(?P<n>\d{1,4})(?:\.(?P<half>\d)(?!\d))?(?:[vV]\d{1,2})?"

# One search finds the first of: S01E05 (S01 Ep05, S01.E05, S01 - E05), 2x05, a bare
# season "S2", or an episode marker (E05, Ep.05, Episode 5, Folge 5, #05, SP01, Special 2).
# Which one matched is m.lastgroup: "tail", "xtail", "s" or "etail".
_MARK = _later(
    "_MARK",
    r"""[sSeEfF\#xX](?:
        (?<=[xX])(?:(?<=[^A-Za-z0-9]\d[xX])|(?<=[^A-Za-z0-9]\d\d[xX])|(?<=^\d[xX])|(?<=^\d\d[xX]))
        (?P<xe>\d{2,3})(?:[vV]\d{1,2})?(?!\d)""" + _tail("xtail") + r"""
      | (?<![A-Za-z0-9].)(?:
            (?<=[sS])(?P<s>\d{1,3})(?:
                [\s._-]{0,3}[eE](?:[pP](?i:isode)?)?[\s.]?(?P<e>\d{1,4})
                (?:[vV]\d{1,2})?(?!\d)""" + _tail("tail") + r"""
              | (?![A-Za-z0-9]))
          | (?:
                (?<=[eE])(?:[pP](?i:isod(?:es?|io))?\.?\s?|\.?)
              | (?<=[fF])(?i:olge)\.?\s?
              | (?<=\#)\s?
              | (?<=[sS])(?P<sp>[pP](?i:ecials?)?)[\s.-]?\#?
            )""" + _NUM + _ETAIL + r"""(?![\dA-Za-z])
        )
    )""",
    re.X,
)
_TAIL_ITEM = _later("_TAIL_ITEM", r"([-~+&]?)\s?(?:[eE][pP]?|\d{1,2}[xX])?(\d+)")

# "Title - NN": the number right after a spaced dash, then a space, a bracket or the end.
_DASH = _later("_DASH", r"\ -\s*" + _NUM + _ETAIL + r"(?=[\s\[\](){},]|$)", re.X)
# "Special"/"Specials"/"SP" ending the title, right before the dash number.
_SPECIAL_BEFORE = _later("_SPECIAL_BEFORE", r"(?<![A-Za-z0-9])(?:[sS][pP](?i:ecials?)?)$")
_DIGIT = _later("_DIGIT", r"[0-9]")  # not \d: a Unicode-category test per character is slower
# S01E05 alone, for names with no dash: far fewer groups and candidates than _MARK.
_SXE = _later(
    "_SXE",
    r"""[sS](?<![A-Za-z0-9][sS])(\d{1,3})[\s._-]{0,3}[eE](?:[pP](?i:isode)?)?[\s.]?(\d{1,4})
    (?:[vV]\d{1,2})?(?!\d)""" + _tail("tail"),
    re.X,
)

# The rest run on the lower-cased name, so they need no re.IGNORECASE either.
_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_SEASON_WORDS = ("season", "staffel", "saison", "temporada", "stagione")
_NUMBER_AFTER_WORD = _later("_NUMBER_AFTER_WORD", r"[\s._-]?(\d{1,2})(?!\d)")
_ORDINAL_BEFORE = _later(
    "_ORDINAL_BEFORE",
    r"(?<![a-z0-9])(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(_ORDINALS) + r"))[\s._-]$"
)
_SEASON_CJK = _later("_SEASON_CJK", r"第(\d{1,2})期|シーズン\s?(\d{1,2})")
# OVA/OAD anywhere makes a special; a number right after it is the episode.
_OVA = _later("_OVA", r"o(?<![a-z]o)(?:va|ad|av)s?(?![a-z])(?:[\s._-]{0,3}\#?(\d{1,3})(?!\d))?")
_RARE_MARK = _later(
    "_RARE_MARK",
    r"(?:(?<![a-z0-9])(?:[ée]pisode|cap[ií]tulo|cap\.)\s?|第(?=\d{1,4}[話话集回]))"
    + _NUM + _ETAIL
    + r"(?:[話话集回]|(?![\da-z]))",
    re.X,
)
_SCENE_DOT = _later("_SCENE_DOT", r"\.(?!(?<=[hxHX]\.)26[45])(?!(?<=\d\.)\d(?!\d))")
# A film or an extra; the first letter leads so the engine can skip straight to candidates.
_NOT_EPISODE = _later(
    "_NOT_EPISODE",
    "|".join(
        rf"{w[0]}(?<![a-z]{w[0]}){w[1:]}\d*(?![a-z])"
        for w in "movie film gekijouban ncop nced creditless trailer teaser preview menu "
        "pv cm op ed".split()
    )
    + "|劇場版"
)
# Slow path, one pass over the lower-cased name: a bracket holding only a number or a range
# ("[05]", "(01-13)"); any other bracket, skipped whole (tags, CRCs, years; bounded so 10,000
# "[" stay linear); or a free-standing number, one touching no letter, digit or dot.
_TOKENS = _later(
    "_TOKENS",
    r"""[\[(](?P<bn>\d{1,4})(?:v\d{1,2})?(?P<btail>\s?[-~]\s?\d{1,4})?(?:v\d{1,2})?\s?[\])]
    | \[[^\]]{0,150}\] | \([^)]{0,150}\) | \{[^}]{0,150}\} | 【[^】]{0,150}】
    | (?P<n>\d(?<![a-z\d.]\d)(?<!ac-\d)\d{0,3})(?:v\d{1,2})?(?P<tail>(?:[-~+]e?\d{1,4}(?![\d.a-z]))*)
      (?![a-z\d]|\.(?!\s|$)|\s?(?:bits?|fps|ch|hz)\b)""",
    re.X,
)
_COUNTER_WORDS = tuple(  # "Part 2", "Vol.3", "No. 8" count something other than episodes
    w + end for w in "part vol volume cour no chapter book movie film ver version gen".split()
    for end in (" ", ".", ". ")
)
_CHECKSUMS = _later("_CHECKSUMS", r"\[[0-9a-f]{8}\]")  # on the lower-cased name
_TITLE_WORD_AFTER = _later("_TITLE_WORD_AFTER", r"\s+[^\W\d_]")


# --- episode names --------------------------------------------------------------------
# Results are immutable, so equal ones are shared; the two commonest are also keyed by the
# digits as written ("05"; ("01", "05")), which skips int() and tuple building. All stay
# small: a few thousand keys at most.
_INTERN: dict[tuple, EpisodeName] = {}
_BY_DIGITS: dict[str, EpisodeName] = {}
_BY_SXE: dict[tuple[str, str], EpisodeName] = {}
_CLEAN_TITLES: dict[str, bool] = {}  # "[Group] Title" before a dash number, marker-free -> has a digit
# Set by _compile_patterns(), with every pattern above, before the first name is parsed.
_mark_search = _sxe_search = _dash_search = None
_X_E = _X_TAIL = _S = _E = _S_TAIL = _SP = _N = _HALF_N = _N_TAIL = 0


def _result(season: int | None, episodes: tuple[int, ...], special: bool = False) -> EpisodeName:
    key = (season, episodes, special)
    hit = _INTERN.get(key)
    if hit is None:
        hit = EpisodeName(season, episodes, special)
        if len(_INTERN) < 4096:
            _INTERN[key] = hit
    return hit


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and 1920 <= int(digits) <= 2099


def _episodes(first: str, tail: str | None) -> tuple[int, ...]:
    """Expand "01" + "-03" into (1, 2, 3) and "01" + "E02E03" into (1, 2, 3)."""
    prev = int(first)
    if not tail:
        return (prev,)
    found = {prev}
    for sep, num in _TAIL_ITEM.findall(tail):
        n = int(num)
        if sep in ("-", "~") and n > prev:
            if n - prev > _MAX_RANGE or len(found) > _MAX_RANGE:
                break
            found.update(range(prev + 1, n + 1))
        else:
            found.add(n)
        prev = n
    return tuple(sorted(found))


def parse_episode_name(filename: str) -> EpisodeName:
    """Season, episodes and special-ness of one file name; never raises."""
    s = filename[:_MAX_NAME]
    dot = s.rfind(".")
    if dot > 0 and (s[dot:] in _STRIP_EXTENSIONS or s[dot:].lower() in _STRIP_EXTENSIONS):
        s = s[:dot]
    return parse_episode_stem(s)


def parse_episode_stem(stem: str) -> EpisodeName:
    """``parse_episode_name`` for a name whose extension the caller has already cut off."""
    return parse_clean_stem(without_checksum(stem[:_MAX_NAME]))


_HEX_DIGITS = "0123456789abcdefABCDEF"


def without_checksum(s: str) -> str:
    """``s`` without a trailing checksum tag ("... - 05 [1A2B3C4D]"), which says nothing of
    the episode: the parser never sees it, and a season's names then differ only in their
    number (see ``nameshapes``)."""
    if s[-1:] == "]" and len(s) > 10 and s[-10] == "[" and not s[-9:-1].strip(_HEX_DIGITS):
        return s[:-10].rstrip() or s
    return s


def parse_clean_stem(s: str) -> EpisodeName:
    """The parser proper, on a stem already cut to ``_MAX_NAME`` and ``without_checksum``."""
    if _dash_search is None:
        _compile_patterns()
    if "_" in s:
        s = s.replace("_", " ")
    dash = _dash_search(s)
    if dash is None:
        m = _sxe_search(s)
        if m is not None:  # S01E05, the scene and Sonarr shape
            sn, en, tail = m.groups()
            if tail:
                return _result(int(sn), _episodes(en, tail))
            hit = _BY_SXE.get((sn, en))
            if hit is None:
                hit = _result(int(sn), (int(en),))
                if len(_BY_SXE) < 8192:
                    _BY_SXE[sn, en] = hit
            return hit
        if s.isdecimal() and len(s) <= 4 and not _is_year(s):  # "05.mkv"
            hit = _BY_DIGITS.get(s)
            if hit is None:
                hit = _BY_DIGITS[s] = _result(None, (int(s),))
            return hit
        return _parse_general(s, len(s), None, _mark_search(s))
    # "[Group] Title - NN ...", the commonest fansub shape. The number stands unless the
    # title before it names a season or an episode ("Oshi no Ko S2 - 03", "Ep 1 - 100
    # Percent"); with no digit in the title there is no need to look.
    end = dash.start()
    n, half, tail = dash.groups()
    m = has_digit = None
    if not _is_year(n):
        # Every file of a season shares its "[Group] Title - " part, so what the title says
        # is looked up once per folder, not once per file.
        title = s[:end]
        has_digit = _CLEAN_TITLES.get(title)
        if has_digit is None:
            digit = _DIGIT.search(s, s.find("]", 0, end) + 1 if s[:1] == "[" else 0, end)
            # a marker ends with a digit and starts at most 10 characters before it ("Episode 5")
            if digit is not None:
                m = _mark_search(s, max(0, digit.start() - 11), end)
            if m is None:
                if len(_CLEAN_TITLES) >= 1024:
                    _CLEAN_TITLES.clear()
                _CLEAN_TITLES[title] = has_digit = digit is not None
    if m is None and has_digit is not None:
        low = s.lower()  # below, words that need a digit matter only if the title has one
        if not ("ova" in low or "oad" in low or "oav" in low) and (
            not has_digit or not ("第" in s or "pisode" in low)
        ):
            seasonal = "season" in low if not has_digit else _has_season_word(low)
            found = _season_words(low) if seasonal else None  # "Second Season - 05"
            if _special_before(s, end):
                return _result(None, () if half else _episodes(n, tail), True)
            if found is not None or half is not None or tail:
                return _result(found and found[0], () if half else _episodes(n, tail), bool(half))
            hit = _BY_DIGITS.get(n)
            if hit is None:
                hit = _BY_DIGITS[n] = _result(None, (int(n),))
            return hit
    return _parse_general(s, end, dash, m if m is not None else _mark_search(s, 0, end))


def _special_before(s: str, end: int) -> bool:
    """The title ends with "Special(s)"/"SP" right before the dash number: "Title - Specials - 02"."""
    return end > 0 and s[end - 1] in "lLsSpP" and _SPECIAL_BEFORE.search(s, 0, end) is not None


def _has_season_word(low: str) -> bool:
    return ("son" in low or "taffel" in low or "期" in low or "シーズン" in low
            or "mporada" in low or "agione" in low)


def _parse_general(s: str, end: int, dash: re.Match | None, m: re.Match | None) -> EpisodeName:
    """``m`` is the first marker before ``end``, where the dash number (if any) starts.
    Markers win over the dash number, which wins over anything in _parse_slow."""
    season = season_at = marker = None
    while m is not None:
        kind = m.lastindex
        if kind == _S_TAIL:
            return _result(int(m.group(_S)), _episodes(m.group(_E), m.group(_S_TAIL)))
        if kind == _N_TAIL:
            marker = m.group(_N, _HALF_N, _N_TAIL, _SP)
            break
        if kind == _X_TAIL:
            j = m.start()
            first = s[j - 2 : j] if j >= 2 and s[j - 2].isdecimal() else s[j - 1]
            return _result(int(first), _episodes(m.group(_X_E), m.group(_X_TAIL)))
        if season is None and len(m.group(_S)) <= 2:  # a bare "S2"
            season, season_at = int(m.group(_S)), m.span()
        m = _mark_search(s, m.end(), end)

    low = s.lower()
    if season is None and _has_season_word(low):
        found = _season_words(low)
        if found is not None:
            season, season_at = found[0], (found[1:] if len(low) == len(s) else None)
    special = False
    if "ova" in low or "oad" in low or "oav" in low:
        m = _OVA.search(low)
        if m is not None:
            special = True
            if marker is None and m.group(1) is not None and m.end() <= end:
                marker = (m.group(1), None, None, None)
    if marker is None and ("第" in s or "pisode" in low or "cap" in low):
        m = _RARE_MARK.search(low, 0, end)
        if m is not None:
            marker = (*m.group("n", "half", "etail"), None)
    if marker is not None:
        n, half, tail, sp = marker
        if half is not None:
            return _result(season, (), True)
        return _result(season, _episodes(n, tail), special or sp is not None)

    if dash is None and ("–" in s or "—" in s):  # the caller searched without these
        s = s.replace("–", "-").replace("—", "-")
        dash = _dash_search(s)
    while dash is not None:
        n, half, tail = dash.groups()
        if not _is_year(n):  # "Title - 2019 - 05": skip the year
            if half is not None:
                return _result(season, (), True)
            return _result(season, _episodes(n, tail), special or _special_before(s, dash.start()))
        dash = _dash_search(s, dash.end())
    return _parse_slow(s, season, season_at, special)


def _season_words(low: str) -> tuple[int, int, int] | None:
    """(season, start, end) from "Season 2", "Staffel 2", "2nd Season", 第2期; else None.
    A find() per word costs far less than a case-insensitive regex over every name."""
    for word in _SEASON_WORDS:
        i = low.find(word)
        while i >= 0:
            j = i + len(word)
            if (i == 0 or not low[i - 1].isalnum()) and (j == len(low) or not low[j].isalpha()):
                m = _ORDINAL_BEFORE.search(low, max(0, i - 9), i)
                if m is not None:
                    return int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2)], m.start(), j
                m = _NUMBER_AFTER_WORD.match(low, j)
                if m is not None:
                    return int(m.group(1)), i, m.end()
            i = low.find(word, j)
    m = _SEASON_CJK.search(low) if "期" in low or "シーズン" in low else None
    return None if m is None else (int(m.group(1) or m.group(2)), m.start(), m.end())


def _parse_slow(
    s: str, season: int | None, season_at: tuple[int, int] | None, special: bool
) -> EpisodeName:
    """No marker and no "Title - NN": a bracketed number, a film, or a bare number."""
    if " " not in s and "." in s:
        s = _SCENE_DOT.sub(" ", s)  # one character for one: season_at stays right
    if season_at is not None:
        s = s[: season_at[0]] + " " + s[season_at[1] :]  # "Title Season 2": 2 is no episode
    s = s.lower()
    numbers = []
    lead, leading = 0, True  # where the title starts: "[Group] 91 Days" opens with "91"
    for m in _TOKENS.finditer(s):
        n = m.group("n")
        if n is not None:
            if not _is_year(n):
                numbers.append(m)
        elif m.group("bn") is not None:
            if not _is_year(m.group("bn")):
                return _result(season, _episodes(m.group("bn"), m.group("btail")), special)
        elif leading:
            leading = not s[lead : m.start()].strip()
            lead = m.end() if leading else lead
    # The last free-standing number; a zero-padded one wins, since titles rarely pad. Only
    # the last few are weighed: no real name has more, and a hostile one stays linear.
    best = padded = None
    for m in numbers[-16:]:
        if not s.endswith(_COUNTER_WORDS, 0, m.start()):
            best = m
            if len(m.group("n")) > 1 and m.group("n")[0] == "0":
                padded = m
    # "Movie 2", "NCOP1": a film or an extra (a checksum's "0ED5" is neither)
    if _NOT_EPISODE.search(_CHECKSUMS.sub(" ", s) if "[" in s else s) is not None:
        return _result(season, (), special)
    m = padded or best
    if m is None:  # a lone "OVA" is the first special
        return _result(season, (1,) if special else (), special)
    if m is not padded and not s[lead : m.start()].strip() and _TITLE_WORD_AFTER.match(s, m.end()):
        return _result(season, (), special)  # "91 Days", "7 Seeds": a title, not an episode
    return _result(season, _episodes(m.group("n"), m.group("tail")), special)
