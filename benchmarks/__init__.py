"""Benchmarks: run each script directly (see its docstring); figures go to docs/benchmarks.md."""
