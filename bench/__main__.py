"""`python -m bench`: run the benchmark, write the results and regenerate the docs.

    uv run --locked --group bench python -m bench              # direct PostgreSQL
    uv run --locked --group bench python -m bench --pgbouncer  # through PgBouncer
    uv run --locked --group bench python -m bench --quick      # a short smoke run
    uv run --locked --group bench python -m bench --apps ours,lean  # a subset of the apps
    uv run --locked --group bench python -m bench --report     # docs from saved results
    uv run --locked --group bench python -m bench --profile    # py-spy on our app

The apps: ours; the baseline (our templates on raw asyncpg, bench/baseline.py); the lean
hand-written page on raw asyncpg (bench/lean.py); Django with the same markup
(bench/django_app/, in its own virtual environment, built from PyPI on first use).

Needs Linux with two cores or more, PostgreSQL's server binaries (BENCH_PG_BIN, default
/usr/lib/postgresql/15/bin), wrk and taskset, uv for Django's environment, and
pgbouncer for --pgbouncer. As root, PostgreSQL and PgBouncer run as the `postgres` user.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bench import check, environment, report, runner, seed, setup
from bench.runner import APP_WORKLOADS, APPS, WORKLOADS, WORKLOADS_BY_NAME, Options

if TYPE_CHECKING:
    from pathlib import Path
    from types import FrameType

RESULTS_DIR = runner.BENCH_DIR / "results"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="2 rounds of 1 s warm-up + 3 s")
    parser.add_argument("--rounds", type=int, help="rounds of every app (default 3)")
    parser.add_argument("--warmup", type=int, help="warm-up seconds per run (default 3)")
    parser.add_argument("--duration", type=int, help="timed seconds per run (default 10)")
    parser.add_argument("--login-duration", type=int, help="timed seconds for login runs")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c (default 32)")
    parser.add_argument("--pool-size", type=int, default=10, help="DB pool size of the apps")
    parser.add_argument("--app-cpu", type=int, default=0, help="core for the apps")
    parser.add_argument("--load-cpu", type=int, default=1, help="core for wrk and databases")
    parser.add_argument("--pgbouncer", action="store_true", help="the apps via PgBouncer")
    parser.add_argument(
        "--apps",
        help="comma-separated subset of: "
        + ", ".join(APPS)
        + " (default: all; without django with --pgbouncer); ours always runs",
    )
    parser.add_argument(
        "--workloads",
        default=",".join(w.name for w in WORKLOADS),
        help="comma-separated subset of: " + ", ".join(w.name for w in WORKLOADS),
    )
    parser.add_argument(
        "--allow-html-mismatch",
        action="store_true",
        help="run even if another app's responses differ from ours",
    )
    parser.add_argument("--report", action="store_true", help="only regenerate the docs")
    parser.add_argument(
        "--profile", action="store_true", help="profile our app (py-spy) instead of timing"
    )
    parser.add_argument("--no-docs", action="store_true", help="don't regenerate the docs")
    args = parser.parse_args(argv)
    quick = args.quick
    args.rounds = args.rounds or (2 if quick else 3)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.duration = args.duration or (3 if quick else 10)
    # With 32 logins in flight at once on one core, answers come in waves seconds
    # apart: a timed run needs several waves.
    args.login_duration = args.login_duration or (10 if quick else 30)
    if args.apps is None:
        args.apps = ",".join(a for a in APPS if not (args.pgbouncer and a == "django"))
    return args


def _raise_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    # Turn `kill` into an exception so every `finally` runs: servers stop, the cluster goes.
    raise SystemExit(143)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.report:
        report.write_docs(RESULTS_DIR)
        return 0
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    workloads = tuple(name.strip() for name in args.workloads.split(",") if name.strip())
    unknown = [w for w in workloads if w not in WORKLOADS_BY_NAME]
    if unknown:
        print(f"unknown workloads: {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = {name.strip() for name in args.apps.split(",") if name.strip()} | {"ours"}
    unknown = sorted(chosen - set(APPS))
    if unknown:
        print(f"unknown apps: {', '.join(unknown)}", file=sys.stderr)
        return 2
    apps = tuple(a for a in APPS if a in chosen)
    options = Options(
        rounds=args.rounds,
        warmup=args.warmup,
        duration=args.duration,
        login_duration=args.login_duration,
        connections=args.connections,
        app_cpu=args.app_cpu,
        load_cpu=args.load_cpu,
        pool_size=args.pool_size,
        pgbouncer=args.pgbouncer,
        workloads=workloads,
        allow_html_mismatch=args.allow_html_mismatch,
        apps=apps,
    )
    # The driver itself (and so every database bookkeeping query) stays off the app core.
    os.sched_setaffinity(0, {options.load_cpu})
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    mode = "pgbouncer" if options.pgbouncer else "direct"
    log_dir = RESULTS_DIR / f"{stamp}-{mode}-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    if args.profile:
        from bench import profile  # only this mode needs py-spy

        return profile.run(options, log_dir, RESULTS_DIR, stamp)
    started = time.monotonic()
    results = run(options, log_dir)
    results["meta"]["wall_seconds"] = round(time.monotonic() - started, 1)
    results["meta"]["quick"] = args.quick
    path = RESULTS_DIR / f"{stamp}-{mode}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults: {path.relative_to(runner.PROJECT_ROOT)}")
    print(report.summary_table(results))
    if not args.no_docs:
        report.write_docs(RESULTS_DIR)
        print("docs: docs/performance.md, docs/performance.png")
    if not check_equivalence_ok(results, args.allow_html_mismatch):
        return 1
    return 0


def check_equivalence_ok(results: dict[str, Any], allowed: bool) -> bool:
    identical = results["equivalence"]["identical"]
    return allowed or all(identical.values())


def run(options: Options, log_dir: Path) -> dict[str, Any]:
    # The code the servers run is the code at their start: record that, not the end's.
    git_at_start = environment.git_state()
    with setup.stage(options, log_dir, options.apps) as stage:
        users, admin_url, db_url = stage.users, stage.admin_url, stage.db_url
        servers = list(stage.servers.values())
        print("checking that the apps answer alike ...", flush=True)
        equivalence = check.check(stage.servers, users, db_url)
        for name, same in equivalence.identical.items():
            how = equivalence.compared[name]
            verdict = ("identical" if how == "bytes" else "same content") if same else "DIFFERENT"
            print(f"  {name}: {verdict}")
            if not same:
                print(equivalence.differences[name])
        if not all(equivalence.identical.values()) and not options.allow_html_mismatch:
            raise check.CheckFailed("another app's responses differ from ours (see above)")
        runs = []
        wrk_log = log_dir / "wrk.log"
        for round_ in range(options.rounds):
            for index, name in enumerate(options.workloads):
                workload = WORKLOADS_BY_NAME[name]
                those = [s for s in servers if s.runs(name)]
                if not those:
                    continue
                # Rotate which app goes first, so none always runs on a warmer database
                # or right after the same other app's load.
                turn = (round_ + index) % len(those)
                for server in those[turn:] + those[:turn]:
                    load_env = runner.load_env(workload, users, server, log_dir)
                    result = runner.measure(
                        options,
                        server,
                        workload,
                        round_,
                        load_env,
                        admin_url,
                        db_url,
                        users,
                        wrk_log,
                    )
                    runs.append(runner.run_as_dict(result))
                    print(
                        f"round {round_ + 1}/{options.rounds} {name:>9} {server.name:>8}: "
                        f"{result.requests_per_second:8.1f} req/s  "
                        f"p50 {result.latency_p50_ms:7.2f} ms  p99 {result.latency_p99_ms:7.2f} ms"
                        f"  {result.statements_per_request:5.2f} stmt/req  "
                        f"{result.cpu_ms_per_request:6.3f} CPU ms/req  errors {result.errors}",
                        flush=True,
                    )
        leftovers = None
        if stage.bouncer is not None:
            leftovers = asyncio.run(
                seed.prepared_statements_per_server_connection(
                    stage.bouncer.url(), options.pool_size
                )
            )
            print(f"prepared statements left on PgBouncer's server connections: {leftovers}")
    return {
        "meta": {
            "prepared_statements_left_on_server_connections": leftovers,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "mode": "pgbouncer" if options.pgbouncer else "direct",
            "options": options.__dict__
            | {"workloads": list(options.workloads), "apps": list(options.apps)},
            "app_workloads": {a: list(APP_WORKLOADS[a]) for a in options.apps},
            "machine": environment.machine(),
            "versions": stage.versions,
            "git": git_at_start,
        },
        "equivalence": equivalence.__dict__,
        "runs": runs,
        "summary": report.summarise(runs, options.workloads),
    }


if __name__ == "__main__":
    sys.exit(main())
