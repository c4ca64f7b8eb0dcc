"""Benchmarks: a scaled data generator (``bench.generate``) and the runner (``bench.run``)."""
