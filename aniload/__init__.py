"""aniload: batch TMDB metadata and artwork for anime libraries on disk."""

__version__ = "0.1.0"
