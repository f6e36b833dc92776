"""TMDBClient, the rate limiter, find_series and redact, over httpx.MockTransport."""

from __future__ import annotations

import asyncio
import email.utils
import heapq
import random
import time
from collections.abc import Callable

import httpx
import pytest

from aniload.errors import AmbiguousMatch, AuthError, NoMatch, TMDBError
from aniload.redact import redact
from aniload.tmdb import (
    TV_APPEND,
    USER_AGENT,
    RateLimiter,
    TMDBClient,
    build_http_client,
    find_series,
    image_language_param,
    parse_retry_after,
)

API = "https://api.test/3"
KEY = "k3y-SECRET-0123456789abcdef"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.SECRET-TOKEN.sig"


class VirtualTime:
    """A fake clock whose sleeps wake in time order, for many concurrent tasks."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._heap: list = []
        self._seq = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        if delay <= 0:
            await asyncio.sleep(0)
            return
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (self.now + delay, self._seq, fut))
        self._seq += 1
        await fut

    async def run(self, *coros):
        tasks = [asyncio.ensure_future(c) for c in coros]
        while not all(t.done() for t in tasks):
            for _ in range(50):
                await asyncio.sleep(0)
            if self._heap and not all(t.done() for t in tasks):
                when, _, fut = heapq.heappop(self._heap)
                self.now = max(self.now, when)
                fut.set_result(None)
        return [t.result() for t in tasks]


def ok(data) -> httpx.Response:
    return httpx.Response(200, json=data)


def tmdb_error(status: int, code: int, message: str, headers=None) -> httpx.Response:
    body = {"success": False, "status_code": code, "status_message": message}
    return httpx.Response(status, json=body, headers=headers)


def make(handler: Callable, *, vt: VirtualTime | None = None, token=None, key=KEY, **kw):
    vt = vt or VirtualTime()
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = TMDBClient(http, api_base=API, api_key=key, read_access_token=token,
                        sleep=vt.sleep, clock=vt.clock, rng=random.Random(7), **kw)
    return client, vt


def scripted(*responses):
    """A handler answering with the given responses (or raising exceptions) in turn."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request):
        seen.append(request)
        item = responses[min(len(seen), len(responses)) - 1]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


# --------------------------------------------------------------------- credentials


async def test_bearer_token_preferred_and_no_api_key_in_query():
    handler, seen = scripted(ok({"images": {}}))
    client, vt = make(handler, token=TOKEN, key=KEY)
    await vt.run(client.check_credentials())
    req = seen[0]
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert "api_key" not in req.url.params
    assert req.url.path == "/3/configuration"


async def test_api_key_as_query_parameter():
    handler, seen = scripted(ok({}))
    client, vt = make(handler, key=KEY)
    await vt.run(client.check_credentials())
    assert seen[0].url.params["api_key"] == KEY
    assert "authorization" not in seen[0].headers


def test_no_credentials_is_auth_error():
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: ok({})))
    with pytest.raises(AuthError, match="ANILOAD_TMDB_READ_ACCESS_TOKEN"):
        TMDBClient(http, api_base=API, api_key="  ", read_access_token=None)


async def test_401_is_auth_error_without_retry():
    handler, seen = scripted(tmdb_error(401, 7, "Invalid API key: You must be granted a valid key."))
    client, vt = make(handler)
    with pytest.raises(AuthError) as info:
        await vt.run(client.check_credentials())
    assert len(seen) == 1 and client.requests_sent == 1
    assert str(info.value) == ("TMDB rejected the API key "
                               "(HTTP 401: Invalid API key: You must be granted a valid key.)")


async def test_401_message_echoing_the_key_is_redacted():
    handler, _ = scripted(tmdb_error(401, 7, f"Invalid API key: {KEY}"))
    client, vt = make(handler)
    with pytest.raises(AuthError) as info:
        await vt.run(client.check_credentials())
    assert KEY not in str(info.value) and "***" in str(info.value)


# --------------------------------------------------------------------- endpoints


async def test_search_tv_parameters():
    handler, seen = scripted(ok({"page": 1, "results": [
        {"id": 1429, "name": "Attack on Titan", "first_air_date": "2013-04-07"},
        {"name": "no id, dropped"}]}))
    client, vt = make(handler)
    [results] = await vt.run(client.search_tv("Attack on Titan", language="de-DE", year=2013))
    assert [r["id"] for r in results] == [1429]
    params = seen[0].url.params
    assert seen[0].url.path == "/3/search/tv"
    assert params["query"] == "Attack on Titan"
    assert params["language"] == "de-DE"
    assert params["first_air_date_year"] == "2013"
    assert params["include_adult"] == "false" and params["page"] == "1"


async def test_search_tv_without_year_sends_no_year():
    handler, seen = scripted(ok({"results": []}))
    client, vt = make(handler)
    await vt.run(client.search_tv("X", language="en-US"))
    assert "first_air_date_year" not in seen[0].url.params


async def test_tv_details_one_request_with_appends_and_image_languages():
    handler, seen = scripted(ok({"id": 1429, "name": "Attack on Titan"}))
    client, vt = make(handler)
    [data] = await vt.run(client.tv_details(1429, language="de-DE",
                                            image_languages=["de-DE", "en-US", "en-GB"]))
    assert data["id"] == 1429 and len(seen) == 1
    params = seen[0].url.params
    assert seen[0].url.path == "/3/tv/1429"
    assert params["append_to_response"] == (
        "images,external_ids,content_ratings,aggregate_credits,translations,"
        "alternative_titles,keywords")
    assert params["append_to_response"].split(",") == list(TV_APPEND)
    assert params["include_image_language"] == "de,en,null"
    assert params["language"] == "de-DE"


def test_image_language_param():
    assert image_language_param(["de-DE", "en-US", "en"]) == "de,en,null"
    assert image_language_param(["ja_JP", "null", ""]) == "ja,null"
    assert image_language_param([]) == "null"


async def test_404_names_the_series_without_retry():
    handler, seen = scripted(tmdb_error(404, 34, "The resource you requested could not be found."))
    client, vt = make(handler)
    with pytest.raises(TMDBError) as info:
        await vt.run(client.tv_details(12345, language="en-US", image_languages=["en-US"]))
    assert str(info.value) == "TMDB has no tv series 12345 (HTTP 404)"
    assert len(seen) == 1


async def test_other_4xx_quotes_status_message_without_retry():
    handler, seen = scripted(tmdb_error(422, 5, "Invalid parameters: Your request parameters are incorrect."))
    client, vt = make(handler)
    with pytest.raises(TMDBError, match=r"HTTP 422: Invalid parameters") as info:
        await vt.run(client.search_tv("x", language="en-US"))
    assert len(seen) == 1 and "\n" not in str(info.value)


# --------------------------------------------------------------------- retries


@pytest.mark.parametrize("failure", [
    httpx.Response(503, text="Service Unavailable"),
    httpx.Response(500, json={"status_code": 11, "status_message": "Internal error"}),
    httpx.ConnectError("connection refused"),
    httpx.ReadTimeout("timed out"),
    httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
    httpx.Response(200, content=b'{"id": 1429, "name": "Attack on'),  # truncated JSON
    httpx.Response(200, content=b"<html>gateway</html>"),
    httpx.Response(200, json=[1, 2, 3]),  # JSON, but not an object
])
async def test_retries_then_succeeds(failure):
    handler, seen = scripted(failure, failure, ok({"id": 1429}))
    client, vt = make(handler)
    [data] = await vt.run(client.get_json("/tv/1429", {}))
    assert data == {"id": 1429}
    assert len(seen) == 3 and client.requests_sent == 3
    assert client.responses_429 == 0


async def test_gives_up_after_max_retries_with_a_redacted_one_line_reason():
    handler, seen = scripted(httpx.Response(503))
    client, vt = make(handler, max_retries=5)
    with pytest.raises(TMDBError) as info:
        await vt.run(client.get_json("/tv/1429", {"language": "en-US"}))
    assert str(info.value) == "TMDB request failed after 6 attempts: HTTP 503 on /tv/1429"
    assert len(seen) == 6 and client.requests_sent == 6
    # Five backoff sleeps, full jitter: each within [0, base * 2**n].
    backoffs = [s for s in vt.sleeps if s > 0]
    assert len(backoffs) <= 5 and all(b <= 0.5 * 2 ** 4 for b in backoffs)


async def test_connection_error_message_carrying_the_url_is_redacted():
    def handler(request):
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    client, vt = make(handler, max_retries=1)
    with pytest.raises(TMDBError) as info:
        await vt.run(client.search_tv("x", language="en-US"))
    text = str(info.value)
    assert text.startswith("TMDB request failed after 2 attempts: ConnectError")
    assert KEY not in text and "api_key=***" in text
    assert info.value.__cause__ is None and info.value.__context__ is None


async def test_429_honours_retry_after_seconds_and_counts():
    handler, seen = scripted(tmdb_error(429, 25, "Your request count (41) is over the allowed limit of 40.",
                                        headers={"Retry-After": "3"}), ok({"id": 1}))
    client, vt = make(handler)
    await vt.run(client.get_json("/tv/1", {}))
    assert client.responses_429 == 1 and client.requests_sent == 2
    assert vt.now >= 3.0
    assert 3.0 in vt.sleeps


async def test_429_retry_after_is_capped():
    handler, _ = scripted(tmdb_error(429, 25, "slow down", headers={"Retry-After": "3600"}),
                          ok({"id": 1}))
    client, vt = make(handler, backoff_cap=30.0)
    await vt.run(client.get_json("/tv/1", {}))
    assert max(vt.sleeps) == pytest.approx(30.0)
    assert vt.now < 31


async def test_429_retry_after_http_date():
    wall = 1_700_000_000.0
    date = email.utils.formatdate(wall + 10, usegmt=True)
    handler, _ = scripted(tmdb_error(429, 25, "slow down", headers={"Retry-After": date}),
                          ok({"id": 1}))
    client, vt = make(handler, wallclock=lambda: wall)
    await vt.run(client.get_json("/tv/1", {}))
    assert 10.0 in vt.sleeps and vt.now >= 10.0


def test_parse_retry_after():
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("") is None and parse_retry_after("soon") is None
    past = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert parse_retry_after(past) == 0.0
    future = email.utils.formatdate(1000.0 + 42, usegmt=True)
    assert parse_retry_after(future, now=1000.0) == pytest.approx(42.0)


async def test_429_pauses_every_task_and_slows_the_limiter():
    sent_at: list[tuple[float, str]] = []
    vt = VirtualTime()
    throttled = {"done": False}

    def handler(request):
        sent_at.append((vt.now, request.url.path))
        if request.url.path == "/3/tv/1" and not throttled["done"]:
            throttled["done"] = True
            return tmdb_error(429, 25, "slow down", headers={"Retry-After": "5"})
        return ok({"id": 1})

    client, _ = make(handler, vt=vt, requests_per_second=10)

    async def later(path, delay):
        await vt.sleep(delay)
        return await client.get_json(path, {})

    await vt.run(client.get_json("/tv/1", {}), later("/tv/2", 1.0), later("/tv/3", 2.0))
    others = [t for t, p in sent_at if p != "/3/tv/1"]
    assert others and min(others) >= 5.0  # nobody sent while the 429 pause lasted
    assert client.limiter.rate < 10


# --------------------------------------------------------------------- rate limiter


async def test_limiter_spacing_with_fake_clock():
    vt = VirtualTime()
    limiter = RateLimiter(10.0, burst=2, clock=vt.clock, sleep=vt.sleep)
    times: list[float] = []

    async def one():
        await limiter.acquire()
        times.append(vt.now)

    await vt.run(*(one() for _ in range(12)))
    times.sort()
    assert times[:2] == [0.0, 0.0]  # the burst
    gaps = [b - a for a, b in zip(times[1:], times[2:])]
    assert all(g == pytest.approx(0.1) for g in gaps)
    # No 1-second window holds more than rate + burst.
    assert all(sum(1 for t in times if s <= t < s + 1) <= 12 for s in times)


async def test_limiter_35_per_second_never_exceeds_40_in_any_second():
    vt = VirtualTime()
    limiter = RateLimiter(35.0, clock=vt.clock, sleep=vt.sleep)
    times: list[float] = []

    async def one():
        await limiter.acquire()
        times.append(vt.now)

    await vt.run(*(one() for _ in range(200)))
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 37
    assert times[-1] == pytest.approx((200 - 2) / 35.0)


async def test_limiter_pause_delays_everyone():
    vt = VirtualTime()
    limiter = RateLimiter(100.0, clock=vt.clock, sleep=vt.sleep)
    limiter.throttled(2.0)
    await vt.run(limiter.acquire())
    assert vt.now == pytest.approx(2.0)
    assert limiter.rate == pytest.approx(75.0)
    for _ in range(100):
        limiter.succeeded()
    assert limiter.rate == 100.0


async def test_limiter_real_time_pacing():
    def handler(request):
        return ok({"id": 1})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = TMDBClient(http, api_base=API, api_key=KEY, requests_per_second=100)
    start = time.monotonic()
    await asyncio.gather(*(client.get_json(f"/tv/{i}", {}) for i in range(30)))
    elapsed = time.monotonic() - start
    assert client.requests_sent == 30
    assert 0.27 <= elapsed < 2.0


# --------------------------------------------------------------------- secrets


async def test_secrets_never_in_exceptions_or_repr():
    def echo_everything(request: httpx.Request):
        text = f"{request.url} {request.headers.get('authorization')}"
        path = request.url.path
        if path.endswith("/401"):
            return tmdb_error(401, 7, text)
        if path.endswith("/404"):
            return tmdb_error(404, 34, text)
        if path.endswith("/422"):
            return tmdb_error(422, 5, text)
        if path.endswith("/503"):
            return httpx.Response(503, text=text)
        raise httpx.ConnectError(text)

    messages = []
    for token, key in ((TOKEN, None), (None, KEY), (TOKEN, KEY)):
        client, vt = make(echo_everything, token=token, key=key, max_retries=1)
        messages.append(repr(client))
        for path in ("/x/401", "/x/404", "/x/422", "/x/503", "/x/conn"):
            try:
                await vt.run(client.get_json(path, {"query": "q"}))
            except Exception as exc:  # noqa: BLE001 - every kind of failure
                messages += [str(exc), repr(exc)]
                assert exc.__context__ is None and exc.__cause__ is None  # no httpx chain
            else:
                pytest.fail(f"{path} did not fail")
    assert len(messages) == 3 * 11
    for text in messages:
        assert KEY not in text and TOKEN not in text and "SECRET" not in text, text


def test_redact():
    assert redact(f"GET https://x/3/tv/1?api_key={KEY}&language=de") == \
        "GET https://x/3/tv/1?api_key=***&language=de"
    assert redact("https://x/?API_KEY=abc") == "https://x/?API_KEY=***"
    assert redact("next=https%3A%2F%2Fx%2F%3Fapi_key%3Dabc%26page%3D1") == \
        "next=https%3A%2F%2Fx%2F%3Fapi_key%3D***%26page%3D1"
    assert redact("api%5Fkey=abc") == "api%5Fkey=***"
    assert redact(f"Authorization: Bearer {TOKEN}") == "Authorization: Bearer ***"
    assert redact("{'api_key': 'abc'}") == "{'api_key': '***'}"
    assert redact("https://user:pw@proxy:8080/") == "https://user:***@proxy:8080/"
    assert redact("key s3cr3t! here, encoded s3cr3t%21", ["s3cr3t!", None, ""]) == \
        "key *** here, encoded ***"
    assert redact("nothing to hide (HTTP 404)") == "nothing to hide (HTTP 404)"


# --------------------------------------------------------------------- http client


async def test_build_http_client():
    async with build_http_client(max_connections=8, connect_timeout=3, read_timeout=7) as http:
        assert http.headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("aniload/")
        assert http.timeout.connect == 3 and http.timeout.read == 7 and http.timeout.pool is None
        assert http.follow_redirects is True
        assert "authorization" not in http.headers


# --------------------------------------------------------------------- find_series


def result(tv_id, name, original=None, date="", popularity=1.0):
    return {"id": tv_id, "name": name, "original_name": original or name,
            "first_air_date": date, "popularity": popularity}


class FakeTMDB:
    """A tiny router: search answers by (language, year), details by id."""

    def __init__(self, searches: dict, details: dict | None = None):
        self.searches, self.details = searches, details or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request):
        self.requests.append(request)
        p = request.url.params
        if request.url.path == "/3/search/tv":
            year = p.get("first_air_date_year")
            key = (p["language"], int(year) if year else None)
            return ok({"page": 1, "results": self.searches.get(key, [])})
        tv_id = int(request.url.path.rsplit("/", 1)[1])
        if tv_id in self.details:
            return ok(self.details[tv_id])
        return tmdb_error(404, 34, "The resource you requested could not be found.")


async def test_find_series_exact_costs_one_search():
    fake = FakeTMDB({("en-US", 2013): [result(1429, "Attack on Titan", "進撃の巨人", "2013-04-07")]})
    client, vt = make(fake)
    [cand] = await vt.run(find_series(client, "Attack on Titan", 2013, language="en-US",
                                      fallback_languages=["en-US"]))
    assert cand.tmdb_id == 1429 and len(fake.requests) == 1


async def test_find_series_de_de_japanese_name_resolved_by_translations_in_two_requests():
    details = {"id": 209867, "name": "葬送のフリーレン", "original_name": "葬送のフリーレン",
               "translations": {"translations": [
                   {"iso_639_1": "en", "data": {"name": "Frieren: Beyond Journey's End"}}]},
               "alternative_titles": {"results": []}}
    fake = FakeTMDB({("de-DE", 2023): [result(209867, "葬送のフリーレン", date="2023-09-29")]},
                    {209867: details})
    client, vt = make(fake)

    async def pipeline():
        cand = await find_series(client, "Frieren: Beyond Journey's End", 2023,
                                 language="de-DE", fallback_languages=["en-US"])
        data = await client.tv_details(cand.tmdb_id, language="de-DE",
                                       image_languages=["de-DE", "en-US"])
        return cand, data

    [(cand, data)] = await vt.run(pipeline())
    assert cand.tmdb_id == 209867 and data["id"] == 209867
    assert len(fake.requests) == 2  # search + details, the details reused


async def test_find_series_german_alternative_title():
    details = {"id": 1429, "name": "Attack on Titan", "original_name": "進撃の巨人",
               "alternative_titles": {"results": [{"iso_3166_1": "DE", "title": "Angriff der Titanen"}]}}
    fake = FakeTMDB({("de-DE", 2013): [result(1429, "Attack on Titan", "進撃の巨人", "2013-04-07")]},
                    {1429: details})
    client, vt = make(fake)
    [cand] = await vt.run(find_series(client, "Angriff der Titanen", 2013, language="de-DE",
                                      fallback_languages=["en-US"]))
    assert cand.tmdb_id == 1429 and len(fake.requests) == 2


async def test_find_series_year_off_by_one_searches_again_without_year():
    fake = FakeTMDB({("en-US", None): [result(1429, "Attack on Titan", date="2013-04-07")]})
    client, vt = make(fake)
    [cand] = await vt.run(find_series(client, "Attack on Titan", 2014, language="en-US",
                                      fallback_languages=["en-US"]))
    assert cand.tmdb_id == 1429
    years = [r.url.params.get("first_air_date_year") for r in fake.requests]
    assert years == ["2014", None]


async def test_find_series_hunter_x_hunter_is_ambiguous_after_one_request():
    fake = FakeTMDB({("en-US", None): [
        result(46298, "Hunter x Hunter", "HUNTER×HUNTER", "2011-10-02", 90.0),
        result(12850, "Hunter x Hunter", "HUNTER×HUNTER", "1999-10-16", 30.0)]})
    client, vt = make(fake)
    with pytest.raises(AmbiguousMatch) as info:
        await vt.run(find_series(client, "Hunter x Hunter", None, language="en-US",
                                 fallback_languages=["en-US"], folder_name="Hunter x Hunter"))
    assert str(info.value) == (
        "ambiguous match for 'Hunter x Hunter': Hunter x Hunter (1999, tmdb 12850), "
        "Hunter x Hunter (2011, tmdb 46298); "
        "pin one with: aniload fetch --series 'Hunter x Hunter' --tmdb-id ID")
    assert len(fake.requests) == 1


async def test_find_series_unrelated_single_result_is_no_match():
    details = {"id": 5, "name": "Something Else", "original_name": "Something Else"}
    fake = FakeTMDB({("en-US", 2019): [result(5, "Something Else", date="2019-01-01")]},
                    {5: details})
    client, vt = make(fake)
    with pytest.raises(NoMatch, match=r"^no TMDB match for 'Totally Unknown' \(2019\)"):
        await vt.run(find_series(client, "Totally Unknown", 2019, language="en-US",
                                 fallback_languages=["en-US"]))
    assert len(fake.requests) <= 4


async def test_find_series_nothing_found():
    fake = FakeTMDB({})
    client, vt = make(fake)
    with pytest.raises(NoMatch) as info:
        await vt.run(find_series(client, "Nope", 2019, language="de-DE",
                                 fallback_languages=["en-US"]))
    assert str(info.value) == "no TMDB match for 'Nope' (2019)"
    assert len(fake.requests) == 3  # year, no year, fallback language


async def test_body_cut_short_by_a_real_server_is_retried():
    """A real socket: the first answer promises 100 bytes and hangs up after 10."""
    answers = [
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id": 142',
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n'
        b'Connection: close\r\n\r\n{"id": 142}',
    ]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answers.pop(0))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with build_http_client(connect_timeout=2, read_timeout=2) as http:
            client = TMDBClient(http, api_base=f"http://127.0.0.1:{port}/3", api_key=KEY,
                                backoff_base=0.01)
            assert await client.get_json("/tv/142", {}) == {"id": 142}
            assert client.requests_sent == 2
    finally:
        server.close()
        await server.wait_closed()


def test_credential_that_cannot_be_sent_is_auth_error():
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: ok({})))
    with pytest.raises(AuthError, match="read access token contains spaces") as info:
        TMDBClient(http, api_base=API, read_access_token="abc def")
    assert "abc" not in str(info.value)
    # Surrounding whitespace (a pasted newline) is just trimmed.
    assert "TMDBClient" in repr(TMDBClient(http, api_base=API, api_key=f" {KEY}\n"))


async def test_redirect_loop_fails_at_once_and_same_origin_redirect_is_followed():
    def handler(request):
        if request.url.path == "/3/loop":
            return httpx.Response(301, headers={"Location": f"{API}/loop"})
        if request.url.path == "/3/old":
            return httpx.Response(301, headers={"Location": f"{API}/new"})
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        return ok({"moved": True})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
    vt = VirtualTime()
    client = TMDBClient(http, api_base=API, read_access_token=TOKEN, sleep=vt.sleep, clock=vt.clock)
    [data] = await vt.run(client.get_json("/old", {}))
    assert data == {"moved": True}
    with pytest.raises(TMDBError, match=r"^TMDB request for /loop failed: TooManyRedirects"):
        await vt.run(client.get_json("/loop", {}))
    assert client.requests_sent == 2


async def test_all_429_gives_up_with_the_count():
    handler, seen = scripted(tmdb_error(429, 25, "slow down", headers={"Retry-After": "1"}))
    client, vt = make(handler, max_retries=2)
    with pytest.raises(TMDBError, match=r"^TMDB request failed after 3 attempts: HTTP 429 on /tv/1$"):
        await vt.run(client.get_json("/tv/1", {}))
    assert client.responses_429 == 3 and client.requests_sent == 3


async def test_find_series_partial_title_is_checked_against_an_unfiltered_search():
    """'Attack on Titan (2015)': the year filter only shows the 2015 spin-off."""
    jh = result(64196, "Attack on Titan: Junior High", date="2015-10-04")
    aot = result(1429, "Attack on Titan", date="2013-04-07")
    fake = FakeTMDB({("en-US", 2015): [jh], ("en-US", None): [aot, jh]},
                    {64196: {"id": 64196, "name": jh["name"]}, 1429: {"id": 1429, "name": "Attack on Titan"}})
    client, vt = make(fake)
    with pytest.raises(AmbiguousMatch) as info:
        await vt.run(find_series(client, "Attack on Titan", 2015, language="en-US",
                                 fallback_languages=["en-US"]))
    assert {c.tmdb_id for c in info.value.candidates} == {1429, 64196}


async def test_find_series_accepts_a_lone_partial_title_after_looking_further():
    rezero = result(65942, "Re:ZERO -Starting Life in Another World-", date="2016-04-04")
    fake = FakeTMDB({("en-US", 2016): [rezero], ("en-US", None): [rezero]},
                    {65942: {"id": 65942, "name": rezero["name"]}})
    client, vt = make(fake)
    [cand] = await vt.run(find_series(client, "Re Zero", 2016, language="en-US",
                                      fallback_languages=["en-US"]))
    assert cand.tmdb_id == 65942
    assert len(fake.requests) == 3  # search, details (kept for the pipeline), unfiltered search


async def test_find_series_alternative_title_settles_two_partial_titles():
    main = result(65942, "Re:ZERO -Starting Life in Another World-", date="2016-04-04")
    shorts = result(65943, "Re:ZERO -Starting Break Time From Zero-", date="2016-04-08")
    fake = FakeTMDB({("en-US", 2016): [shorts, main]},
                    {65942: {"id": 65942, "alternative_titles": {"results": [{"title": "Re:Zero"}]}},
                     65943: {"id": 65943, "alternative_titles": {"results": []}}})
    client, vt = make(fake)
    [cand] = await vt.run(find_series(client, "Re:Zero", 2016, language="en-US",
                                      fallback_languages=["en-US"]))
    assert cand.tmdb_id == 65942


async def test_find_series_skips_a_stale_search_hit_and_fails_on_other_errors():
    ghost = result(999, "Ghost Show", date="2020-01-01")
    fake = FakeTMDB({("en-US", None): [ghost]})  # details of 999: 404
    client, vt = make(fake)
    with pytest.raises(NoMatch):
        await vt.run(find_series(client, "Something", None, language="en-US"))

    def broken(request):
        if request.url.path == "/3/search/tv":
            return ok({"results": [ghost]})
        return httpx.Response(500)

    client, vt = make(broken, max_retries=1)
    with pytest.raises(TMDBError, match="after 2 attempts: HTTP 500 on /tv/999"):
        await vt.run(find_series(client, "Something", None, language="en-US"))


async def test_oversized_body_fails_at_once(monkeypatch):
    monkeypatch.setattr("aniload.tmdb.MAX_BODY_BYTES", 100)
    handler, seen = scripted(httpx.Response(200, content=b"[" + b"0," * 100 + b"0]"))
    client, vt = make(handler)
    with pytest.raises(TMDBError, match=r"^TMDB answered /tv/1 with more than"):
        await vt.run(client.get_json("/tv/1", {}))
    assert len(seen) == 1


async def test_captive_portal_page_is_named_in_the_reason():
    page = httpx.Response(200, text="<html>Sign in</html>", headers={"Content-Type": "text/html; charset=utf-8"})
    handler, _ = scripted(page)
    client, vt = make(handler, max_retries=1)
    with pytest.raises(TMDBError) as info:
        await vt.run(client.get_json("/tv/1", {}))
    assert str(info.value) == ("TMDB request failed after 2 attempts: "
                               "the response was not valid JSON (text/html) on /tv/1")
