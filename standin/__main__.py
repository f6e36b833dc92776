"""Run the TMDB stand-in in the foreground: ``python -m standin [--port N] ...``."""

from __future__ import annotations

import argparse
import sys

from .catalog import Catalog
from .server import Standin


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m standin", description="Run the TMDB v3 stand-in on 127.0.0.1.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    p.add_argument("--rate-limit", type=float, default=None, metavar="RPS",
                   help="API requests per second before 429 (default: unlimited)")
    p.add_argument("--latency", type=float, default=0.0, metavar="S", help="seconds added to every API response")
    p.add_argument("--image-latency", type=float, default=0.0, metavar="S", help="seconds added to every image")
    p.add_argument("--synthetic", type=int, default=0, metavar="N", help="add N made-up series")
    p.add_argument("--api-key", default="standin-api-key")
    p.add_argument("--read-access-token", default="standin-read-token")
    args = p.parse_args(argv)

    catalog = Catalog.default()
    if args.synthetic:
        catalog = catalog.merged(Catalog.synthetic(args.synthetic))
    tmdb = Standin(catalog, api_key=args.api_key, read_access_token=args.read_access_token,
                   rate_limit=args.rate_limit, latency=args.latency, image_latency=args.image_latency,
                   host=args.host, port=args.port)
    tmdb.start()
    print(f"standin: api_base={tmdb.api_base} image_base={tmdb.image_base} "
          f"api_key={tmdb.api_key} read_access_token={tmdb.read_access_token} "
          f"series={len(catalog)} (Ctrl-C to stop)", flush=True)
    tmdb.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
