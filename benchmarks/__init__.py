"""Benchmark scripts: a regular package, so that a third-party top-level `benchmarks`
package in the venv cannot shadow this folder."""
