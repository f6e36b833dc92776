"""The command line: wires Typer commands to the pipeline and maps errors to exit codes.

Nothing here knows how a library is scanned or a series matched; it parses flags, loads
the config, picks a renderer for progress (``aniload.render``), runs one pipeline
function, prints the result and exits with the contract's code. Global options are
accepted both before and after the command name (``aniload -q scan`` and
``aniload scan -q``), because cron lines and scripts are written both ways.

No ``from __future__ import annotations`` here: Typer reads every command's signature on
each start, and string annotations would cost it an ``eval`` each (~4 ms a run).
"""

import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from aniload import __version__
from aniload.errors import EXIT_INTERRUPTED, EXIT_USAGE, AniloadError, RunError

EXIT_TERMINATED = 143  # 128 + SIGTERM, what shells and service managers expect


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (in-flight writes land or vanish whole, sidecars saved)."""


_terminated = False


def _on_sigterm(signum, frame) -> None:
    """Stop the way Ctrl-C does: hand the signal to whatever handles SIGINT right now.

    Inside ``asyncio.run`` that is the runner's handler, which cancels the main task: the
    work stops at its next ``await`` (in-flight downloads removed, sidecars saved) instead
    of an exception torn into whatever line of a task runs at this instant (which asyncio
    then reports as "Task exception was never retrieved"). Elsewhere it is Python's
    default SIGINT handler, which raises KeyboardInterrupt; ``Terminated`` says why.
    """
    global _terminated
    _terminated = True
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler) and handler is not signal.default_int_handler:
        handler(signal.SIGINT, frame)
    else:
        raise Terminated()

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Batch TMDB metadata and artwork for anime libraries (Kodi, Jellyfin, Emby, Plex).",
)
config_app = typer.Typer(no_args_is_help=True, help="Write or show the configuration.")
app.add_typer(config_app, name="config")


class Globals:
    """Options that may come before the command name (a plain class: a dataclass would
    cost every start a millisecond to build)."""

    __slots__ = ("config", "quiet", "verbose")

    def __init__(self, config: Path | None = None, quiet: bool = False, verbose: bool = False) -> None:
        self.config, self.quiet, self.verbose = config, quiet, verbose


_globals = Globals()

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Config file (default: $XDG_CONFIG_HOME/aniload/config.toml).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Tracebacks with errors.")]
LibraryArg = Annotated[Optional[Path], typer.Argument(help="The library folder (else ANILOAD_LIBRARY, else the config's 'library').", show_default=False)]
SeriesOpt = Annotated[Optional[list[str]], typer.Option("--series", help="A series folder name (case-insensitive) or key; repeatable.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document with the result on stdout.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aniload {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    _globals.config = config
    _globals.quiet = quiet
    _globals.verbose = verbose


def _merge_globals(config: Path | None, quiet: bool, verbose: bool) -> Globals:
    return Globals(
        config=config or _globals.config,
        quiet=quiet or _globals.quiet,
        verbose=verbose or _globals.verbose,
    )


def _load_config(g: Globals, library: Path | None):
    from aniload.config import load_config

    overrides = {"library": library} if library is not None else {}
    return load_config(g.config, env=os.environ, overrides=overrides)


def _run(command: str, g: Globals, as_json: bool, work) -> None:
    """Run ``work(config, reporter)``; print the report; exit with the contract's code."""
    from aniload import render

    renderer = None
    try:
        renderer = render.make_renderer(quiet=g.quiet, stream=sys.stderr)
        report = work(renderer)
    except AniloadError as exc:
        if renderer is not None:
            renderer.close()
        _fail(exc, g, as_json, command)
    except KeyboardInterrupt as exc:
        if renderer is not None:
            renderer.close()
        terminated = _terminated or isinstance(exc, Terminated)
        what = "terminated" if terminated else "interrupted"
        print(f"aniload: {what}", file=sys.stderr)
        if as_json:  # a script still gets its one document (the series done are in the sidecars)
            _write_json(_error_doc(command, what))
        raise typer.Exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED) from None
    renderer.close()
    if as_json:
        _write_json(report.to_json())
    elif command == "status":
        render.status_listing(report, sys.stdout)
    if not g.quiet:
        renderer.summary(report)
    raise typer.Exit(report.exit_code)


def _fail(exc: AniloadError, g: Globals, as_json: bool, command: str) -> None:
    if g.verbose:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    print(f"aniload: error: {exc}", file=sys.stderr)
    if as_json and isinstance(exc, RunError):
        _write_json(_error_doc(command, str(exc)))
    raise typer.Exit(exc.exit_code)


def _error_doc(command: str, error: str) -> dict:
    """The ``--json`` document of a run that ended before it had a report."""
    return {
        "command": command,
        "library": None,
        "series": [],
        "summary": {"series": 0, "ok": 0, "failed": 0},
        "error": error,
    }


def _write_json(doc: dict) -> None:
    """The one JSON document on stdout. A text that still holds an undecodable byte (a lone
    surrogate) is written with ASCII escapes: valid JSON and valid UTF-8, never a crash."""
    text = json.dumps(doc, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(doc)
    sys.stdout.write(text + "\n")


def _run_library(command: str, library: Path | None, series: list[str] | None, as_json: bool, g: Globals, **options) -> None:
    """Load the config, then run the pipeline function named after ``command``."""

    def work(reporter):
        if command == "fetch":  # only fetch needs asyncio and the network stack
            from aniload.fetch import fetch_library as run
        else:
            from aniload import pipeline

            run = pipeline.scan_library if command == "scan" else pipeline.status_library
        cfg = _load_config(g, library)
        return run(cfg.library, series or [], cfg, reporter, **options)

    _run(command, g, as_json, work)


@app.command()
def scan(
    library: LibraryArg = None,
    series: SeriesOpt = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Walk the library offline, scan episodes, write sidecars."""
    _run_library("scan", library, series, as_json, _merge_globals(config, quiet, verbose))


@app.command()
def status(
    library: LibraryArg = None,
    series: SeriesOpt = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show each series' state from disk and sidecars; read-only and offline."""
    _run_library("status", library, series, as_json, _merge_globals(config, quiet, verbose))


@app.command()
def fetch(
    library: LibraryArg = None,
    series: SeriesOpt = None,
    tmdb_id: Annotated[Optional[int], typer.Option("--tmdb-id", help="Pin the TMDB tv id of the one --series.", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo the NFO and artwork even where they exist.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Look series up and say what would be done; write nothing.")] = False,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Scan, match on TMDB, write tvshow.nfo and download artwork: only what is missing."""
    g = _merge_globals(config, quiet, verbose)
    _run_library("fetch", library, series, as_json, g, tmdb_id=tmdb_id, force=force, dry_run=dry_run)


@config_app.command("init")
def config_init(
    path: Annotated[Optional[Path], typer.Argument(help="Where to write (default: the default config path).", show_default=False)] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Write a commented starter config; refuses to overwrite an existing file."""
    from aniload.config import default_config_path
    from aniload.configfile import write_starter_config

    g = _merge_globals(None, False, verbose)
    try:
        written = write_starter_config(path or default_config_path(os.environ))
    except AniloadError as exc:
        _fail(exc, g, False, "config")
    print(f"wrote {written}", file=sys.stderr)


@config_app.command("show")
def config_show(
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Print the effective configuration (secrets masked)."""
    from aniload.configfile import masked_view

    g = _merge_globals(config, False, verbose)
    try:
        cfg = _load_config(g, None)
    except AniloadError as exc:
        _fail(exc, g, False, "config")
    view = masked_view(cfg)
    if as_json:
        sys.stdout.write(json.dumps(view, ensure_ascii=False, default=str) + "\n")
        return
    import tomli_w

    sys.stdout.write(f"# effective configuration (file: {cfg.source or 'none'})\n")
    sys.stdout.write(tomli_w.dumps(_tomlable(view)))


def _tomlable(value):
    """TOML has no null: leave unset keys out of the printed view."""
    if isinstance(value, dict):
        return {k: _tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_tomlable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app(prog_name="aniload")
        code = 0
    except KeyboardInterrupt as exc:  # outside a command (while parsing flags)
        code = EXIT_TERMINATED if _terminated or isinstance(exc, Terminated) else EXIT_INTERRUPTED
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code: int | str | None) -> None:
    """Exit without tearing the interpreter down: freeing a big scan's objects one by one
    costs a library of 2,000 series 20 ms. Nothing is lost by it: every file aniload writes
    is closed (and synced where it must be) before a command returns, and threads are joined."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a reader that went away (`| head`), or closed streams
        pass
    os._exit(code or 0)


__all__ = ["app", "main", "EXIT_USAGE"]
