"""A TMDB v3 stand-in for tests, demos and benchmarks: a real HTTP server on 127.0.0.1.

    from standin import Standin, Fault, Catalog

    with Standin(rate_limit=40, latency=0.02) as tmdb:
        ...  # point the client at tmdb.api_base / tmdb.image_base
        tmdb.add_fault(Fault("status", "/search/tv", status=503))

Standard library only at run time. Not part of the ``aniload`` package.
"""

from .catalog import Catalog, ImageInfo, normalise_title
from .server import FAULT_KINDS, Fault, RecordedRequest, Standin

__all__ = ["Standin", "Fault", "RecordedRequest", "Catalog", "ImageInfo", "FAULT_KINDS", "normalise_title"]
