"""The one exception tree of aniload.

Every failure a user can meet is an ``AniloadError`` whose ``str()`` is one clear line
(no traceback unless ``--verbose``). Errors split into two families, because they end a
run differently:

    AniloadError
    ├── RunError             stops the whole run before anything is written
    │   ├── UsageError       bad flag, unknown series                      exit 2
    │   ├── ConfigError      unreadable or invalid config, missing key     exit 2
    │   ├── LibraryError     library missing, not a directory, unwritable  exit 2
    │   ├── AuthError        TMDB rejected the key or token                exit 2
    │   └── LockHeld         another scan/fetch holds the library lock     exit 75
    └── SeriesError          one series failed; the others go on           exit 1 at the end
        ├── SidecarError     the sidecar could not be written
        ├── WriteError       a file could not be written (disk full, read-only, ...)
        ├── TMDBError        TMDB failed after retries, or answered nonsense
        ├── NoMatch          no TMDB series fits the folder
        ├── AmbiguousMatch   several fit equally; the message lists them and how to pin
        └── DownloadError    an image could not be fetched whole

Secrets never go into a message: code that builds one from an HTTP error must pass the
URL through ``aniload.redact`` first.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_SERIES_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75
EXIT_INTERRUPTED = 130


class AniloadError(Exception):
    """Base of every error aniload reports to a user."""

    exit_code = EXIT_SERIES_FAILED


class RunError(AniloadError):
    """Ends the whole run; raised before anything is written."""

    exit_code = EXIT_USAGE


class UsageError(RunError):
    pass


class ConfigError(RunError):
    pass


class LibraryError(RunError):
    pass


class AuthError(RunError):
    pass


class LockHeld(RunError):
    exit_code = EXIT_LOCKED


class SeriesError(AniloadError):
    """One series failed; recorded in its sidecar and report, the run goes on."""

    exit_code = EXIT_SERIES_FAILED


class SidecarError(SeriesError):
    pass


class WriteError(SeriesError):
    pass


class TMDBError(SeriesError):
    pass


class NoMatch(SeriesError):
    pass


class AmbiguousMatch(SeriesError):
    pass


class DownloadError(SeriesError):
    pass
