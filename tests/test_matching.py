"""Title normalisation and the match decision rules (pure)."""

from __future__ import annotations

import pytest

from aniload.errors import AmbiguousMatch, NoMatch
from aniload.matching import (
    EXACT,
    NONE,
    OVERLAP,
    PREFIX,
    Candidate,
    choose_match,
    decide,
    normalize_title,
    title_level,
    titles_from_details,
)


def r(tv_id, name, original=None, date="", popularity=1.0):
    return {"id": tv_id, "name": name, "original_name": original or name,
            "first_air_date": date, "popularity": popularity}


HXH_2011 = r(46298, "Hunter x Hunter", "HUNTER×HUNTER", "2011-10-02", 80.0)
HXH_1999 = r(12850, "Hunter x Hunter", "HUNTER×HUNTER", "1999-10-16", 40.0)
AOT = r(1429, "Attack on Titan", "進撃の巨人", "2013-04-07", 200.0)


# --------------------------------------------------------------------- normalize_title


@pytest.mark.parametrize("a, b", [
    ("Steins;Gate", "steins gate"),
    ("STEINS;GATE", "Steins Gate"),
    ("Re:Zero", "re zero"),
    ("Re:ZERO", "Re - Zero"),
    ("Kaguya-sama: Love is War", "kaguya sama love is war"),
    ("Kaguya-sama - Love Is War", "Kaguya-sama: Love is War"),
    ("Frieren: Beyond Journey's End", "Frieren - Beyond Journeys End"),
    ("Naruto Shippūden", "naruto shippuden"),
    ("Die Straße", "die strasse"),
    ("Pokémon", "pokemon"),
    ("Tom & Jerry", "tom and jerry"),
    ("Ｄｒ．ＳＴＯＮＥ", "dr stone"),
    ("Hunter × Hunter", "hunter x hunter"),
    ("Lucky☆Star", "lucky star"),
    ("  Many   spaces\t", "many spaces"),
])
def test_normalize_equal(a, b):
    assert normalize_title(a) == normalize_title(b)


def test_normalize_exact_forms():
    assert normalize_title("Steins;Gate") == "steins gate"
    assert normalize_title("Ōkami & Ōji") == "okami and oji"
    assert normalize_title("葬送のフリーレン") == "葬送のフリーレン"
    assert normalize_title("名探偵コナン") == "名探偵コナン"
    assert normalize_title("ガンダム") == "ガンダム"  # dakuten kept on kana
    assert normalize_title("진격의 거인") == "진격의 거인"
    assert normalize_title("!!!") == ""


def test_title_levels():
    assert title_level("ReZero", ["Re:ZERO -Starting Life in Another World-"]) == PREFIX
    assert title_level("Re Zero", ["Re:ZERO -Starting Life in Another World-"]) == PREFIX
    assert title_level("SPYxFAMILY", ["SPY×FAMILY"]) == EXACT
    assert title_level("Hunter x Hunter", ["Hunter x Hunter (2011)"]) == EXACT
    assert title_level("進撃の巨人", ["進撃の巨人 The Final Season"]) == PREFIX
    assert title_level("Naruto Shippuden", ["Naruto"]) == OVERLAP  # folder longer: no prefix
    assert title_level("Re", ["Re:ZERO"]) == OVERLAP  # too short to be a prefix
    assert title_level("The Office", ["The Promised Neverland"]) == NONE  # stopwords only
    assert title_level("Attack on Titan", ["Attack on Titan: Junior High"]) == PREFIX


# --------------------------------------------------------------------- choosing


def test_exact_title_beats_a_more_popular_partial():
    results = [r(46260, "Naruto Shippūden", date="2007-02-15", popularity=300.0),
               r(46261, "Naruto", date="2002-10-03", popularity=50.0),
               r(99, "Boruto: Naruto Next Generations", date="2017-04-05", popularity=400.0)]
    assert choose_match("Naruto", None, results).tmdb_id == 46261
    assert choose_match("Naruto Shippuden", None, results).tmdb_id == 46260


def test_year_disambiguates():
    assert choose_match("Hunter x Hunter", 2011, [HXH_2011, HXH_1999]).tmdb_id == 46298
    assert choose_match("Hunter x Hunter", 1999, [HXH_2011, HXH_1999]).tmdb_id == 12850


def test_year_off_by_one_is_second_best():
    assert choose_match("Attack on Titan", 2014, [AOT]).tmdb_id == 1429
    other = r(7, "Attack on Titan", date="2014-05-01")
    assert choose_match("Attack on Titan", 2014, [AOT, other]).tmdb_id == 7
    assert choose_match("Attack on Titan", 2012, [AOT, other]).tmdb_id == 1429


def test_exact_title_near_year_beats_partial_right_year():
    results = [r(1, "Fullmetal Alchemist", date="2003-10-04"),
               r(2, "Fullmetal Alchemist: Brotherhood", date="2004-04-05")]
    assert choose_match("Fullmetal Alchemist", 2004, results).tmdb_id == 1


def test_exact_title_far_year_and_partial_right_year_is_ambiguous():
    results = [r(31911, "Fullmetal Alchemist", date="2003-10-04"),
               r(31910, "Fullmetal Alchemist: Brotherhood", date="2009-04-05")]
    with pytest.raises(AmbiguousMatch) as info:
        choose_match("Fullmetal Alchemist", 2009, results)
    assert {c.tmdb_id for c in info.value.candidates} == {31911, 31910}


def test_exact_title_wrong_year_is_no_match_listing_it():
    with pytest.raises(NoMatch) as info:
        choose_match("Attack on Titan", 2020, [AOT], folder_name="Attack on Titan (2020)")
    assert str(info.value) == (
        "no TMDB match for 'Attack on Titan' (2020); closest: Attack on Titan (2013, tmdb 1429); "
        "pin one with: aniload fetch --series 'Attack on Titan (2020)' --tmdb-id ID")
    assert [c.tmdb_id for c in info.value.candidates] == [1429]


def test_same_title_no_year_is_ambiguous_with_both_listed():
    with pytest.raises(AmbiguousMatch) as info:
        choose_match("Hunter x Hunter", None, [HXH_2011, HXH_1999], folder_name="Hunter x Hunter")
    assert str(info.value) == (
        "ambiguous match for 'Hunter x Hunter': Hunter x Hunter (1999, tmdb 12850), "
        "Hunter x Hunter (2011, tmdb 46298); "
        "pin one with: aniload fetch --series 'Hunter x Hunter' --tmdb-id ID")
    assert [c.tmdb_id for c in info.value.candidates] == [46298, 12850]
    assert info.value.title == "Hunter x Hunter" and info.value.year is None


def test_same_title_same_year_is_ambiguous():
    with pytest.raises(AmbiguousMatch):
        choose_match("Monster", 2004, [r(1, "Monster", date="2004-04-07"),
                                       r(2, "Monster", date="2004-10-01")])


def test_folder_name_is_shell_quoted_in_the_hint():
    with pytest.raises(AmbiguousMatch) as info:
        choose_match("JoJo's Bizarre Adventure", None,
                     [r(1, "JoJo's Bizarre Adventure", date="2012-10-06"),
                      r(2, "JoJo's Bizarre Adventure", date="1993-11-19")],
                     folder_name="JoJo's Bizarre Adventure")
    assert "--series 'JoJo'\"'\"'s Bizarre Adventure' --tmdb-id ID" in str(info.value)


def test_no_results_is_no_match():
    with pytest.raises(NoMatch) as info:
        choose_match("X", 2019, [])
    assert str(info.value) == "no TMDB match for 'X' (2019)"
    with pytest.raises(NoMatch, match=r"^no TMDB match for 'Some Show'$"):
        choose_match("Some Show", None, [])


def test_no_title_overlap_is_no_match_even_for_a_single_result():
    with pytest.raises(NoMatch, match=r"^no TMDB match for 'Totally Different' \(2013\)"):
        choose_match("Totally Different", 2013, [AOT])


def test_folder_longer_than_the_title_is_never_accepted():
    with pytest.raises(NoMatch):
        choose_match("Naruto Shippuden", None, [r(46261, "Naruto", date="2002-10-03")])


def test_punctuation_variants_match_exactly():
    assert choose_match("Steins Gate", 2011, [r(42509, "Steins;Gate", "STEINS;GATE", "2011-04-06"),
                                              r(2, "Steins;Gate 0", date="2018-04-12")]).tmdb_id == 42509
    kaguya = r(83121, "Kaguya-sama: Love Is War", "かぐや様は告らせたい～天才たちの恋愛頭脳戦～", "2019-01-12")
    assert choose_match("Kaguya-sama - Love is War", 2019, [kaguya]).tmdb_id == 83121
    rezero = r(65942, "Re:ZERO -Starting Life in Another World-", "Re：ゼロから始める異世界生活", "2016-04-04")
    assert choose_match("Re-Zero - Starting Life in Another World", 2016, [rezero]).tmdb_id == 65942


def test_single_prefix_candidate_accepted_several_ambiguous():
    rezero = r(65942, "Re:ZERO -Starting Life in Another World-", date="2016-04-04")
    breaktime = r(65943, "Re:ZERO -Starting Break Time From Zero-", date="2016-04-08")
    assert choose_match("Re:Zero", 2016, [rezero]).tmdb_id == 65942
    assert choose_match("Re:Zero", None, [rezero]).tmdb_id == 65942
    with pytest.raises(AmbiguousMatch):
        choose_match("Re:Zero", 2016, [rezero, breaktime])
    # An alternative title known for one of them settles it.
    assert choose_match("Re:Zero", 2016, [rezero, breaktime],
                        other_titles={65942: ["Re:Zero"]}).tmdb_id == 65942


def test_prefix_decisions_are_tentative_exact_ones_certain():
    rezero = r(65942, "Re:ZERO -Starting Life in Another World-", date="2016-04-04")
    assert decide("Re:Zero", 2016, [rezero]).certain is False
    assert decide("Hunter x Hunter", 2011, [HXH_2011]).certain is True
    assert decide("Hunter x Hunter", None, [HXH_2011, HXH_1999]).certain is True


def test_japanese_folder_title_matches_original_name():
    frieren = r(209867, "Frieren: Beyond Journey's End", "葬送のフリーレン", "2023-09-29")
    assert choose_match("葬送のフリーレン", 2023, [frieren]).tmdb_id == 209867
    conan = r(30983, "Case Closed", "名探偵コナン", "1996-01-08")
    assert choose_match("名探偵コナン", None, [conan]).tmdb_id == 30983


def test_german_titles():
    conan_de = r(30983, "Detektiv Conan", "名探偵コナン", "1996-01-08")
    assert choose_match("Detektiv Conan", 1996, [conan_de]).tmdb_id == 30983
    # The German title is only among the alternative titles of the English-named result.
    with pytest.raises(NoMatch):
        choose_match("Angriff der Titanen", 2013, [AOT])
    assert choose_match("Angriff der Titanen", 2013, [AOT],
                        other_titles={1429: ["Angriff der Titanen"]}).tmdb_id == 1429


def test_de_de_result_named_in_japanese():
    """With language=de-DE an untranslated show's `name` is its Japanese original."""
    untranslated = r(209867, "葬送のフリーレン", "葬送のフリーレン", "2023-09-29")
    with pytest.raises(NoMatch) as info:
        choose_match("Frieren: Beyond Journey's End", 2023, [untranslated])
    assert [c.tmdb_id for c in info.value.candidates] == [209867]  # listed to pin
    titles = {209867: ["Frieren: Beyond Journey's End", "Frieren – Nach dem Ende der Reise"]}
    assert choose_match("Frieren - Beyond Journey's End", 2023, [untranslated],
                        other_titles=titles).tmdb_id == 209867
    assert choose_match("Frieren - Nach dem Ende der Reise", 2023, [untranslated],
                        other_titles=titles).tmdb_id == 209867


def test_tmdb_name_with_year_suffix():
    assert choose_match("Hunter x Hunter", 2011,
                        [r(46298, "Hunter x Hunter (2011)", date="2011-10-02")]).tmdb_id == 46298


def test_candidate_from_result():
    c = Candidate.from_result(r(1, "A", "B", "2013-04-07", 12.5))
    assert c == Candidate(1, "A", "B", 2013, 12.5)
    assert Candidate.from_result({"name": "no id"}) is None
    assert Candidate.from_result({"id": "7"}) is None
    assert Candidate.from_result({"id": 3, "original_name": "Orig"}).name == "Orig"
    assert Candidate.from_result({"id": 3, "first_air_date": None}).year is None
    assert Candidate(5, "X", "X", None, 0).label() == "X (tmdb 5)"


def test_bad_results_are_skipped():
    results = [{"name": "no id"}, "junk", r(1429, "Attack on Titan", date="2013-04-07"),
               r(1429, "Attack on Titan", date="2013-04-07")]
    assert choose_match("Attack on Titan", None, results).tmdb_id == 1429


def test_titles_from_details():
    details = {
        "name": "Attack on Titan", "original_name": "進撃の巨人",
        "translations": {"translations": [
            {"iso_639_1": "de", "data": {"name": "Attack on Titan", "overview": "..."}},
            {"iso_639_1": "fr", "data": {"name": "L'Attaque des Titans"}},
            {"iso_639_1": "es", "data": {"overview": "only an overview"}}]},
        "alternative_titles": {"results": [{"iso_3166_1": "DE", "title": "Angriff der Titanen"},
                                           {"iso_3166_1": "US", "title": ""}]},
    }
    assert titles_from_details(details) == [
        "Attack on Titan", "進撃の巨人", "L'Attaque des Titans", "Angriff der Titanen"]
    assert titles_from_details({}) == []
