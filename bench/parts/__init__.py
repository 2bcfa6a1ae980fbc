"""The parts of `make bench`, one module each; bench/run.py registers them in one table."""
