# The two commands the README promises, plus the pieces they are made of.
.PHONY: install run test lint bench

# npm runs no install scripts: vnu-jar's would download a Java runtime (the system's
# Java runs the HTML checker; .ci/run installs it where it is missing).
install:
	@command -v uv >/dev/null || python3 -m pip install --quiet uv
	npm ci --no-audit --no-fund --ignore-scripts
	uv sync --locked

# Serve on http://127.0.0.1:8000 (SQLite file ./todo.sqlite3 unless DATABASE_URL is set).
run: install
	uv run --locked webapp serve

# Linters, type checks, then the whole suite on SQLite and PostgreSQL.
test: install lint
	uv run --locked pytest

lint:
	uv run --locked ruff check .
	uv run --locked ruff format --check .
	uv run --locked mypy

# The benchmark: ours against the lean hand-written page and our templates on raw
# asyncpg (bench/lean.py, bench/baseline.py) and against Django (bench/django_app/, its
# own virtual environment from PyPI, built by uv on first use); rewrites
# docs/performance.md and docs/performance.png (about 21 minutes; needs PostgreSQL's
# server programs, wrk, taskset and an installed Python 3.12 or 3.13 for Django).
bench: install
	uv run --locked --group bench python -m bench
