"""Benchmarks: not packaged, not imported by tests. `make bench` runs `benchmarks.run`."""
