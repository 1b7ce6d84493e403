"""Benchmarks: each ``bench_*.py`` module measures against a baseline in the same run."""
