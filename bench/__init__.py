"""Performance benchmark: our app against a minimal baseline on the same stack.

`uv run --locked --group bench python -m bench --help` lists the options; docs/performance.md
describes the method and holds the latest results.
"""
