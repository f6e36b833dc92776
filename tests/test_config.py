"""Config: layers and their precedence, file errors, the starter file, masking."""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from aniload import config as cfg
from aniload import configfile
from aniload.config import (
    ArtworkConfig,
    Config,
    TMDBConfig,
    config_path,
    default_config_path,
    load_config,
)
from aniload.configfile import masked_view, starter_config_text, write_starter_config
from aniload.errors import ConfigError, RunError

REPO = Path(__file__).resolve().parents[1]
SECRET_KEY = "k3y0123456789abcdefSECRETKEY"
SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.SECRETTOKEN.sig"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    """An environment with a private HOME and no config file at the default path."""
    return {"HOME": str(home)}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path | None, text: str | None = None, **kwargs) -> str:
    if text is not None:
        write(path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- defaults and paths


def test_no_file_gives_the_defaults(env):
    config = load_config(env=env)
    assert config == Config()
    assert config.source is None
    assert config.library is None and config.tmdb.api_key is None


def test_default_path_from_xdg_config_home(tmp_path, env):
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    assert default_config_path(env) == tmp_path / "xdg" / "aniload" / "config.toml"


def test_default_path_from_home(home, env):
    assert default_config_path(env) == home / ".config" / "aniload" / "config.toml"
    env["XDG_CONFIG_HOME"] = ""  # empty: unset
    assert default_config_path(env) == home / ".config" / "aniload" / "config.toml"
    env["XDG_CONFIG_HOME"] = "relative/dir"  # the XDG spec says to ignore a relative one
    assert default_config_path(env) == home / ".config" / "aniload" / "config.toml"


def test_default_file_is_read(tmp_path, env):
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    path = write(tmp_path / "xdg" / "aniload" / "config.toml", 'language = "de-DE"\n')
    config = load_config(env=env)
    assert config.language == "de-DE"
    assert config.source == path


def test_config_path_order(tmp_path, env):
    flag, named = tmp_path / "flag.toml", tmp_path / "env.toml"
    assert config_path(None, env) == (default_config_path(env), False)
    env["ANILOAD_CONFIG"] = ""
    assert config_path(None, env) == (default_config_path(env), False)
    env["ANILOAD_CONFIG"] = str(named)
    assert config_path(None, env) == (named, True)
    assert config_path(flag, env) == (flag, True)


def test_config_path_expands_tilde_and_makes_absolute(home, env, tmp_path, monkeypatch):
    env["ANILOAD_CONFIG"] = "~/conf/aniload.toml"
    assert config_path(None, env) == (home / "conf" / "aniload.toml", True)
    monkeypatch.chdir(tmp_path)
    assert config_path(Path("here.toml"), env) == (tmp_path / "here.toml", True)


def test_missing_explicit_file_from_flag_is_an_error(tmp_path, env):
    missing = tmp_path / "nope.toml"
    message = config_error(missing, env=env)
    assert str(missing) in message and "--config" in message and "not found" in message


def test_missing_explicit_file_from_env_is_an_error(tmp_path, env):
    missing = tmp_path / "nope.toml"
    env["ANILOAD_CONFIG"] = str(missing)
    message = config_error(None, env=env)
    assert str(missing) in message and "ANILOAD_CONFIG" in message


def test_config_error_is_a_run_error_with_exit_2():
    assert issubclass(ConfigError, RunError) and ConfigError("x").exit_code == 2


def test_a_folder_as_config_file_is_an_error(tmp_path, env):
    assert "folder" in config_error(tmp_path, env=env)


# ---------------------------------------------------------------- precedence

FILE = """\
library = "/from/file"
language = "fr-FR"
[tmdb]
api_key = "file-key"
read_access_token = "file-token"
api_base = "https://file.example/3"
image_base = "https://file.example/img"
"""

LAYERS = [  # (override key, env var, attribute path, file value, env value, flag value)
    ("library", "ANILOAD_LIBRARY", "library",
     Path("/from/file"), "/from/env", "/from/flag"),
    ("language", "ANILOAD_LANGUAGE", "language", "fr-FR", "de-DE", "ja-JP"),
    ("tmdb.api_key", "ANILOAD_TMDB_API_KEY", "tmdb.api_key", "file-key", "env-key", "flag-key"),
    ("tmdb.read_access_token", "ANILOAD_TMDB_READ_ACCESS_TOKEN", "tmdb.read_access_token",
     "file-token", "env-token", "flag-token"),
    ("tmdb.api_base", "ANILOAD_TMDB_API_BASE", "tmdb.api_base",
     "https://file.example/3", "https://env.example/3", "http://localhost:8080/3"),
    ("tmdb.image_base", "ANILOAD_TMDB_IMAGE_BASE", "tmdb.image_base",
     "https://file.example/img", "https://env.example/img", "http://localhost:8080/img"),
]


def get(config: Config, dotted: str):
    value = config
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def as_expected(attribute: str, value):
    return Path(value) if attribute == "library" else value


@pytest.mark.parametrize("key, var, attribute, file_value, env_value, flag_value", LAYERS)
def test_each_layer_wins_over_the_ones_below(
    tmp_path, env, key, var, attribute, file_value, env_value, flag_value
):
    path = write(tmp_path / "c.toml", FILE)
    default = get(Config(), attribute)
    assert get(load_config(env=env), attribute) == default
    assert get(load_config(path, env), attribute) == as_expected(attribute, file_value)
    env[var] = env_value
    assert get(load_config(path, env), attribute) == as_expected(attribute, env_value)
    got = get(load_config(path, env, {key: flag_value}), attribute)
    assert got == as_expected(attribute, flag_value)
    # a flag that was not given (None) leaves the layers below alone
    assert get(load_config(path, env, {key: None}), attribute) == as_expected(attribute, env_value)


@pytest.mark.parametrize("key, var, attribute, file_value, env_value, flag_value", LAYERS)
def test_an_empty_environment_variable_counts_as_unset(
    tmp_path, env, key, var, attribute, file_value, env_value, flag_value
):
    path = write(tmp_path / "c.toml", FILE)
    env[var] = ""
    assert get(load_config(path, env), attribute) == as_expected(attribute, file_value)
    env[var] = "   "
    assert get(load_config(path, env), attribute) == as_expected(attribute, file_value)


def test_env_overrides_file_but_other_file_keys_stay(tmp_path, env):
    path = write(tmp_path / "c.toml", "series_concurrency = 9\n" + FILE)
    env["ANILOAD_LANGUAGE"] = "de-DE"
    config = load_config(path, env)
    assert (config.language, config.series_concurrency, config.tmdb.api_key) == (
        "de-DE", 9, "file-key")


def test_overrides_for_file_only_keys(tmp_path, env):
    path = write(tmp_path / "c.toml", "series_concurrency = 9\n[artwork]\nposter_size = \"w500\"\n")
    config = load_config(path, env, {"series_concurrency": 2, "artwork.poster_size": "w342"})
    assert config.series_concurrency == 2 and config.artwork.poster_size == "w342"


def test_override_library_accepts_a_path_and_resolves_against_cwd(tmp_path, env, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(env=env, overrides={"library": Path("lib")}).library == tmp_path / "lib"
    env["ANILOAD_LIBRARY"] = "envlib"
    assert load_config(env=env).library == tmp_path / "envlib"


def test_unknown_override_key_is_a_programming_error(env):
    with pytest.raises(ValueError):
        load_config(env=env, overrides={"nonsense": 1})


def test_bad_override_names_the_command_line(env):
    with pytest.raises(ConfigError, match="command line: language must be a language tag"):
        load_config(env=env, overrides={"language": "english please"})


# ---------------------------------------------------------------- library paths


def test_relative_library_resolves_against_the_config_folder(tmp_path, env, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the config folder
    path = write(tmp_path / "etc" / "aniload" / "config.toml", 'library = "../media/Anime"\n')
    assert load_config(path, env).library == tmp_path / "etc" / "media" / "Anime"


def test_library_tilde_uses_home(home, tmp_path, env):
    path = write(tmp_path / "c.toml", 'library = "~/Anime"\n')
    assert load_config(path, env).library == home / "Anime"
    env["ANILOAD_LIBRARY"] = "~/Other"
    assert load_config(path, env).library == home / "Other"


def test_empty_library_in_file_means_unset(tmp_path, env):
    assert load_config(write(tmp_path / "c.toml", 'library = ""\n'), env).library is None


# ---------------------------------------------------------------- file errors


def test_invalid_toml_names_file_line_and_column(tmp_path, env):
    path = tmp_path / "config.toml"
    message = config_error(path, 'language = "en-US"\n\nlibrary "x"\n', env=env)
    assert message.startswith(f"{path}: line 3, column 9: invalid TOML: ")
    assert "Expected '='" in message and "(at line" not in message


def test_invalid_toml_at_end_of_file_still_names_a_line(tmp_path, env):
    path = tmp_path / "config.toml"
    message = config_error(path, 'language = "en-US"\nlibrary = "x\n', env=env)
    assert message.startswith(f"{path}: line 2") and "invalid TOML" in message


def test_not_utf8_names_the_line(tmp_path, env):
    path = tmp_path / "config.toml"
    path.write_bytes(b'language = "en-US"\nlibrary = "\xff"\n')
    assert config_error(path, env=env).startswith(f"{path}: line 2: not UTF-8")


def test_wrong_type_names_file_line_and_key(tmp_path, env):
    path = tmp_path / "config.toml"
    text = '# comment\nlanguage = "en-US"\n\n[tmdb]\nmax_retries = 3\n\nrequests_per_second = "fast"\n'
    message = config_error(path, text, env=env)
    assert message.startswith(f"{path}: line 7: [tmdb] requests_per_second must be a number")
    assert message.endswith("not a string")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("series_concurrency = true", "series_concurrency must be a whole number from 1 to 64, not a boolean"),
        ("series_concurrency = 2.5", "series_concurrency must be a whole number from 1 to 64, not 2.5"),
        ("series_concurrency = -1", "series_concurrency must be a whole number from 1 to 64, not -1"),
        ("series_concurrency = 0", "from 1 to 64, not 0"),
        ("unavailable_recheck_days = -2", "unavailable_recheck_days must be a number of at least 0"),
        ("unavailable_recheck_days = nan", "unavailable_recheck_days must be a number"),
        ("unavailable_recheck_days = false", "not a boolean"),
        ('fallback_languages = "en-US"', "fallback_languages must be an array of language tags"),
        ('fallback_languages = ["en-US", 5]', "fallback_languages item 2 must be a string, not an integer"),
        ('language = "english"', "language must be a language tag like 'en-US'"),
        ("[tmdb]\nrequests_per_second = 0", "[tmdb] requests_per_second must be a number greater than 0"),
        ("[tmdb]\nmax_connections = 500", "[tmdb] max_connections must be a whole number from 1 to 64"),
        ("[tmdb]\nmax_connections = 4.0", "max_connections must be a whole number from 1 to 64, not 4.0"),
        ("[tmdb]\nread_timeout = true", "[tmdb] read_timeout must be a number greater than 0, not a boolean"),
        ('[tmdb]\napi_base = "ftp://x.org"', "[tmdb] api_base must be an http(s) URL"),
        ('[tmdb]\napi_base = "api.themoviedb.org"', "[tmdb] api_base must be an http(s) URL"),
        ('[tmdb]\nimage_base = "https://i.org/p?api_key=x"', "[tmdb] image_base must be a plain URL"),
        ("[tmdb]\napi_key = 12345", "[tmdb] api_key must be a string, not an integer"),
        ('[artwork]\nposter_size = "w999"', "[artwork] poster_size must be one of TMDB's poster sizes: "
         "w92, w154, w185, w342, w500, w780, original; not 'w999'"),
        ('[artwork]\nfanart_size = "w500"', "w300, w780, w1280, original"),
        ('[artwork]\nlogo_size = "w1280"', "w45, w92, w154, w185, w300, w500, original"),
        ('[artwork]\nposter_name = "../poster.jpg"', "[artwork] poster_name must be a plain"),
        ('[artwork]\nposter_name = ".aniload.json"', "[artwork] poster_name must be a plain"),
        ('[artwork]\nlogo_name = "logo.jpg"', "[artwork] logo_name must end in .png"),
        ("[artwork]\nmax_image_mb = 0", "[artwork] max_image_mb must be a whole number from 1 to 1024"),
        ('tmdb = "x"', "tmdb must be a table ([tmdb]), not a string"),
    ],
)
def test_bad_values_are_named(tmp_path, env, text, expected):
    path = tmp_path / "config.toml"
    message = config_error(path, "# settings\n" + text + "\n", env=env)
    line = text.count("\n") + 2
    assert message.startswith(f"{path}: line {line}: ")
    assert expected in message


def test_int_is_accepted_where_a_float_is_wanted(tmp_path, env):
    path = write(tmp_path / "c.toml", "unavailable_recheck_days = 3\n[tmdb]\nread_timeout = 5\n")
    config = load_config(path, env)
    assert config.unavailable_recheck_days == 3.0 and isinstance(config.unavailable_recheck_days, float)
    assert isinstance(config.tmdb.read_timeout, float)


def test_values_are_normalised(tmp_path, env):
    text = """\
language = "de_de"
fallback_languages = ["en-us", "en-US", "ja"]
[tmdb]
api_base = "http://localhost:9000/3/"
image_base = " https://img.example/t/p// "
"""
    config = load_config(write(tmp_path / "c.toml", text), env)
    assert config.language == "de-DE"
    assert config.fallback_languages == ("en-US", "ja")
    assert config.tmdb.api_base == "http://localhost:9000/3"
    assert config.tmdb.image_base == "https://img.example/t/p"


def test_empty_fallback_list_is_allowed(tmp_path, env):
    assert load_config(write(tmp_path / "c.toml", "fallback_languages = []\n"), env).fallback_languages == ()


def test_artwork_names_must_differ(tmp_path, env):
    path = write(tmp_path / "c.toml", '[artwork]\nfanart_name = "Poster.jpg"\n')
    with pytest.raises(ConfigError, match="poster_name and fanart_name must differ"):
        load_config(path, env)


@pytest.mark.parametrize(
    "text, line, expected",
    [
        ('language = "en-US"\n\n\nlangauge = "de-DE"\n', 4, "unknown key 'langauge' (did you mean 'language'?)"),
        ('[tmdb]\napi_kye = "x"\n', 2, "unknown key 'api_kye' in [tmdb] (did you mean 'api_key'?)"),
        ('[tmdb]\nrequests_per_sec = 3\n', 2, "(did you mean 'requests_per_second'?)"),
        ('api_key = "x"\n', 1, "unknown key 'api_key' (it belongs in [tmdb])"),
        ('[artwork]\nlanguage = "de-DE"\n', 2, "(it belongs at the top, before any [table])"),
        ('[tmbd]\napi_key = "x"\n', 1, "unknown table [tmbd] (did you mean [tmdb]?)"),
        ("\n[general]\nx = 1\n", 2, "unknown table [general]; known: tmdb, artwork"),
        ('[artwork]\nzzz = 1\n', 2, "unknown key 'zzz' in [artwork]; known: poster_size"),
        ('tmdb.api_kye = "x"\n', 1, "unknown key 'api_kye' in [tmdb]"),
        ('tmdb = { api_kye = "x" }\n', 1, "unknown key 'api_kye' in [tmdb]"),
    ],
)
def test_unknown_keys_name_the_line_and_suggest(tmp_path, env, text, line, expected):
    path = tmp_path / "config.toml"
    message = config_error(path, text, env=env)
    assert message.startswith(f"{path}: line {line}: ")
    assert expected in message


def test_line_finder_handles_quoted_and_dotted_keys():
    text = '# x\n[ "tmdb" ]  # comment\n\n"api_key" = 1\n[artwork]\nposter_size = 3\n'
    assert cfg._find_line(text, ("tmdb", "api_key")) == 4
    assert cfg._find_line(text, ("artwork", "poster_size")) == 6
    assert cfg._find_line(text, ("artwork", "missing")) == 5
    assert cfg._find_line(text, ("nothing",)) is None


def test_bad_environment_value_names_the_variable(env):
    env["ANILOAD_LANGUAGE"] = "klingon"
    with pytest.raises(ConfigError, match=r"^environment variable ANILOAD_LANGUAGE: language must be"):
        load_config(env=env)
    env["ANILOAD_LANGUAGE"] = "en"
    env["ANILOAD_TMDB_API_BASE"] = "not a url"
    with pytest.raises(ConfigError, match="ANILOAD_TMDB_API_BASE: \\[tmdb\\] api_base must be"):
        load_config(env=env)


# ---------------------------------------------------------------- secrets


def test_secrets_are_stripped_and_empty_means_unset(tmp_path, env):
    path = write(tmp_path / "c.toml", '[tmdb]\napi_key = ""\nread_access_token = "  tok  "\n')
    config = load_config(path, env)
    assert config.tmdb.api_key is None and config.tmdb.read_access_token == "tok"
    env["ANILOAD_TMDB_API_KEY"] = f"{SECRET_KEY}\n"  # pasted with its newline
    assert load_config(path, env).tmdb.api_key == SECRET_KEY


@pytest.mark.parametrize(
    "text",
    [
        f'[tmdb]\napi_key = "{SECRET_KEY} {SECRET_KEY}"\n',
        f'[tmdb]\nread_access_token = "{SECRET_TOKEN}\\n{SECRET_TOKEN}"\n',
        f'[tmdb]\napi_key = "{SECRET_KEY}"\nrequests_per_second = "x"\n',
        f'[tmdb]\napi_key = "{SECRET_KEY}"\nread_access_token = "{SECRET_TOKEN}"\nbroken =\n',
        f'[tmdb]\napi_key = "{SECRET_KEY}\n',
        f'[tmdb]\napi_key = "{SECRET_KEY}"\n[artwork]\nposter_name = "poster.jpg"\nfanart_name = "poster.jpg"\n',
        f'api_key = "{SECRET_KEY}"\n',
        f'[tmdb]\napi_base = "https://x.org/3?api_key={SECRET_KEY}"\n',
    ],
)
def test_secrets_never_appear_in_errors(tmp_path, env, text):
    message = config_error(tmp_path / "c.toml", text, env=env)
    assert SECRET_KEY not in message and SECRET_TOKEN not in message
    assert "SECRET" not in message


def test_secret_errors_from_env_and_flags_do_not_show_the_secret(env):
    env["ANILOAD_TMDB_READ_ACCESS_TOKEN"] = f"{SECRET_TOKEN} trailing words"
    with pytest.raises(ConfigError) as info:
        load_config(env=env)
    assert "SECRET" not in str(info.value) and "ANILOAD_TMDB_READ_ACCESS_TOKEN" in str(info.value)
    with pytest.raises(ConfigError) as info:
        load_config(env={"HOME": env["HOME"]}, overrides={"tmdb.api_key": f"{SECRET_KEY} x"})
    assert "SECRET" not in str(info.value)


def test_masked_view_hides_secrets(tmp_path, env):
    path = write(tmp_path / "c.toml", f'library = "/lib"\n[tmdb]\napi_key = "{SECRET_KEY}"\n')
    env["ANILOAD_TMDB_READ_ACCESS_TOKEN"] = SECRET_TOKEN
    config = load_config(path, env)
    view = masked_view(config)
    assert SECRET_KEY not in repr(view) and SECRET_TOKEN not in repr(view)
    assert "SECRET" not in repr(view)
    assert view["tmdb"]["api_key"] == "<set>" and view["tmdb"]["read_access_token"] == "<set>"
    assert view["library"] == "/lib" and view["fallback_languages"] == ["en-US"]
    assert view["artwork"] == dataclasses.asdict(ArtworkConfig())
    assert "source" not in view
    # and nothing of a secret in the dataclass repr either (logs, tracebacks)
    assert "SECRET" not in repr(config) and "SECRET" not in str(config.tmdb)


def test_masked_view_of_unset_secrets_is_none():
    view = masked_view(Config())
    assert view["tmdb"]["api_key"] is None and view["tmdb"]["read_access_token"] is None
    assert view["library"] is None


def test_masked_view_is_toml_writable_once_nones_are_dropped():
    import tomli_w

    view = masked_view(Config(library=Path("/x"), tmdb=TMDBConfig(api_key=SECRET_KEY)))
    view["tmdb"] = {k: v for k, v in view["tmdb"].items() if v is not None}
    text = tomli_w.dumps(view)
    assert "SECRET" not in text and tomllib.loads(text)["library"] == "/x"


# ---------------------------------------------------------------- starter file


def test_starter_text_parses_back_to_the_defaults(tmp_path, env):
    text = starter_config_text()
    tomllib.loads(text)
    path = write(tmp_path / "c.toml", text)
    assert dataclasses.replace(load_config(path, env), source=None) == Config()


def test_starter_text_documents_every_key():
    lines = starter_config_text().splitlines()
    assert lines[0].startswith("# ")
    for table, key in cfg._FIELDS:
        (index,) = [i for i, line in enumerate(lines)
                    if line.startswith((f"{key} = ", f"# {key} = "))]
        assert lines[index - 1].startswith("# "), key  # a comment right above it
        if key in cfg.SECRET_KEYS or key == "library":
            assert lines[index].startswith("# "), key  # present but commented out
    for var in [*cfg.ENV_VARS, "ANILOAD_CONFIG"]:
        assert var in starter_config_text()


def test_fields_table_matches_the_dataclasses():
    documented = set(cfg._FIELDS)
    expected = {(None, f.name) for f in dataclasses.fields(Config)
                if f.name not in ("tmdb", "artwork", "source")}
    expected |= {("tmdb", f.name) for f in dataclasses.fields(TMDBConfig)}
    expected |= {("artwork", f.name) for f in dataclasses.fields(ArtworkConfig)}
    assert documented == expected
    assert {k for k in configfile._DOCS if k[1] is not None} == expected


def test_config_example_toml_is_the_starter_text():
    assert (REPO / "config.example.toml").read_text(encoding="utf-8") == starter_config_text()


def test_uncommented_secrets_in_the_starter_still_mean_unset(tmp_path, env):
    text = starter_config_text().replace('# api_key = ""', 'api_key = ""')
    config = load_config(write(tmp_path / "c.toml", text), env)
    assert config.tmdb.api_key is None


def test_write_starter_config_creates_folders(tmp_path, env):
    target = tmp_path / "a" / "b" / "config.toml"
    assert write_starter_config(target) == target
    assert target.read_text(encoding="utf-8") == starter_config_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert load_config(target, env) == Config(source=target)
    assert not [p for p in target.parent.iterdir() if p != target]  # no temp file left


def test_write_starter_config_refuses_to_overwrite(tmp_path):
    target = tmp_path / "config.toml"
    target.write_bytes(b"# mine\nlanguage = 'de-DE'\n")
    before = target.stat()
    with pytest.raises(ConfigError, match="already exists") as info:
        write_starter_config(target)
    assert "\n" not in str(info.value)
    assert target.read_bytes() == b"# mine\nlanguage = 'de-DE'\n"
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_write_starter_config_refuses_a_dangling_symlink_and_a_folder(tmp_path):
    link = tmp_path / "link.toml"
    link.symlink_to(tmp_path / "elsewhere.toml")
    with pytest.raises(ConfigError, match="already exists"):
        write_starter_config(link)
    assert not (tmp_path / "elsewhere.toml").exists()
    with pytest.raises(ConfigError, match="is a folder"):
        write_starter_config(tmp_path)


def test_write_starter_config_parent_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="cannot create folder"):
        write_starter_config(tmp_path / "file" / "config.toml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_write_starter_config_unwritable_folder_is_a_config_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(ConfigError, match="permission denied"):
            write_starter_config(locked / "config.toml")
    finally:
        locked.chmod(0o700)


# ---------------------------------------------------------------- module hygiene


def test_import_is_cheap_and_ui_free():
    code = (
        "import sys, aniload.config\n"
        "bad = [m for m in ('tomli_w', 'tomllib', 'typer', 'rich', 'httpx', 'difflib') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
