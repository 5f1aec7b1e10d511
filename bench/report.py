"""Summaries of the runs, the targets, docs/performance.md and docs/performance.png."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bench.runner import WORKLOADS_BY_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOC = PROJECT_ROOT / "docs" / "performance.md"
FIGURE = PROJECT_ROOT / "docs" / "performance.png"
PROFILE_HEADING = "## Profile"
APPS = ("ours", "baseline")
METRICS = (
    "requests_per_second",
    "latency_p50_ms",
    "latency_p99_ms",
    "statements_per_request",
    "statements_per_request_without_transaction_control",
    "cpu_ms_per_request",
    "cpu_utilisation",
    "rss_mib",
    "peak_rss_mib",
    "bytes_per_request",
    "foreign_cpu_on_app_core",
    "load_average",
)


def summarise(runs: list[dict[str, Any]], workloads: tuple[str, ...]) -> dict[str, Any]:
    """Per workload and app: medians over rounds; the median of per-round ratios."""
    summary: dict[str, Any] = {}
    for name in workloads:
        entry: dict[str, Any] = {"label": WORKLOADS_BY_NAME[name].label}
        for app in APPS:
            mine = [r for r in runs if r["workload"] == name and r["app"] == app]
            if not mine:
                continue
            entry[app] = {m: statistics.median(r[m] for r in mine) for m in METRICS}
            entry[app]["errors"] = sum(r["errors"] for r in mine)
            entry[app]["requests"] = sum(r["requests"] for r in mine)
            spreads = [
                r["latency_p99_ms"] / r["latency_p50_ms"] for r in mine if r["latency_p50_ms"]
            ]
            entry[app]["p99_over_p50"] = statistics.median(spreads) if spreads else float("nan")
        ratios = [
            pair["ours"]["requests_per_second"] / pair["baseline"]["requests_per_second"]
            for pair in _pairs(runs, name)
            if pair["baseline"]["requests_per_second"]
        ]
        entry["ratios"] = ratios
        entry["ratio"] = statistics.median(ratios) if ratios else None
        # The same comparison from CPU time per request, which other processes on a
        # shared machine disturb less than throughput.
        cpu_ratios = [
            pair["baseline"]["cpu_ms_per_request"] / pair["ours"]["cpu_ms_per_request"]
            for pair in _pairs(runs, name)
            if pair["ours"]["cpu_ms_per_request"]
        ]
        entry["cpu_ratio"] = statistics.median(cpu_ratios) if cpu_ratios else None
        summary[name] = entry
    return summary


def _pairs(runs: list[dict[str, Any]], workload: str) -> list[dict[str, dict[str, Any]]]:
    """Per round, the two apps' runs of this workload."""
    pairs = []
    for round_ in sorted({r["round"] for r in runs}):
        pair = {r["app"]: r for r in runs if r["workload"] == workload and r["round"] == round_}
        if set(pair) >= set(APPS):
            pairs.append(pair)
    return pairs


def targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met."""
    found: list[dict[str, Any]] = []

    def ratio(name: str, workload: str, minimum: float) -> None:
        if workload in summary and summary[workload]["ratio"] is not None:
            value = summary[workload]["ratio"]
            found.append(
                {
                    "target": f"{name}: ours / baseline, req/s",
                    "goal": f"≥ {minimum}",
                    "value": f"{value:.3f}",
                    "met": value >= minimum,
                }
            )
            cpu = summary[workload].get("cpu_ratio")
            if cpu is not None:
                found.append(
                    {
                        "target": f"{name}: ours / baseline, by CPU time per request",
                        "goal": f"≥ {minimum}",
                        "value": f"{cpu:.3f}",
                        "met": cpu >= minimum,
                    }
                )

    ratio("list page, 20 todos", "list20", 0.6)
    ratio("list page, 1,000 todos (first page)", "list1000", 0.8)
    ratio("htmx toggle", "toggle", 0.6)
    for workload in ("list20", "list100", "list1000", "list10000", "toggle"):
        entry = summary.get(workload)
        if not entry or "ours" not in entry or "baseline" not in entry:
            continue
        ours = entry["ours"]["statements_per_request"]
        base = entry["baseline"]["statements_per_request"]
        found.append(
            {
                "target": f"{entry['label']}: statements / request, ours ≤ baseline + 2",
                "goal": f"≤ {base + 2:.2f}",
                "value": f"{ours:.2f}",
                "met": ours <= base + 2 + 0.005,
            }
        )
    for workload, entry in summary.items():
        if workload == "login" or "ours" not in entry:
            continue
        value = entry["ours"]["p99_over_p50"]
        found.append(
            {
                "target": f"{entry['label']}: our p99 / p50 at concurrency 32",
                "goal": "≤ 4",
                "value": f"{value:.2f}",
                "met": value <= 4,
            }
        )
    errors = sum(entry[app]["errors"] for entry in summary.values() for app in APPS if app in entry)
    found.append(
        {
            "target": "errors (non-2xx/3xx, socket errors, timeouts), all runs",
            "goal": "0",
            "value": str(errors),
            "met": errors == 0,
        }
    )
    return found


# -- text ------------------------------------------------------------------------------------


def results_table(summary: dict[str, Any]) -> str:
    header = (
        "| workload | app | req/s | p50 ms | p99 ms | p99/p50 | statements/req (w/o BEGIN/COMMIT)"
        " | CPU ms/req | RSS MiB (peak) | bytes/resp | errors | ours/baseline req/s"
        " | ours/baseline by CPU |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for entry in summary.values():
        for app in APPS:
            if app not in entry:
                continue
            m = entry[app]
            ratio = cpu_ratio = ""
            if app == "ours" and entry["ratio"] is not None:
                rounds = ", ".join(f"{r:.2f}" for r in entry["ratios"])
                ratio = f"**{entry['ratio']:.2f}** ({rounds})"
            if app == "ours" and entry.get("cpu_ratio") is not None:
                cpu_ratio = f"{entry['cpu_ratio']:.2f}"
            lines.append(
                f"| {entry['label']} | {app} | {m['requests_per_second']:,.0f} "
                f"| {m['latency_p50_ms']:.1f} | {m['latency_p99_ms']:.1f} "
                f"| {m['p99_over_p50']:.1f} | {m['statements_per_request']:.2f} "
                f"({m['statements_per_request_without_transaction_control']:.2f}) "
                f"| {m['cpu_ms_per_request']:.2f} | {m['rss_mib']:.0f} ({m['peak_rss_mib']:.0f}) "
                f"| {m['bytes_per_request']:,.0f} | {m['errors']} | {ratio} | {cpu_ratio} |"
            )
    return header + "\n".join(lines) + "\n"


def targets_table(summary: dict[str, Any]) -> str:
    rows = [
        f"| {t['target']} | {t['goal']} | {t['value']} | {'met' if t['met'] else '**not met**'} |"
        for t in targets(summary)
    ]
    return "| target | goal | measured | |\n|---|---|---:|---|\n" + "\n".join(rows) + "\n"


def summary_table(results: dict[str, Any]) -> str:
    return results_table(results["summary"]) + "\n" + targets_table(results["summary"])


def _statement_notes(results: dict[str, Any]) -> str:
    """Which statements each app sent per request, from the first round's runs."""
    lines = []
    for workload in ("list20", "toggle"):
        for app in APPS:
            run = next(
                (r for r in results["runs"] if r["workload"] == workload and r["app"] == app),
                None,
            )
            if run is None:
                continue
            kinds = ", ".join(
                f"{kind} {n / max(run['server_requests'], 1):.2f}"
                for kind, n in sorted(run["statements_by_kind"].items(), key=lambda kv: -kv[1])
            )
            lines.append(f"- {WORKLOADS_BY_NAME[workload].label}, {app}: {kinds}")
    return "\n".join(lines)


def _latest(results_dir: Path, mode: str) -> dict[str, Any] | None:
    """The newest full run of this mode (a quick run only when there is no full one)."""
    candidates = sorted(results_dir.glob(f"*-{mode}.json"), reverse=True)
    loaded = [json.loads(p.read_text()) for p in candidates]
    full = [r for r in loaded if not r["meta"].get("quick")]
    chosen = full or loaded
    return chosen[0] if chosen else None


def _meta_block(results: dict[str, Any]) -> str:
    meta = results["meta"]
    options = meta["options"]
    machine = meta["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    changed = (
        " (with uncommitted changes to webapp/ or templates/)" if meta["git"]["app_changed"] else ""
    )
    return (
        f"Measured {meta['date']} at commit `{meta['git']['commit']}`{changed}"
        f"{' — a --quick run' if meta.get('quick') else ''}; "
        f"{options['rounds']} rounds, {options['warmup']} s warm-up + {options['duration']} s "
        f"timed per run ({options['login_duration']} s for login), wrk -t1 -c"
        f"{options['connections']}, pool size {options['pool_size']}; "
        f"whole run {meta.get('wall_seconds', '?')} s.\n\n"
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['os']}, Linux {machine['kernel']}.\n\n"
        f"Versions: {versions}.\n\n"
        f"{_noise(results)}"
        f"{_bouncer(results)}"
    )


def _bouncer(results: dict[str, Any]) -> str:
    meta = results["meta"]
    if meta["mode"] != "pgbouncer":
        return ""
    left = meta.get("prepared_statements_left_on_server_connections")
    names = meta["options"].get("statement_names")
    if names:
        # Runs from before our app had DB_PGBOUNCER went through a launcher of the harness.
        how = (
            "our app ran through a launcher that added the PgBouncer engine options, with "
            + ("uuid4-named" if names == "uuid" else "unnamed")
            + " prepared statements"
        )
    else:
        how = "our app ran as `webapp serve` with `DB_PGBOUNCER=true` (its own setting)"
    return (
        "\nPgBouncer: transaction pooling, `default_pool_size` = the apps' pool size, auth "
        f"trust; {how}. Prepared statements left behind on PgBouncer's server connections "
        f"after the run: {left}.\n"
    )


def _noise(results: dict[str, Any]) -> str:
    runs = results["runs"]
    if not runs or "foreign_cpu_on_app_core" not in runs[0]:
        return ""
    foreign = [r["foreign_cpu_on_app_core"] for r in runs]
    load = [r["load_average"] for r in runs]
    return (
        "Other processes on the machine used "
        f"{statistics.median(foreign):.0%} of the app's core during the median timed run "
        f"(worst run {max(foreign):.0%}); 1-minute load average {min(load):.1f} to "
        f"{max(load):.1f}. On a shared machine throughput is the noisier figure; CPU time "
        "per request (and the ratio computed from it) is disturbed much less.\n"
    )


def _equivalence_block(results: dict[str, Any]) -> str:
    eq = results["equivalence"]
    parts = []
    for name, same in eq["identical"].items():
        size = eq["sizes"][name]["ours"]
        parts.append(f"{name} ({size:,} bytes): {'identical' if same else '**different**'}")
    return "Response bodies compared before timing: " + "; ".join(parts) + ".\n"


def _mode_section(title: str, results: dict[str, Any] | None, command: str) -> str:
    if results is None:
        return f"## {title}\n\nNo results yet: run `{command}`.\n"
    summary = results["summary"]
    return (
        f"## {title}\n\n"
        f"{_meta_block(results)}\n"
        f"{results_table(summary)}\n"
        f"### Targets\n\n{targets_table(summary)}\n"
        f"Statements per request by kind (pg_stat_statements, first round):\n\n"
        f"{_statement_notes(results)}\n\n"
        f"{_equivalence_block(results)}"
    )


METHOD = """\
## How it is measured

`uv run --locked --group bench python -m bench` (add `--pgbouncer` for the PgBouncer
run, `--quick` for a short smoke run, `--report` to regenerate this page from the saved
results in `bench/results/`, `--profile` for the profile below). The harness is in `bench/`:

- **Database**: a throwaway PostgreSQL cluster (`initdb`, `pg_ctl`, as the `postgres`
  user, on a free loopback port, in a temporary directory that is removed at the end),
  with `pg_stat_statements` preloaded, fsync on, autovacuum off (the harness runs
  `VACUUM ANALYZE` between timed runs instead, so a background vacuum can't land in one
  app's run and not the other's). The schema comes from our migrations (`webapp migrate`).
- **Data**: users owning 20, 100, 1,000 and 10,000 todos, one with 100 todos for the
  toggle, one with 20 for adding, one for logging in; titles carry `<>&'"` and
  non-ASCII text, every fifth todo a description. Each user has a login session whose
  token the load scripts send as the `session` cookie. Writes are undone after each
  run (added todos and sessions deleted, toggled rows put back).
- **Apps**: ours runs as `webapp serve --no-access-log` (one uvicorn worker, uvloop,
  httptools; `DB_PGBOUNCER=true` behind PgBouncer); the baseline (`bench/baseline.py`:
  Starlette routing, raw asyncpg, Jinja2) runs under the same uvicorn settings with the
  same pool size, our app's route table (names, paths, order: the harness reads it from
  our app and hands it over) and the same `path_for`. It renders the very same
  templates with the same context: before timing, the harness checks that both return
  the same bytes for every list page, both toggle steps and add.
- **Load**: wrk with keep-alive, one thread, 32 connections (`bench/*.lua`: cookie, CSRF
  header, random todo ids for the toggle, a fresh title per add). The apps are pinned
  to core 0, wrk, PostgreSQL, PgBouncer and the harness to core 1. Every round runs each
  workload on both apps (which one goes first alternates), each run being a warm-up and
  then the timed run; the ratio ours / baseline is taken per round and the table shows
  the median of those ratios (each round's ratio in brackets) next to the medians of
  the other figures.
- **Per run**: requests/s, p50 / p99 latency (wrk `--latency`), errors (non-2xx/3xx
  answers, socket errors and timeouts; must be 0), SQL statements per request from
  `pg_stat_statements` (reset before the timed run, summed after, divided by wrk's
  request count), the server's CPU per request (utime + stime of the process from
  `/proc/<pid>/stat`, all threads, divided by requests) and its RSS after the run (peak
  in brackets).
- **Statement counts**: `pg_stat_statements` counts `BEGIN`, `COMMIT` and `ROLLBACK`
  too (they are utility statements and `pg_stat_statements.track_utility` is on, the
  default), so the main figure includes them; the figure in brackets leaves them out.
  (While our app had a pool pre-ping, its `BEGIN` and `ROLLBACK` were counted too; the
  empty statement `;` it sends in between is not, having no parse tree.) Our tests'
  budget (3 per list page and per toggle) counts only what goes through the cursor,
  i.e. the figure in brackets.
- **Login** is reported separately: it measures argon2id (pwdlib's defaults: 64 MiB,
  3 iterations, 4 lanes) on one core far more than anything else. At 32 concurrent
  logins the answers come in waves seconds apart, hence its 30 s runs. Where a run has
  errors (our app's 503s when the pool times out, see the profile), its CPU per
  request and its ratios are not comparable: a 503 costs no hashing.
- **Ratios by CPU time**: baseline CPU ms per request ÷ ours, per round, median. With
  the app's core to itself and the app CPU-bound (as both are here), this is what the
  requests/s ratio measures; on a shared machine it is the steadier of the two.
"""


def write_docs(results_dir: Path) -> None:
    direct = _latest(results_dir, "direct")
    bouncer = _latest(results_dir, "pgbouncer")
    preserved = ""
    if DOC.exists():
        text = DOC.read_text()
        if PROFILE_HEADING in text:
            preserved = text[text.index(PROFILE_HEADING) :]
    if not preserved:
        preserved = f"{PROFILE_HEADING}\n\nNot written yet: `python -m bench --profile`.\n"
    doc = (
        "# Performance\n\n"
        "Our app (idiomatic SQLAlchemy ORM, unit-of-work middleware, the layered request\n"
        "flow) against a deliberately minimal baseline doing the same work on the same\n"
        "stack (Starlette + raw asyncpg + Jinja2, `bench/baseline.py`), which is the practical\n"
        "upper bound for this stack. This page is regenerated by `python -m bench`; only the\n"
        "Profile section at the end is written by hand (the generator keeps it).\n\n"
        "![requests/s, p99 latency and CPU per request against list size](performance.png)\n\n"
        + _mode_section(
            "Results: direct PostgreSQL", direct, "uv run --locked --group bench python -m bench"
        )
        + "\n"
        + _mode_section(
            "Results: through PgBouncer (transaction pooling)",
            bouncer,
            "uv run --locked --group bench python -m bench --pgbouncer",
        )
        + "\n"
        + METHOD
        + "\n"
        + preserved.rstrip()
        + "\n"
    )
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(doc)
    plot([r for r in (direct, bouncer) if r is not None], FIGURE)


def plot(all_results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib  # only the docs need it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_rps, ax_p99, ax_cpu) = plt.subplots(1, 3, figsize=(15, 4.4))
    styles = {"ours": ("tab:blue", "o"), "baseline": ("tab:gray", "s")}
    for results in all_results:
        mode = results["meta"]["mode"]
        dash = "-" if mode == "direct" else "--"
        lists = [
            (WORKLOADS_BY_NAME[name].list_size, entry)
            for name, entry in results["summary"].items()
            if WORKLOADS_BY_NAME[name].list_size is not None
        ]
        lists.sort(key=lambda pair: pair[0] or 0)
        for app in ("ours", "baseline"):
            points = [(size, entry[app]) for size, entry in lists if app in entry]
            if not points:
                continue
            color, marker = styles[app]
            sizes = [p[0] for p in points]
            label = f"{app} ({'PgBouncer' if mode == 'pgbouncer' else 'direct'})"
            ax_rps.plot(
                sizes,
                [p[1]["requests_per_second"] for p in points],
                dash,
                color=color,
                marker=marker,
                label=label,
            )
            ax_p99.plot(
                sizes,
                [p[1]["latency_p99_ms"] for p in points],
                dash,
                color=color,
                marker=marker,
                label=label,
            )
            ax_cpu.plot(
                sizes,
                [p[1]["cpu_ms_per_request"] for p in points],
                dash,
                color=color,
                marker=marker,
                label=label,
            )
    axes = (
        (ax_rps, "requests/s"),
        (ax_p99, "p99 latency (ms)"),
        (ax_cpu, "server CPU ms per request"),
    )
    for ax, ylabel in axes:
        ax.set_xscale("log")
        ax.set_xlabel("todos in the list (the page shows the first 50)")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    ax_rps.set_title("List page throughput, one uvicorn worker")
    ax_p99.set_title("List page p99 latency at 32 connections")
    ax_cpu.set_title("List page CPU per request (steadier when shared)")
    ax_rps.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
