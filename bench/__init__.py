"""Benchmarks and load tests, run by hand at real sizes and by `make bench-smoke` at tiny ones."""
