"""Async TMDB v3 client over one shared ``httpx.AsyncClient``.

Everything goes through :meth:`TMDBClient.get_json`:

* **Rate limit**: one :class:`RateLimiter` shared by every task, evenly spaced slots at
  ``requests_per_second`` (default 38, under TMDB's documented "somewhere in the 40
  requests per second range") with a burst of 2: no 1-second window holds more than
  rate + 2 requests. Every attempt, retries included, takes a slot.
* **Retries** (``max_retries``; backoff ``backoff_base * 2**n``, full jitter, capped at
  ``backoff_cap``) on 429, 408, 5xx but 501, transport errors (timeouts, refused or reset
  connections, a body cut short) and 2xx bodies that are not a JSON object. ``Retry-After``
  (seconds or HTTP-date, capped) wins over the backoff. A 429 also pauses the shared
  limiter until Retry-After has passed and lowers its rate by a quarter (climbing back by
  2% of the configured rate per success), so one throttled task slows all of them.
* **No retry**: 401 -> AuthError; 404 -> TMDBError("TMDB has no tv series N (HTTP 404)");
  other 4xx, 501, redirect loops, bodies over 32 MiB -> TMDBError (with TMDB's
  ``status_message`` when there is one).
* **Secrets**: the read access token goes in an ``Authorization: Bearer`` header
  (preferred), else the v3 key in the ``api_key`` query parameter, per request, so the
  shared client never sends them to the image CDN. Messages carry the path without the
  query and pass through :func:`aniload.redact.redact`; errors are raised outside any
  ``except`` block, so no chained httpx exception (its request holds the URL) rides along.

Redirects are followed (the shared client also fetches images, which may redirect); httpx
drops the Authorization header when a redirect leaves the origin.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timezone

import httpx

from aniload import __version__
from aniload.errors import AuthError, ConfigError, TMDBError
from aniload.matching import Candidate, decide, titles_from_details
from aniload.redact import redact

DEFAULT_API_BASE = "https://api.themoviedb.org/3"
USER_AGENT = f"aniload/{__version__}"
TV_APPEND = ("images", "external_ids", "content_ratings", "aggregate_credits",
             "translations", "alternative_titles", "keywords")
MAX_BODY_BYTES = 32 * 1024 * 1024
DETAILS_CACHE_SIZE = 32
NO_CREDENTIALS = ("no TMDB credentials: set ANILOAD_TMDB_READ_ACCESS_TOKEN or "
                  "ANILOAD_TMDB_API_KEY (or [tmdb] read_access_token / api_key in the config)")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class RateLimiter:
    """Evenly spaced request slots shared by all tasks (GCRA: a token bucket of ``burst``).

    ``acquire`` reserves the next slot without awaiting (atomic under asyncio), then sleeps
    until it. ``throttled`` pauses every caller until the server's Retry-After has passed
    and lowers the rate; ``succeeded`` lets it climb back to the configured rate.
    """

    def __init__(self, rate: float, *, burst: int = 2, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep, min_fraction: float = 0.25) -> None:
        if not rate > 0:
            raise ConfigError(f"the TMDB request rate must be above 0, not {rate!r}")
        self.max_rate = float(rate)
        self.rate = float(rate)
        self.min_rate = self.max_rate * min_fraction
        self.burst = max(1, int(burst))
        self._clock, self._sleep = clock, sleep
        self._tat = float("-inf")  # theoretical arrival time of the next request
        self._paused_until = float("-inf")

    async def acquire(self) -> None:
        while True:
            now = self._clock()
            if self._paused_until > now:
                await self._sleep(self._paused_until - now)
                continue
            interval = 1.0 / self.rate
            tat = max(self._tat, now)
            self._tat = tat + interval
            wait = tat - (self.burst - 1) * interval - now
            if wait <= 0:
                return
            await self._sleep(wait)
            if self._paused_until <= self._clock():
                return
            # A 429 paused everyone while we waited: this slot is void, queue again.

    def throttled(self, pause: float) -> None:
        now = self._clock()
        self.rate = max(self.min_rate, self.rate * 0.75)
        self._paused_until = max(self._paused_until, now + max(0.0, pause))
        # Resume evenly spaced, without a burst, when the pause ends.
        self._tat = max(self._tat, self._paused_until + (self.burst - 1) / self.rate)

    def succeeded(self) -> None:
        if self.rate < self.max_rate:
            self.rate = min(self.max_rate, self.rate + 0.02 * self.max_rate)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now_ts = time.time() if now is None else now
    return max(0.0, when.timestamp() - now_ts)


def image_language_param(languages: Sequence[str]) -> str:
    """["de-DE", "en-US", "en-GB"] -> "de,en,null" (ISO 639-1 codes, deduplicated, + null)."""
    codes: list[str] = []
    for lang in languages:
        code = re.split(r"[-_]", (lang or "").strip(), maxsplit=1)[0].lower()
        if code and code != "null" and code not in codes:
            codes.append(code)
    return ",".join([*codes, "null"])


def build_http_client(*, max_connections: int = 16, connect_timeout: float = 10.0,
                      read_timeout: float = 30.0, transport: httpx.AsyncBaseTransport | None = None
                      ) -> httpx.AsyncClient:
    """The one AsyncClient of a run, for the API and the image CDN alike.

    TMDB allows about 20 simultaneous connections per IP; 16 keeps a margin. Waiting for a
    free pooled connection has no timeout (our own concurrency is bounded; a pool timeout
    would turn a busy pool into a "network error"), connect and read/write do.
    """
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=max_connections,
                            max_keepalive_connections=max_connections, keepalive_expiry=30.0),
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=None),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        transport=transport,
    )


def _tmdb_error(message: str, status: int | None = None) -> TMDBError:
    err = TMDBError(message)
    err.status = status
    return err


class TMDBClient:
    def __init__(self, http: httpx.AsyncClient, *, api_base: str = DEFAULT_API_BASE,
                 api_key: str | None = None, read_access_token: str | None = None,
                 requests_per_second: float = 38.0, max_retries: int = 5,
                 backoff_base: float = 0.5, backoff_cap: float = 30.0,
                 sleep: Sleep = asyncio.sleep, clock: Clock = time.monotonic,
                 wallclock: Clock = time.time, rng: random.Random | None = None) -> None:
        self._token = (read_access_token or "").strip() or None
        self._api_key = (api_key or "").strip() or None
        self._credential = "read access token" if self._token else "API key"
        if not (self._token or self._api_key):
            raise AuthError(NO_CREDENTIALS)
        for what, value in (("read access token", self._token), ("API key", self._api_key)):
            if value and not re.fullmatch(r"[\x21-\x7e]+", value):
                raise AuthError(f"the TMDB {what} contains spaces or characters that cannot be "
                                "sent; copy it again from https://www.themoviedb.org/settings/api")
        base = (api_base or DEFAULT_API_BASE).strip().rstrip("/")
        if not re.match(r"(?i)https?://[^/\s]+", base):
            raise ConfigError(f"TMDB api_base must be an http(s) URL, not {redact(base)!r}")
        self._http = http
        self.api_base = base
        self.max_retries = max(0, int(max_retries))
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self._sleep, self._wallclock = sleep, wallclock
        self._rng = rng or random.Random()
        self.limiter = RateLimiter(requests_per_second, clock=clock, sleep=sleep)
        self._details: OrderedDict[tuple, dict] = OrderedDict()
        self.requests_sent = 0
        self.responses_429 = 0

    def __repr__(self) -> str:
        return f"TMDBClient(api_base={redact(self.api_base)!r}, auth={self._credential!r})"

    def _redact(self, text: str) -> str:
        return redact(text, (self._token, self._api_key))

    # ---------------------------------------------------------------- endpoints

    async def check_credentials(self) -> None:
        """One cheap request; AuthError when TMDB rejects the key or token."""
        await self.get_json("/configuration", {})

    async def search_tv(self, query: str, *, language: str, year: int | None = None) -> list[dict]:
        params = {"query": query, "include_adult": "false", "language": language, "page": 1,
                  "first_air_date_year": year}
        data = await self.get_json("/search/tv", params)
        results = data.get("results")
        if not isinstance(results, list):
            raise _tmdb_error("TMDB answered /search/tv without a results list")
        return [r for r in results if isinstance(r, dict) and Candidate.from_result(r)]

    async def tv_details(self, tv_id: int, *, language: str, image_languages: Sequence[str]) -> dict:
        """Details with everything aniload needs appended, in ONE request.

        The answer is kept briefly (taken once) so the details that
        :func:`find_series` fetched to compare titles are not fetched again.
        """
        images = image_language_param(image_languages)
        key = (int(tv_id), language, images)
        if key in self._details:
            return self._details.pop(key)
        data = await self.get_json(f"/tv/{int(tv_id)}", {
            "language": language, "append_to_response": ",".join(TV_APPEND),
            "include_image_language": images})
        if "id" not in data:
            raise _tmdb_error(f"TMDB answered /tv/{int(tv_id)} without an id")
        return data

    def _keep_details(self, tv_id: int, language: str, image_languages: Sequence[str],
                      data: dict) -> None:
        self._details[(int(tv_id), language, image_language_param(image_languages))] = data
        while len(self._details) > DETAILS_CACHE_SIZE:
            self._details.popitem(last=False)

    # ---------------------------------------------------------------- the request path

    async def get_json(self, path: str, params: Mapping) -> dict:
        path = "/" + path.lstrip("/")
        query = {k: v for k, v in params.items() if v is not None}
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        else:
            query["api_key"] = self._api_key
        attempts = self.max_retries + 1
        reason = ""
        for attempt in range(attempts):
            await self.limiter.acquire()
            self.requests_sent += 1
            retry_after: float | None = None
            fatal = None
            try:
                status, resp_headers, body = await self._send(path, query, headers)
            except (httpx.TransportError, httpx.DecodingError) as exc:
                reason = self._describe(exc)
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                fatal = self._describe(exc)  # e.g. a redirect loop: retrying cannot help
            else:
                if 200 <= status < 300:
                    try:
                        data = json.loads(body)
                        reason = "the response was not a JSON object"
                    except ValueError:
                        kind = resp_headers.get("content-type", "").split(";")[0].strip()
                        data, reason = None, "the response was not valid JSON" + (
                            f" ({kind})" if kind and "json" not in kind else "")
                    if isinstance(data, dict):
                        self.limiter.succeeded()
                        return data
                elif status in (429, 408) or (status >= 500 and status != 501):
                    retry_after = parse_retry_after(resp_headers.get("retry-after"),
                                                    now=self._wallclock())
                    reason = f"HTTP {status}"
                    if status == 429:  # everyone waits, not just this request
                        self.responses_429 += 1
                        if retry_after is None:
                            retry_after = self._backoff(attempt)
                        self.limiter.throttled(min(retry_after, self.backoff_cap))
                else:
                    raise self._refusal(status, path, body)
            if fatal:
                raise _tmdb_error(self._redact(f"TMDB request for {path} failed: {fatal}"))
            if attempt + 1 < attempts:
                delay = self._backoff(attempt) if retry_after is None else retry_after
                await self._sleep(min(delay, self.backoff_cap))
        raise _tmdb_error(self._redact(
            f"TMDB request failed after {attempts} attempts: {reason} on {path}"))

    async def _send(self, path: str, query: dict, headers: dict) -> tuple[int, httpx.Headers, bytes]:
        url = self.api_base + path
        async with self._http.stream("GET", url, params=query, headers=headers) as resp:
            chunks, size = [], 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:  # not a TMDB answer; retrying would not help
                    raise _tmdb_error(f"TMDB answered {path} with more than "
                                      f"{MAX_BODY_BYTES // 2**20} MiB")
                chunks.append(chunk)
            return resp.status_code, resp.headers, b"".join(chunks)

    def _backoff(self, attempt: int) -> float:
        return self._rng.uniform(0.0, min(self.backoff_cap, self.backoff_base * 2 ** attempt))

    def _describe(self, exc: Exception) -> str:
        detail = " ".join(str(exc).split())[:160]
        kind = type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out ({kind})"
        return f"{kind} ({detail})" if detail else kind

    def _refusal(self, status: int, path: str, body: bytes) -> Exception:
        try:
            message = json.loads(body).get("status_message")
        except (ValueError, AttributeError):
            message = None
        message = " ".join(str(message).split())[:200] if message else ""
        detail = f"HTTP {status}: {message}" if message else f"HTTP {status}"
        if status == 401:
            return AuthError(self._redact(f"TMDB rejected the {self._credential} ({detail})"))
        if status == 404:
            m = re.fullmatch(r"/tv/(\d+)(?:/season/(\d+))?", path)
            if m and m.group(2):
                text = f"TMDB has no season {m.group(2)} of tv series {m.group(1)} (HTTP 404)"
            elif m:
                text = f"TMDB has no tv series {m.group(1)} (HTTP 404)"
            else:
                text = f"TMDB has nothing at {path} ({detail})"
            return _tmdb_error(self._redact(text), 404)
        return _tmdb_error(self._redact(f"TMDB refused the request for {path} ({detail})"), status)


# -------------------------------------------------------------------- finding a series


async def find_series(client: TMDBClient, title: str, year: int | None, *, language: str,
                      fallback_languages: Sequence[str] = (),
                      image_languages: Sequence[str] | None = None,
                      folder_name: str | None = None) -> Candidate:
    """The TMDB series for a folder "title (year)", by the rules of :mod:`aniload.matching`.

    Evidence is gathered step by step and the search stops as soon as an EXACT title
    decides (a match, or an ambiguity no further search can resolve):

    1. search in ``language`` (``first_air_date_year`` = year when known);
    2. no exact title yet: fetch the details of the top contender (the tentative winner,
       else TMDB's first result) and compare the folder title with all its translations
       and alternative titles too. This is how "Angriff der Titanen" or an English folder
       name under ``de-DE`` (where an untranslated show's ``name`` is Japanese) resolve.
       The details are what the pipeline fetches next anyway (cached, taken once, when it
       passes the same ``image_languages``, default ``[language, *fallback_languages]``),
       so the common case stays at two requests: search + details;
    3. with a year: search again without it (the folder year may be off);
    4. search in the first fallback language (its names count as more titles);
    5. details of up to two more contenders.
    Then a tentative (PREFIX) winner is accepted, or NoMatch / AmbiguousMatch is raised.
    A result whose titles never relate to the folder title is never accepted, even when it
    is the only one TMDB returned.
    """
    image_languages = list(image_languages or [language, *fallback_languages])
    pool: dict[int, dict] = {}
    other: dict[int, list[str]] = {}
    enriched: set[int] = set()

    def decision():
        return decide(title, year, list(pool.values()), other_titles=other,
                      folder_name=folder_name)

    async def search(lang: str, yr: int | None) -> None:
        for result in await client.search_tv(title, language=lang, year=yr):
            tv_id = result["id"]
            if tv_id in pool:
                other.setdefault(tv_id, []).extend(
                    t for t in (result.get("name"), result.get("original_name")) if t)
            else:
                pool[tv_id] = result

    async def enrich(limit: int) -> None:
        fits = [] if year is None else [
            i for i, r in pool.items()
            if (c := Candidate.from_result(r)) and c.year and abs(c.year - year) <= 1]
        order = [c.tmdb_id for c in d.contenders] + fits + list(pool)
        todo = [i for i in dict.fromkeys(order) if i in pool and i not in enriched][:limit]
        for tv_id in todo:
            enriched.add(tv_id)
            try:
                details = await client.tv_details(tv_id, language=language,
                                                  image_languages=image_languages)
            except TMDBError as exc:
                if getattr(exc, "status", None) == 404:  # stale search index
                    continue
                raise
            client._keep_details(tv_id, language, image_languages, details)
            other.setdefault(tv_id, []).extend(titles_from_details(details))

    async def step(action: Callable[[], Awaitable[None]]) -> None:
        nonlocal d
        if not d.certain:
            await action()
            d = decision()

    d = decision()
    if not title or not title.strip():
        return d.result()
    await search(language, year)
    d = decision()
    await step(lambda: enrich(1))
    if year is not None:
        await step(lambda: search(language, None))
        if not enriched:
            await step(lambda: enrich(1))
    fallback = next((lang for lang in fallback_languages if lang and lang != language), None)
    if fallback and (not pool or set(pool) - enriched):
        await step(lambda: search(fallback, year))
    await step(lambda: enrich(2))
    return d.result()
