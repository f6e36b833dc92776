"""Which TMDB series is the one in a folder? Pure functions, no I/O.

The product promise is *never a wrong silent match*: when the evidence does not single
out one series, matching fails and lists the candidates with the command that pins one.

Titles are compared after :func:`normalize_title` (case, width, diacritics, punctuation)
and with spaces removed, so "Steins;Gate" == "steins gate", "ReZero" == "Re:Zero" and
"SPY×FAMILY" == "Spy x Family". A trailing "(YYYY)" on a TMDB title is ignored.

How well a candidate's titles fit the folder title (its ``name``, ``original_name`` and
any ``other_titles`` we know for its id: translations, alternative titles, names from a
search in another language):

    EXACT    one of its titles equals the folder title
    PREFIX   the folder title is the head of one of its titles, at a word boundary
             ("Re Zero" -> "Re:ZERO -Starting Life in Another World-"), at least 3 letters
    OVERLAP  they share a word; never accepted, only listed as "closest"

Decision, first rule that applies wins:

without a folder year
  1. EXACT candidates: one -> it; several -> AmbiguousMatch (e.g. "Hunter x Hunter",
     1999 and 2011: same title and no year to tell them apart). Popularity never decides.
  2. PREFIX candidates: exactly one -> it; several -> AmbiguousMatch.
with a folder year Y (a candidate's year = the year of its first_air_date)
  1. EXACT with year == Y, then EXACT with year Y±1 (a show that premiered around New
     Year, or a folder named after its second cour): one -> it; several -> AmbiguousMatch.
  2. EXACT titles exist but all years are further off (or unknown): if a PREFIX candidate
     has year Y or Y±1 -> AmbiguousMatch of both kinds (is "Fullmetal Alchemist (2009)"
     the 2003 show with a wrong year, or "...: Brotherhood"?); otherwise NoMatch listing
     the exact-title ones as closest.
  3. PREFIX with year == Y, then PREFIX with Y±1: one -> it; several -> AmbiguousMatch.
otherwise NoMatch, listing up to three closest candidates.

An EXACT decision (or an ambiguity between EXACT candidates) is *certain*: no further
searching can change it. A PREFIX decision is *tentative*: :func:`aniload.tmdb.find_series`
gathers more evidence (another search, the candidates' translations and alternative
titles) before it accepts one.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from aniload.errors import AmbiguousMatch, NoMatch

NONE, OVERLAP, PREFIX, EXACT = 0, 1, 2, 3
MIN_PREFIX_CHARS = 3
MAX_LISTED = 6

# Before NFKC: apostrophes join ("Journey's" -> "journeys"), so a folder without them matches.
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘ʼ`´ʹ′", ""))
# After casefold: letters that are not "letter + combining mark" in Unicode.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
     "ħ": "h", "ŧ": "t", "×": " x ", "&": " and "}
)
_YEAR_SUFFIX = re.compile(r"\s*[(\[]\s*(?:1[89]|20)\d\d\s*[)\]]\s*$")
_STOPWORDS = frozenset(
    "the a an of and to in on no wa ga ni wo de der die das und le la les el season "
    "part x".split()
)


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0xFF66 <= o <= 0xFF9F or 0x20000 <= o <= 0x2FFFF)


def _strip_diacritics(text: str) -> str:
    """Drop combining marks on Latin/Greek/Cyrillic letters only: ō -> o, but が stays が."""
    out: list[str] = []
    latin_base = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch) == "Mn":
            if not latin_base:
                out.append(ch)
            continue
        o = ord(ch)
        latin_base = o < 0x0530 or 0x1E00 <= o <= 0x1FFF
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalize_title(text: str) -> str:
    """Casefolded, NFKC, diacritics and punctuation gone, "&" -> "and", single spaces.

    Letters and digits of every script are kept (CJK included); everything else
    (punctuation, symbols, odd spaces) becomes a space.
    """
    text = unicodedata.normalize("NFKC", str(text).translate(_APOSTROPHES))
    text = _strip_diacritics(text.casefold().translate(_LETTERS))
    kept = [ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text]
    return " ".join("".join(kept).split())


def strip_year_suffix(title: str) -> str:
    """ "Hunter x Hunter (2011)" -> "Hunter x Hunter"."""
    return _YEAR_SUFFIX.sub("", title or "")


@dataclass(frozen=True, slots=True)
class Candidate:
    tmdb_id: int
    name: str
    original_name: str
    year: int | None
    popularity: float

    @classmethod
    def from_result(cls, result: Mapping) -> Candidate | None:
        """From one /search/tv result; None when it has no usable id."""
        tmdb_id = result.get("id")
        if isinstance(tmdb_id, bool) or not isinstance(tmdb_id, int) or tmdb_id <= 0:
            return None
        name = str(result.get("name") or result.get("original_name") or "").strip()
        original = str(result.get("original_name") or name).strip()
        try:
            popularity = float(result.get("popularity") or 0.0)
        except (TypeError, ValueError):
            popularity = 0.0
        return cls(tmdb_id, name, original, year_of(result.get("first_air_date")), popularity)

    def label(self) -> str:
        """ "Hunter x Hunter (2011, tmdb 46298)" """
        when = f"{self.year}, " if self.year else ""
        return f"{self.name or self.original_name or '?'} ({when}tmdb {self.tmdb_id})"


def year_of(date: object) -> int | None:
    m = re.match(r"\s*(\d{4})", date) if isinstance(date, str) else None
    return int(m.group(1)) if m and int(m.group(1)) > 1800 else None


def titles_from_details(details: Mapping) -> list[str]:
    """Every title a /tv/{id} answer knows: name, original, translations, alternatives."""
    titles = [details.get("name"), details.get("original_name")]
    translations = (details.get("translations") or {}).get("translations") or []
    for tr in translations if isinstance(translations, list) else []:
        data = tr.get("data") if isinstance(tr, Mapping) else None
        if isinstance(data, Mapping):
            titles += [data.get("name"), data.get("title")]
    alternatives = (details.get("alternative_titles") or {}).get("results") or []
    for alt in alternatives if isinstance(alternatives, list) else []:
        if isinstance(alt, Mapping):
            titles.append(alt.get("title"))
    return list(dict.fromkeys(t.strip() for t in titles if isinstance(t, str) and t.strip()))


# --------------------------------------------------------------------- title levels


def _forms(title: str) -> list[str]:
    full = normalize_title(title)
    bare = normalize_title(strip_year_suffix(title))
    return [f for f in dict.fromkeys((full, bare)) if f]


def _is_prefix(folder_key: str, title_norm: str) -> bool:
    """Folder title (spaces removed) is the head of the title, ending at a word boundary."""
    if len(folder_key) < MIN_PREFIX_CHARS:
        return False
    tokens = title_norm.split()
    acc = ""
    for tok in tokens[:-1]:
        acc += tok
        if acc == folder_key:
            return True
        if len(acc) >= len(folder_key):
            break
    compact = "".join(tokens)
    # CJK titles have no spaces to mark words: any longer title starting with it.
    return (any(_is_cjk(c) for c in folder_key) and len(compact) > len(folder_key)
            and compact.startswith(folder_key))


def _words(norm: str) -> set[str]:
    words = {w for w in norm.split() if len(w) >= 2 and w not in _STOPWORDS}
    cjk = "".join(c if _is_cjk(c) else " " for c in norm).split()
    words |= {run[i:i + 2] for run in cjk for i in range(len(run) - 1)}
    return words


def title_level(folder_title: str, titles: Iterable[str]) -> int:
    """EXACT, PREFIX, OVERLAP or NONE: how well any of ``titles`` fits the folder title."""
    folder_norm = normalize_title(strip_year_suffix(folder_title))
    folder_key = folder_norm.replace(" ", "")
    if not folder_key:
        return NONE
    folder_words = _words(folder_norm)
    best = NONE
    for title in titles:
        for form in _forms(title or ""):
            if form.replace(" ", "") == folder_key:
                return EXACT
            if _is_prefix(folder_key, form):
                best = PREFIX
            elif best < OVERLAP and folder_words & _words(form):
                best = OVERLAP
    return best


# --------------------------------------------------------------------- decision


@dataclass(frozen=True, slots=True)
class _Entry:
    candidate: Candidate
    level: int
    year_diff: int | None  # None: no folder year, or the candidate has no date
    order: int  # position in TMDB's answer (its relevance ranking)


@dataclass(frozen=True, slots=True)
class MatchDecision:
    candidate: Candidate | None  # the winner, or None with ``error`` set
    error: NoMatch | AmbiguousMatch | None
    certain: bool  # decided by an EXACT title: more evidence cannot change it
    contenders: tuple[Candidate, ...]  # the winner, the ambiguous ones, or the closest

    def result(self) -> Candidate:
        if self.candidate is None:
            assert self.error is not None
            raise self.error
        return self.candidate


def _quote(folder: str) -> str:
    return f"'{folder}'" if "'" not in folder else shlex.quote(folder)


def _listing(candidates: Sequence[Candidate]) -> str:
    ordered = sorted(candidates, key=lambda c: (c.year is None, c.year or 0, c.tmdb_id))
    text = ", ".join(c.label() for c in ordered[:MAX_LISTED])
    if len(ordered) > MAX_LISTED:
        text += f" and {len(ordered) - MAX_LISTED} more"
    return text


def decide(
    folder_title: str,
    folder_year: int | None,
    results: Sequence[Mapping],
    *,
    other_titles: Mapping[int, Sequence[str]] | None = None,
    folder_name: str | None = None,
) -> MatchDecision:
    """Apply the rules in the module docstring; never raises, the error is in the result."""
    other_titles = other_titles or {}
    shown = f"'{folder_title.strip()}'" + (f" ({folder_year})" if folder_year else "")
    folder = folder_name or (
        f"{folder_title.strip()} ({folder_year})" if folder_year else folder_title.strip())
    pin = f"pin one with: aniload fetch --series {_quote(folder)} --tmdb-id ID"

    entries: list[_Entry] = []
    seen: set[int] = set()
    for order, result in enumerate(results):
        cand = Candidate.from_result(result) if isinstance(result, Mapping) else None
        if cand is None or cand.tmdb_id in seen:
            continue
        seen.add(cand.tmdb_id)
        titles = [cand.name, cand.original_name, *other_titles.get(cand.tmdb_id, ())]
        diff = None if folder_year is None or cand.year is None else abs(cand.year - folder_year)
        entries.append(_Entry(cand, title_level(folder_title, titles), diff, order))

    def win(entry: _Entry, certain: bool) -> MatchDecision:
        return MatchDecision(entry.candidate, None, certain, (entry.candidate,))

    def ambiguous(tier: list[_Entry], certain: bool) -> MatchDecision:
        cands = tuple(e.candidate for e in tier)
        err = AmbiguousMatch(f"ambiguous match for {shown}: {_listing(cands)}; {pin}")
        err.candidates, err.title, err.year = cands, folder_title, folder_year
        return MatchDecision(None, err, certain, cands)

    def pick(tier: list[_Entry], certain: bool) -> MatchDecision:
        return win(tier[0], certain) if len(tier) == 1 else ambiguous(tier, certain)

    def no_match(closest: list[_Entry]) -> MatchDecision:
        closest = sorted(closest, key=lambda e: (-e.level, 99 if e.year_diff is None
                                                 else e.year_diff, e.order))[:3]
        cands = tuple(e.candidate for e in closest)
        msg = f"no TMDB match for {shown}"
        if cands:
            msg += f"; closest: {_listing(cands)}; {pin}"
        err = NoMatch(msg)
        err.candidates, err.title, err.year = cands, folder_title, folder_year
        return MatchDecision(None, err, False, cands)

    exact = [e for e in entries if e.level == EXACT]
    prefix = [e for e in entries if e.level == PREFIX]
    if folder_year is None:
        if exact:
            return pick(exact, True)
        if prefix:
            return pick(prefix, False)
    else:
        for diff in (0, 1):
            tier = [e for e in exact if e.year_diff == diff]
            if tier:
                return pick(tier, True)
        near = ([e for e in prefix if e.year_diff == 0]
                or [e for e in prefix if e.year_diff == 1])
        if exact:
            return ambiguous(exact + near, False) if near else no_match(exact)
        if near:
            return pick(near, False)
    related = [e for e in entries if e.level >= OVERLAP]
    return no_match(related or entries)


def choose_match(
    folder_title: str,
    folder_year: int | None,
    results: list[dict],
    *,
    other_titles: Mapping[int, Sequence[str]] | None = None,
    folder_name: str | None = None,
) -> Candidate:
    """The one search result that is the folder's series, else NoMatch / AmbiguousMatch.

    ``folder_name`` is the series folder as the user sees it, quoted in the "pin one
    with: aniload fetch --series 'FOLDER' --tmdb-id ID" hint; it defaults to
    "Title (Year)". Both errors carry ``candidates`` (a tuple of Candidate), ``title``
    and ``year`` attributes.
    """
    return decide(folder_title, folder_year, results, other_titles=other_titles,
                  folder_name=folder_name).result()
