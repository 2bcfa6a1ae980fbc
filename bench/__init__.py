"""Benchmarks of the lab on the real compose stack: `make bench` (not part of the test run)."""
