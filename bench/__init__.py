"""Benchmarks of dieuhanh at province and national scale (issue 3); see bench/README.md.

``python -m bench run`` generates the data sets, drives the product the way an
operator does (``dieuhanh load-metadata``, ``dieuhanh import``, ``dieuhanh rollups
rebuild``, the analytics selectors, the HTTP API under gunicorn), measures each step
in its own process, checks the answers against a hand-written DuckDB reference and
writes docs/performance.md.
"""
