"""Benchmarks: a synthetic corpus generator (`bench.generate`) and a figure scorer (`bench.score`)."""
