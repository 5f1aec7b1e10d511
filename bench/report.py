"""Summaries of the runs, the targets, docs/performance.md and docs/performance.png."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bench.runner import APPS, WORKLOADS_BY_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOC = PROJECT_ROOT / "docs" / "performance.md"
FIGURE = PROJECT_ROOT / "docs" / "performance.png"
PROFILE_HEADING = "## Profile"
# Ours against each of these, per round: ours ÷ theirs (req/s, and CPU time per request).
OTHERS = ("lean", "baseline", "django")
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
    """Per workload and app: medians over rounds; ours ÷ each other app, the median of
    per-round ratios."""
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
        entry["ratios"], entry["ratio"], entry["cpu_ratios"], entry["cpu_ratio"] = {}, {}, {}, {}
        for other in OTHERS:
            pairs = _pairs(runs, name, other)
            if not pairs:
                continue
            ratios = [
                p["ours"]["requests_per_second"] / p[other]["requests_per_second"]
                for p in pairs
                if p[other]["requests_per_second"]
            ]
            # The same comparison from CPU time per request (theirs ÷ ours), which other
            # processes on a shared machine disturb less than throughput.
            cpu_ratios = [
                p[other]["cpu_ms_per_request"] / p["ours"]["cpu_ms_per_request"]
                for p in pairs
                if p["ours"]["cpu_ms_per_request"]
            ]
            entry["ratios"][other] = ratios
            entry["ratio"][other] = statistics.median(ratios) if ratios else None
            entry["cpu_ratios"][other] = cpu_ratios
            entry["cpu_ratio"][other] = statistics.median(cpu_ratios) if cpu_ratios else None
        summary[name] = entry
    return summary


def _pairs(runs: list[dict[str, Any]], workload: str, other: str) -> list[dict[str, Any]]:
    """Per round, ours' and the other app's runs of this workload."""
    pairs = []
    for round_ in sorted({r["round"] for r in runs}):
        pair = {r["app"]: r for r in runs if r["workload"] == workload and r["round"] == round_}
        if "ours" in pair and other in pair:
            pairs.append(pair)
    return pairs


def _ratio(entry: dict[str, Any], other: str, cpu: bool = False) -> float | None:
    value: float | None = entry.get("cpu_ratio" if cpu else "ratio", {}).get(other)
    return value


def targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met."""
    found: list[dict[str, Any]] = []

    def at_least(name: str, workload: str, other: str, minimum: float) -> None:
        entry = summary.get(workload)
        if not entry:
            return
        what = "x faster than Django per core" if other == "django" else f"ours ÷ {other}"
        for cpu, how in ((False, "req/s"), (True, "by CPU time per request")):
            value = _ratio(entry, other, cpu)
            if value is None:
                continue
            found.append(
                {
                    "target": f"{name}: {what}, {how}",
                    "goal": f"≥ {minimum}",
                    "value": f"{value:.2f}" if other == "django" else f"{value:.3f}",
                    "met": value >= minimum,
                }
            )

    at_least("list page, 20 todos (labels, due dates)", "list20", "lean", 0.6)
    at_least("Today page", "today", "lean", 0.6)
    at_least("htmx toggle", "toggle", "lean", 0.5)
    at_least("htmx add", "add", "lean", 0.6)
    at_least("list page, 1,000 todos (first page)", "list1000", "lean", 0.8)
    at_least("list page, 20 todos", "list20", "django", 5)
    at_least("htmx toggle", "toggle", "django", 5)
    for workload in ("list20", "list100", "list1000", "list10000", "today", "toggle", "add"):
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
                # Per-request counts are whole numbers but for the estimate of what was
                # in flight when wrk stopped (a few hundredths either way).
                "met": ours <= base + 2 + 0.05,
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
            "target": "errors (non-2xx/3xx, socket errors, timeouts), all apps, all runs",
            "goal": "0",
            "value": str(errors),
            "met": errors == 0,
        }
    )
    return found


# -- text ------------------------------------------------------------------------------------


def _ratio_cell(entry: dict[str, Any], app: str) -> tuple[str, str]:
    """Ours ÷ this app, req/s (each round's in brackets) and by CPU time per request."""
    ratio, cpu = _ratio(entry, app), _ratio(entry, app, cpu=True)
    by_rps = by_cpu = ""
    if ratio is not None:
        rounds = ", ".join(f"{r:.2f}" for r in entry["ratios"][app])
        by_rps = f"**{ratio:.2f}** ({rounds})"
    if cpu is not None:
        by_cpu = f"{cpu:.2f}"
    return by_rps, by_cpu


def results_table(summary: dict[str, Any]) -> str:
    header = (
        "| workload | app | req/s | p50 ms | p99 ms | p99/p50 | statements/req (w/o BEGIN/COMMIT)"
        " | CPU ms/req | RSS MiB (peak) | bytes/resp | errors | ours ÷ app, req/s"
        " | ours ÷ app, by CPU |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for entry in summary.values():
        for app in APPS:
            if app not in entry:
                continue
            m = entry[app]
            ratio, cpu_ratio = ("", "") if app == "ours" else _ratio_cell(entry, app)
            lines.append(
                f"| {entry['label']} | {app} | {m['requests_per_second']:,.0f} "
                f"| {m['latency_p50_ms']:.1f} | {m['latency_p99_ms']:.1f} "
                f"| {m['p99_over_p50']:.1f} | {m['statements_per_request']:.2f} "
                f"({m['statements_per_request_without_transaction_control']:.2f}) "
                f"| {m['cpu_ms_per_request']:.2f} | {m['rss_mib']:.0f} ({m['peak_rss_mib']:.0f}) "
                f"| {m['bytes_per_request']:,.0f} | {m['errors']} | {ratio} | {cpu_ratio} |"
            )
    return header + "\n".join(lines) + "\n"


def ratios_table(summary: dict[str, Any]) -> str:
    """The comparisons at a glance: ours ÷ lean (the whole product), ours ÷ baseline (the
    data layer), ours ÷ Django (x per core); req/s, then by CPU time per request."""
    lines = [
        "| workload | ours ÷ lean (whole product) | ours ÷ baseline (data layer)"
        " | ours ÷ Django (x per core) |",
        "|---|---:|---:|---:|",
    ]
    for entry in summary.values():
        cells = []
        for other in OTHERS:
            ratio, cpu = _ratio(entry, other), _ratio(entry, other, cpu=True)
            if ratio is None or cpu is None:
                cells.append("-")
            else:
                cells.append(f"{ratio:.2f} / {cpu:.2f}")
        lines.append(f"| {entry['label']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def targets_table(summary: dict[str, Any]) -> str:
    rows = [
        f"| {t['target']} | {t['goal']} | {t['value']} | {'met' if t['met'] else '**not met**'} |"
        for t in targets(summary)
    ]
    return "| target | goal | measured | |\n|---|---|---:|---|\n" + "\n".join(rows) + "\n"


def summary_table(results: dict[str, Any]) -> str:
    summary = results["summary"]
    return (
        results_table(summary)
        + "\nreq/s ratio / CPU ratio:\n\n"
        + ratios_table(summary)
        + "\n"
        + targets_table(summary)
    )


def _statement_notes(results: dict[str, Any]) -> str:
    """Which statements each app sent per request, from the first round's runs."""
    lines = []
    for workload in ("list20", "today", "toggle"):
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
        f"apps: {', '.join(options.get('apps', ['ours', 'baseline']))}; "
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
    # Results from before the lean page and Django: keys without the app, bytes only.
    compared = eq.get("compared") or {f"baseline: {n}": "bytes" for n in eq["identical"]}
    parts = []
    for key, how in compared.items():
        same = eq["identical"].get(key, eq["identical"].get(key.split(": ", 1)[1]))
        app, name = key.split(": ", 1)
        sizes = eq["sizes"][name]
        verdict = ("identical" if how == "bytes" else "same content") if same else "**different**"
        parts.append(
            f"{key} ({sizes['ours']:,} bytes ours, {sizes.get(app, 0):,} {app}): {verdict}"
        )
    return (
        "Responses compared with ours before timing (the baseline byte for byte; the lean "
        "page and Django by what they show: rows, titles, done states, counter, Show more, "
        "csrf-token meta): " + "; ".join(parts) + ".\n"
    )


def _mode_section(title: str, results: dict[str, Any] | None, command: str) -> str:
    if results is None:
        return f"## {title}\n\nNo results yet: run `{command}`.\n"
    # Recomputed from the runs, so that older results files read the same way.
    summary = summarise(results["runs"], tuple(results["summary"]))
    return (
        f"## {title}\n\n"
        f"{_meta_block(results)}\n"
        "Ours ÷ each other app, medians of per-round ratios, req/s / by CPU time per "
        "request (above 1: ours is faster):\n\n"
        f"{ratios_table(summary)}\n"
        f"### Targets\n\n{targets_table(summary)}\n"
        f"### All figures\n\n{results_table(summary)}\n"
        f"Statements per request by kind (pg_stat_statements, first round):\n\n"
        f"{_statement_notes(results)}\n\n"
        f"{_equivalence_block(results)}"
    )


METHOD = """\
## How it is measured

`make bench`, or `uv run --locked --group bench python -m bench` (add `--pgbouncer` for
the PgBouncer run, `--quick` for a short smoke run, `--apps ours,lean` for a subset of the
apps, `--report` to regenerate this page from the saved results in `bench/results/`,
`--profile` for the profile below). The harness is in `bench/`:

- **Database**: a throwaway PostgreSQL cluster (`initdb`, `pg_ctl`, as the `postgres`
  user, on a free loopback port, in a temporary directory that is removed at the end),
  with `pg_stat_statements` preloaded, fsync on, autovacuum off (the harness runs
  `VACUUM ANALYZE` between timed runs instead, so a background vacuum can't land in one
  app's run and not another's). The schema comes from our migrations (`webapp migrate`).
- **Data**: users with 20, 100, 1,000 and 10,000 todos in their Inbox (the list `/`
  shows), one with 100 for the toggle, one with 20 for adding, one for logging in;
  each user also has four lists of their own with 3 to 12 todos (one with nothing left
  to do), so the Lists navigation shows the Inbox, Today, Upcoming and four lists with
  their counts. A third of the Inbox's todos have a due date (overdue by days or a
  week, today, tomorrow, in the coming weeks; some of them done) and a third have one
  to three labels (some both), so rows show due dates in words and label links, and
  the Today page (the 100-todo user's) shows overdue and today's todos under their
  headings. Titles, list and label names carry `<>&'"` and non-ASCII text, every
  fifth Inbox todo a description. Each
  user has a login session whose token the load scripts send as the `session` cookie
  (Django gets its own logged-in sessions for the same users from
  `bench/django_app/launch.py`). Writes are undone after each run (added todos and new
  login sessions deleted, toggled rows put back).
- **Apps**, each pinned to core 0:
  - **ours**: `webapp serve --no-access-log` (one uvicorn worker, uvloop, httptools;
    `DB_PGBOUNCER=true` behind PgBouncer).
  - **baseline** (`bench/baseline.py`): our templates on raw asyncpg — Starlette routing
    with our app's route table and `path_for`, the very same templates and context (and
    our due-date words), the SQL our queries compile to, no ORM, unit of work or
    middleware. Same uvicorn settings and pool. It shows what our
    data layer and request flow cost: its pages are ours byte for byte.
  - **lean** (`bench/lean.py`): the best hand-written version of the same page —
    Starlette with four plain routes and no middleware, the same raw-asyncpg work as the
    baseline (imported from it: session lookup and touch, Host and CSRF checks, headers,
    queries, validation), and one compact Jinja2 template per response (autoescaping on,
    a plain loop over the rows, URLs written out, the static files' hashed names worked
    out at start-up). It has every part our page has (TodoMVC structure, the no-JS
    forms, the CSRF fields, due dates in words and label links on the rows, the counter
    and footer with the four orders, the Lists navigation with the Inbox, Today,
    Upcoming and every list with its count and the add-list form, the search form, the
    keyboard shortcuts' dialog, the `data-hx-*` attributes; the Today page with its
    groups) but not our markup byte for byte. It shows what the whole
    product costs.
  - **django** (`bench/django_app/`): Django 6 with the same markup, gunicorn with one
    sync worker, in its own virtual environment built from PyPI (`make bench` builds it
    on first use). It runs the list page at 20 and 1,000 todos, the toggle and add (not the Today
    page); labels come with `prefetch_related` (a statement of their own), due dates
    in words from a template tag.
    Not run through PgBouncer unless `--apps` asks for it.
- **Same answers first**: before timing, the harness compares every app with ours —
  the baseline byte for byte (every list page, Today, four toggle steps, add), the lean
  page and Django by what both must show: per list page the rows' ids and titles in
  order (HTML entities unescaped), their done states, due dates in words and labels
  (checked against the seeded data too), the counter, whether there is a "Show more"
  link, the csrf-token meta, the search form, and the Lists navigation (the Inbox,
  Today, Upcoming and every list, names and counts in order, the current one, the
  add-list form); for Today the same of its rows (with their list) and its headings;
  for the toggle (of a todo without and one with a due date) and add the returned row,
  the counter and the navigation counts they update (Today's and Upcoming's for the
  due one). A difference fails the run (unless
  `--allow-html-mismatch`).
- **Load**: wrk with keep-alive, one thread, 32 connections (`bench/*.lua`: each app's
  Cookie header and CSRF header, random todo ids for the toggle, a fresh title per add),
  pinned with PostgreSQL, PgBouncer and the harness to core 1. Every round runs each
  workload on every app that has it (which one goes first rotates), each run being a
  warm-up and then the timed run; ratios are taken per round and the tables show the
  median of those ratios (each round's in brackets) next to the medians of the other
  figures. Ours and the baseline run every workload; the lean page all but login;
  Django four. The full run (3 rounds, 3 s warm-up + 10 s timed, 30 s for login) takes
  over 20 minutes (`--quick`: 2 rounds of 1 s + 3 s, about 7).
- **Per run**: requests/s, p50 / p99 latency (wrk `--latency`), errors (non-2xx/3xx
  answers, socket errors and timeouts; must be 0), SQL statements per request from
  `pg_stat_statements` (reset before the timed run, summed after, divided by the
  requests the server handled), the server's CPU per request (utime + stime of the
  server process and its descendants — gunicorn's worker is a child of its master —
  from `/proc/<pid>/stat`, all threads, sampled before and after) and its RSS after the
  run (summed over the processes; peak in brackets).
- **Statement counts**: `pg_stat_statements` counts `BEGIN`, `COMMIT` and `ROLLBACK`
  too (they are utility statements and `pg_stat_statements.track_utility` is on, the
  default), so the main figure includes them; the figure in brackets leaves them out.
  Our tests' budget (3 per list page and Today: session, lists, rows; 2 per toggle, 3
  for a todo with a due date, whose Today and Upcoming counts are read again: the
  toggle workload's todos are a third due, so about 2.33) counts only
  what goes through the cursor, i.e. the figure in brackets.
- **Login** is reported separately (ours and the baseline): it measures argon2id
  (pwdlib's defaults: 64 MiB, 3 iterations, 4 lanes) on one core far more than anything
  else. At 32 concurrent logins the answers come in waves seconds apart, hence its 30 s
  runs.
- **Ratios**: ours ÷ the other app, so above 1 means ours is faster: by req/s, and by
  CPU time per request (their CPU ms per request ÷ ours, per round, median). With the
  app's core to itself and the app CPU-bound, the two measure the same; on a shared
  machine the CPU figure is the steadier. Against Django, the CPU ratio is "times
  faster per core".
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
        "flow, our templates) against two baselines on the same stack and against Django:\n\n"
        "- **lean** (`bench/lean.py`): the best hand-written version of the same page —\n"
        "  Starlette, raw asyncpg and one compact Jinja2 template per response, with every\n"
        "  control our page has. Ours ÷ lean is what the whole product costs.\n"
        "- **baseline** (`bench/baseline.py`): our own templates on raw asyncpg, no ORM or\n"
        "  middleware, byte-for-byte our pages. Ours ÷ baseline is what the data layer and\n"
        "  request flow cost.\n"
        "- **django** (`bench/django_app/`): Django 6 under gunicorn with the same markup;\n"
        "  ours ÷ Django by CPU time per request is how many times faster per core we are.\n\n"
        "This page is regenerated by `make bench` (`python -m bench`); only the Profile\n"
        "section at the end is written by hand (the generator keeps it).\n\n"
        "![requests/s and CPU per request per workload: ours, lean, baseline, Django]"
        "(performance.png)\n\n"
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


PLOT_APPS = {
    "ours": "tab:blue",
    "lean": "tab:green",
    "baseline": "tab:gray",
    "django": "tab:orange",
}


def plot(all_results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib  # only the docs need it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    rows = max(len(all_results), 1)
    fig, axes = plt.subplots(rows, 2, figsize=(15, 4.8 * rows), squeeze=False)
    for (ax_rps, ax_cpu), results in zip(axes, all_results, strict=False):
        mode = "PgBouncer" if results["meta"]["mode"] == "pgbouncer" else "direct PostgreSQL"
        summary = summarise(results["runs"], tuple(results["summary"]))
        workloads = [name for name in summary if name != "login"]
        apps = [a for a in PLOT_APPS if any(a in summary[w] for w in workloads)]
        width = 0.8 / max(len(apps), 1)
        for i, app in enumerate(apps):
            xs = [j + (i - (len(apps) - 1) / 2) * width for j, w in enumerate(workloads)]
            have = [
                (x, summary[w][app])
                for x, w in zip(xs, workloads, strict=True)
                if app in summary[w]
            ]
            for ax, metric, fmt in (
                (ax_rps, "requests_per_second", "{:,.0f}"),
                (ax_cpu, "cpu_ms_per_request", "{:.2f}"),
            ):
                values = [m[metric] for _, m in have]
                bars = ax.bar([x for x, _ in have], values, width, color=PLOT_APPS[app], label=app)
                ax.bar_label(
                    bars, [fmt.format(v) for v in values], fontsize=6, rotation=90, padding=2
                )
        labels = [
            WORKLOADS_BY_NAME[w].label.replace(" (", "\n(").replace(", ", ",\n") for w in workloads
        ]
        for ax, ylabel, title in (
            (ax_rps, "requests/s (log)", f"Throughput, one worker on one core ({mode})"),
            (ax_cpu, "server CPU ms per request (log)", f"CPU per request ({mode})"),
        ):
            ax.set_xticks(range(len(workloads)), labels, fontsize=8)
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.tick_params(axis="y", which="minor", labelsize=7)
            ax.set_ylabel(ylabel)
            ax.set_title(title)
            ax.grid(True, axis="y", alpha=0.3)
            ax.margins(y=0.15)
        ax_rps.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
