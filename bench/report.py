"""Turns the JSON lines the face benchmarks print into bench/results/results.md (markdown
tables, the targets, the machine) and bench/results/chart.png, and prints the tables.

    python bench/report.py --describe-machine > raw/machine.jsonl  # before a run
    python bench/report.py RESULTS_DIR                             # after: reads RESULTS_DIR/raw/*.jsonl

Each input line is one JSON object with a "kind": "machine", "throughput" (one contender
in one transport x mode: calls_per_s, p50_us, p99_us, cpu_us_per_call, role face | peer),
"wrk_slice" (one wrk run, aggregated here into the server's limit), "memory" (RSS and
descriptors after a first and a last number of calls), "latency" and "dispatch" (N calls
in flight at network latency: calls/s, p50/p99, CPU per call, RSS idle and at its peak,
threads), "call_cost" (nowgg-memory-bench: what one call in flight and one pooled
connection cost the Rust core), "startup" (import/require time) or "size" (bytes of a
built artifact).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

Record = dict[str, Any]

FACES = {"python": "Python", "node": "Node", "c": "C", "rust": "Rust core", "wrk": "wrk"}


def describe_machine(settings: str) -> Record:
    """The machine and toolchains, as one record: what a reader needs to compare runs."""

    def first_line(*command: str) -> str:
        try:
            out = subprocess.run(command, check=False, capture_output=True, text=True, timeout=30)
        except OSError:
            return "absent"
        lines = (out.stdout or out.stderr).strip().splitlines()
        return lines[0] if lines else "absent"

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    commit = first_line("git", "rev-parse", "--short", "HEAD")
    return {
        "kind": "machine",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "commit": commit,
        "rustc": first_line("rustc", "--version"),
        "python": sys.version.split()[0],
        "node": first_line("node", "--version"),
        "cc": first_line("cc", "--version"),
        "libcurl": first_line("curl-config", "--version"),
        "wrk": first_line("wrk", "-v"),
        "settings": settings,
    }


def load(raw: Path) -> list[Record]:
    records = []
    for path in sorted(raw.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
    return records


def aggregate_wrk(records: list[Record]) -> list[Record]:
    """wrk's slices of one mode -> one throughput record (medians of the slices)."""
    slices: dict[tuple[str, str, int], list[Record]] = defaultdict(list)
    out = []
    for r in records:
        if r["kind"] == "wrk_slice":
            slices[(r["transport"], r["mode"], r["concurrency"])].append(r)
        else:
            out.append(r)
    for (transport, mode, concurrency), mine in slices.items():
        out.append(
            {
                "kind": "throughput",
                "face": "wrk",
                "contender": f"wrk, {mode}",
                "role": "limit",
                "transport": transport,
                "mode": mode,
                "concurrency": concurrency,
                "calls_per_s": statistics.median(s["calls"] / s["seconds"] for s in mine),
                "rounds_calls_per_s": [round(s["calls"] / s["seconds"]) for s in mine],
                "p50_us": statistics.median(s["p50_us"] for s in mine),
                "p99_us": statistics.median(s["p99_us"] for s in mine),
                "cpu_us_per_call": None,
                "errors": sum(s["errors"] for s in mine),
            }
        )
    return out


def throughput(records: list[Record], face: str) -> list[Record]:
    return [r for r in records if r["kind"] == "throughput" and r["face"] == face]


def find(
    records: list[Record], face: str, transport: str, mode: str, contender: str
) -> Record | None:
    for r in throughput(records, face):
        if (r["transport"], r["mode"], r["contender"]) == (transport, mode, contender):
            return r
    return None


def face_of(records: list[Record], r: Record) -> Record | None:
    """The face's record in the same group as `r`."""
    for o in throughput(records, r["face"]):
        if (o["transport"], o["mode"], o["role"]) == (r["transport"], r["mode"], "face"):
            return o
    return None


def fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def throughput_table(records: list[Record], face: str) -> list[str]:
    lines = [
        "| contender | transport | mode | calls/s | p50 µs | p99 µs | CPU µs/call | face / this |",
        "|---|---|---|--:|--:|--:|--:|--:|",
    ]
    for r in throughput(records, face):
        ours = face_of(records, r)
        ratio = f"{ours['calls_per_s'] / r['calls_per_s']:.2f}x" if ours else ""
        name = f"**{r['contender']}**" if r["role"] == "face" else r["contender"]
        lines.append(
            f"| {name} | {r['transport']} | {r['mode']} | {fmt(r['calls_per_s'])} | "
            f"{fmt(r['p50_us'])} | {fmt(r['p99_us'])} | {fmt(r['cpu_us_per_call'], 1)} | {ratio} |"
        )
    return lines


def targets(records: list[Record]) -> list[tuple[str, float | None, float]]:
    """(what, measured ratio, goal) for every target of the issue that the run covers."""

    def ratio(a: Record | None, b: Record | None) -> float | None:
        return a["calls_per_s"] / b["calls_per_s"] if a and b else None

    out: list[tuple[str, float | None, float]] = []
    py_face = "nowgg_payments.Client"
    vendor = "requests.post (vendor sample)"
    for mode in ("sequential", "8 threads"):
        face = find(records, "python", "http", mode, py_face)
        peers = [
            r
            for r in throughput(records, "python")
            if r["transport"] == "http"
            and r["concurrency"] == (1 if mode == "sequential" else 8)
            and r["role"] == "peer"
            and r["contender"] != vendor
        ]
        fastest = max(peers, key=lambda r: r["calls_per_s"], default=None)
        if fastest:
            out.append(
                (
                    (
                        f"Python, HTTP {mode}: face vs the fastest peer ({fastest['contender']}, "
                        f"{fastest['mode']})"
                    ),
                    ratio(face, fastest),
                    3.0,
                )
            )
        out.append(
            (
                f"Python, HTTP {mode}: face vs the vendor sample",
                ratio(face, find(records, "python", "http", mode, vendor)),
                10.0,
            )
        )
    asyncio_mode = next(
        (r["mode"] for r in throughput(records, "python") if "asyncio" in r["mode"]), None
    )
    if asyncio_mode:
        out.append(
            (
                f"Python, HTTP {asyncio_mode}: AsyncClient vs aiohttp",
                ratio(
                    find(records, "python", "http", asyncio_mode, "nowgg_payments.AsyncClient"),
                    find(records, "python", "http", asyncio_mode, "aiohttp.ClientSession"),
                ),
                3.0,
            )
        )
    for mode, goal in (("sequential", 1.5), ("8 in flight", 1.0)):
        out.append(
            (
                f"Node, HTTP {mode}: face vs undici.request",
                ratio(
                    find(records, "node", "http", mode, "nowgg-payments"),
                    find(records, "node", "http", mode, "undici.request"),
                ),
                goal,
            )
        )
    c_face = "C face (nowgg_verify_purchase)"
    for mode in ("sequential", "8 threads"):
        for peer in ("libcurl reused handle + cJSON", "libcurl reused handle, status only"):
            out.append(
                (
                    f"C, HTTP {mode}: face vs {peer}",
                    ratio(
                        find(records, "c", "http", mode, c_face),
                        find(records, "c", "http", mode, peer),
                    ),
                    1.0,
                )
            )
    out.append(
        (
            "C, HTTP sequential: face vs wrk with 1 connection (the server's limit)",
            ratio(
                find(records, "c", "http", "sequential", c_face),
                find(records, "wrk", "http", "1 connection", "wrk, 1 connection"),
            ),
            0.7,
        )
    )
    return out


def latency(records: list[Record], face: str | None = None) -> list[Record]:
    return [r for r in records if r["kind"] == "latency" and (face is None or r["face"] == face)]


def latency_peer(records: list[Record], face: str, in_flight: int, name: str) -> Record | None:
    """The first peer of `face` at `in_flight` whose contender name holds `name`."""
    for r in latency(records, face):
        if r["role"] == "peer" and r["in_flight"] == in_flight and name in r["contender"]:
            return r
    return None


def latency_face(records: list[Record], face: str, in_flight: int) -> Record | None:
    for r in latency(records, face):
        if r["role"] == "face" and r["in_flight"] == in_flight:
            return r
    return None


def latency_targets(records: list[Record]) -> list[tuple[str, float | None, float]]:
    """Issue 9's targets: the share of the ceiling at 64 in flight, ratios to the peers."""
    out: list[tuple[str, float | None, float]] = []
    peers = {"node": "undici.request", "python": "aiohttp", "c": "multi"}
    goals_256 = {"node": 1.2, "python": 1.5, "c": 1.0}
    for face, peer in peers.items():
        ours = latency_face(records, face, 64)
        if not ours:
            continue
        ceiling = 64 / (ours.get("latency_ms", 20) / 1000)
        out.append(
            (
                f"{FACES[face]}, 20 ms, 64 in flight: share of the ceiling",
                ours["calls_per_s"] / ceiling,
                0.9,
            )
        )
        for in_flight, goal in ((64, 1.0), (256, goals_256[face])):
            mine, theirs = (
                latency_face(records, face, in_flight),
                latency_peer(records, face, in_flight, peer),
            )
            out.append(
                (
                    f"{FACES[face]}, 20 ms, {in_flight} in flight: face vs {peer}",
                    mine["calls_per_s"] / theirs["calls_per_s"] if mine and theirs else None,
                    goal,
                )
            )
    return out


def kib_per_call(r: Record) -> float | None:
    """(peak RSS - RSS before the first call) / calls in flight, in KiB."""
    if "idle_rss_kib" not in r:
        return None
    return (r["peak_rss_kib"] - r["idle_rss_kib"]) / r["in_flight"]


def memory_targets(records: list[Record]) -> list[tuple[str, float | None, float]]:
    """Issue 18's limits, lower is better: each face's peak RSS at 256 and 1,024 in flight
    against its best peer's (1.25x), and the RSS each call in flight adds (64 KiB)."""
    out: list[tuple[str, float | None, float]] = []
    peers = {"python": "aiohttp", "node": "undici.request", "c": "multi"}
    for face, peer in peers.items():
        for in_flight in (256, 1024):
            mine = latency_face(records, face, in_flight)
            theirs = latency_peer(records, face, in_flight, peer)
            if not mine:
                continue
            out.append(
                (
                    f"{FACES[face]}, 20 ms, {in_flight} in flight: peak RSS vs {peer}",
                    mine["peak_rss_kib"] / theirs["peak_rss_kib"] if theirs else None,
                    1.25,
                )
            )
            what = f"{FACES[face]}, 20 ms, {in_flight} in flight: KiB per call in flight"
            out.append((what, kib_per_call(mine), 64))
    return out


def latency_table(records: list[Record]) -> list[str]:
    lines = [
        (
            "| face | contender | in flight | calls/s | of ceiling | p50 ms | p99 ms | CPU µs/call "
            "| peak RSS MiB | KiB per call | threads | while loaded |"
        ),
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in latency(records):
        ceiling = r["in_flight"] / (r.get("latency_ms", 20) / 1000)
        name = f"**{r['contender']}**" if r["role"] == "face" else r["contender"]
        extra = []
        if "fs_read_p50_ms" in r:
            extra.append(
                f"fs.readFile p50 {r['fs_read_p50_ms']:.2f} ms, max {r['fs_read_max_ms']:.1f} ms "
                f"(idle {r.get('fs_read_idle_p50_ms', 0):.2f} ms)"
            )
        if "loop_lag_max_ms" in r:
            extra.append(f"event loop worst lag {r['loop_lag_max_ms']:.1f} ms")
        lines.append(
            f"| {FACES[r['face']]} | {name} | {r['in_flight']} | {fmt(r['calls_per_s'])} | "
            f"{r['calls_per_s'] / ceiling:.0%} | {r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | "
            f"{fmt(r.get('cpu_us_per_call'), 1)} | {fmt(r.get('peak_rss_kib', 0) / 1024, 1)} | "
            f"{fmt(kib_per_call(r), 1)} | {r.get('threads', 'n/a')} | {'; '.join(extra)} |"
        )
    return lines


Column = Callable[[Record], Any]
"""A table column: the cell of a record."""


def number(key: str, digits: int = 0) -> Column:
    """The column of ``key``'s value, as ``fmt`` writes it."""
    return lambda r: fmt(r.get(key), digits)


def table(records: list[Record], kind: str, columns: dict[str, Column], text: int = 0) -> list[str]:
    """A markdown table of the records of ``kind``: one column per heading, the first
    ``text`` of them aligned left and the rest (numbers) right, and one line a record."""
    rule = ["---"] * text + ["--:"] * (len(columns) - text)
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(rule) + "|"]
    for r in records:
        if r["kind"] == kind:
            lines.append("| " + " | ".join(str(cell(r)) for cell in columns.values()) + " |")
    return lines


def dispatch_table(records: list[Record]) -> list[str]:
    columns: dict[str, Column] = {
        "how": itemgetter("contender"),
        "sandbox": itemgetter("label"),
        "in flight": itemgetter("in_flight"),
        "calls/s": number("calls_per_s"),
        "p50 µs": number("p50_us"),
        "p99 µs": number("p99_us"),
        "CPU µs/call": number("cpu_us_per_call", 1),
        "peak RSS MiB": lambda r: fmt(r.get("peak_rss_kib", 0) / 1024, 1),
        "KiB per call": lambda r: fmt(kib_per_call(r), 1),
        "threads": itemgetter("threads"),
    }
    return table(records, "dispatch", columns, text=2)


def call_cost_table(records: list[Record]) -> list[str]:
    columns: dict[str, Column] = {
        "in flight": itemgetter("in_flight"),
        "RSS KiB per call": number("rss_kib_per_call", 1),
        "of which Rust heap": number("rust_heap_kib_per_call", 1),
        "Rust heap per pooled connection KiB": number("rust_heap_kib_per_pooled_connection", 1),
        "CPU µs/call": number("cpu_us_per_call", 1),
        "threads": itemgetter("threads"),
    }
    return table(records, "call_cost", columns)


def section(title: str, table: list[str]) -> list[str]:
    return ["", f"## {title}", "", *table]


def report(records: list[Record], command: str) -> str:
    machine = next((r for r in records if r["kind"] == "machine"), {})
    lines = ["# Benchmark results", ""]
    if machine:
        lines += [
            (
                f"Run on {machine['date']} at commit `{machine['commit']}` with `{command}` "
                f"({machine['settings']}); load average at the start: {machine['load_average']}."
            ),
            "",
            "| machine | |",
            "|---|---|",
            f"| CPU | {machine['cpu']}, `nproc` = {machine['nproc']} |",
            f"| memory | {machine['memory_gib']} GiB |",
            f"| kernel | {machine['kernel']} |",
            f"| Rust | {machine['rustc']} |",
            f"| Python | {machine['python']} |",
            f"| Node | {machine['node']} |",
            f"| C compiler | {machine['cc']} |",
            f"| libcurl | {machine['libcurl']} |",
            f"| wrk | {machine['wrk']} |",
            "",
        ]
    lines += [
        "Every contender calls verifyPurchase on the same sandbox (release build, loopback) and",
        "checks the purchase is paid. Contenders of one face alternate in slices, each round",
        "starting one further on; calls/s is the median slice, p50/p99 are over all calls, CPU",
        "is the benchmark process's CPU time (all threads) per call. The sandbox runs on the",
        "same 2 cores, so concurrent rates are bounded by the server's share of them.",
        "",
        "## Targets",
        "",
        "| target | measured | goal | |",
        "|---|--:|--:|---|",
    ]
    for what, measured, goal in targets(records) + latency_targets(records):
        status = "n/a" if measured is None else ("met" if measured >= goal else "**missed**")
        shown = "n/a" if measured is None else f"{measured:.2f}x"
        lines.append(f"| {what} | {shown} | {goal:g}x | {status} |")
    for what, measured, limit in memory_targets(records):
        unit = " KiB" if "KiB" in what else "x"
        status = "n/a" if measured is None else ("met" if measured <= limit else "**missed**")
        shown = "n/a" if measured is None else f"{measured:.{1 if unit == ' KiB' else 2}f}{unit}"
        lines.append(f"| {what} | {shown} | at most {limit:g}{unit} | {status} |")
    lines += ["", "Why a target is missed, with the profiles: [profile.md](profile.md)."]
    for face, title in FACES.items():
        if throughput(records, face):
            lines += section(title, throughput_table(records, face))
    if latency(records):
        lines += section(
            "At network latency: the sandbox adds 20 ms to every answer",
            [
                "Each contender runs in a process of its own, keeping N calls in flight (the",
                "ceiling is N / 20 ms); CPU per call, peak RSS and threads are that process's,",
                "and KiB per call is (peak RSS - RSS before the first call) / N. For Node,",
                "`fs.readFile` of a small file is timed during the load: libuv's pool serves",
                "it, so a client that parks calls there stalls it. For Python, a ticker task",
                "measures the event loop's worst lag during the load.",
                "",
                *latency_table(records),
            ],
        )
    if any(r["kind"] == "dispatch" for r in records):
        lines += section(
            "Rust: the core's dispatcher against tokio's blocking pool (nowgg-dispatch-bench)",
            dispatch_table(records),
        )
    if any(r["kind"] == "call_cost" for r in records):
        lines += section(
            "Rust: what a call in flight and a pooled connection cost (nowgg-memory-bench, 20 ms)",
            [
                "The Rust heap is counted by the benchmark's allocator; the rest of the RSS per call",
                "is the thread's stack and glibc's per-thread cache ([profile.md](profile.md)).",
                "",
                *call_cost_table(records),
            ],
        )
    memory = [
        f"| {FACES[r['face']]} ({r['contender']}) | {r.get('mode', 'sequential')} | "
        f"{r['calls_first']:,} | {r['rss_kib_first']:,} | {r['fds_first']} | "
        f"{r['calls_last']:,} | {r['rss_kib_last']:,} | {r['fds_last']} | "
        f"{r['rss_kib_last'] - r['rss_kib_first']:+,} KiB |"
        for r in records
        if r["kind"] == "memory"
    ]
    lines += (
        section(
            "Memory: RSS and open descriptors, early and late in one process",
            [
                "| face | mode | after | RSS KiB | fds | after | RSS KiB | fds | RSS growth |",
                "|---|---|--:|--:|--:|--:|--:|--:|--:|",
            ]
            + memory,
        )
        if memory
        else []
    )
    startup = [f"| `{r['what']}` | {r['ms']:.1f} |" for r in records if r["kind"] == "startup"]
    lines += (
        section(
            "Import / require time (fresh process, median of 5)",
            ["| what | ms |", "|---|--:|"] + startup,
        )
        if startup
        else []
    )
    sizes = [
        f"| {FACES[r['face']]} | `{r['file']}` | {r['bytes']:,} |"
        for r in records
        if r["kind"] == "size"
    ]
    lines += section("Sizes", ["| face | file | bytes |", "|---|---|--:|"] + sizes) if sizes else []
    lines += ["", "![calls/s per face and peer](chart.png)", ""]
    return "\n".join(lines)


def chart(records: list[Record], path: Path) -> None:
    """calls/s over HTTP, one panel per face (faces hatched), one group of bars per mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(FACES[f], throughput(records, f)) for f in ("python", "node", "c")]
    panels.append(
        (
            "Rust core, and wrk (the server's limit)",
            throughput(records, "rust") + throughput(records, "wrk"),
        )
    )
    panels = [(title, [r for r in rows if r["transport"] == "http"]) for title, rows in panels]
    panels = [(title, rows) for title, rows in panels if rows]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (title, rows) in zip(axes.flat, panels):
        # Sequential first; the limit panel groups wrk's connections with the core's threads.
        def group_of(r: Record) -> str:
            if r["concurrency"] == 1:
                return "sequential"
            return f"{r['concurrency']}-way" if r["face"] in ("rust", "wrk") else r["mode"]

        groups = list(
            dict.fromkeys(group_of(r) for r in sorted(rows, key=lambda r: r["concurrency"]))
        )
        names = list(dict.fromkeys(r["contender"] for r in rows))
        x = 0.0
        ticks = []
        for group in groups:
            members = [r for r in rows if group_of(r) == group]
            start = x
            for r in members:
                face = r["role"] == "face"
                bar = ax.bar(
                    x,
                    r["calls_per_s"],
                    0.8,
                    color=colors[names.index(r["contender"]) % len(colors)],
                    edgecolor="black" if face else None,
                    hatch="//" if face else None,
                    label=r["contender"],
                )
                ax.bar_label(bar, labels=[f"{r['calls_per_s'] / 1000:.1f}k"], fontsize=7)
                x += 1
            ticks.append(((start + x - 1) / 2, group))
            x += 0.8
        ax.set_xticks([t for t, _ in ticks])
        ax.set_xticklabels([g for _, g in ticks], fontsize=8)
        ax.set_title(f"{title}, HTTP")
        ax.set_ylabel("verifyPurchase calls/s")
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        ax.legend(unique.values(), unique.keys(), fontsize=7, loc="upper left")
        ax.margins(y=0.12)
    for ax in axes.flat[len(panels) :]:
        ax.axis("off")
    fig.suptitle("verifyPurchase against the sandbox on loopback, 2 cores (faces hatched)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", type=Path, help="folder with raw/*.jsonl")
    parser.add_argument("--describe-machine", metavar="SETTINGS", help="print the machine record")
    parser.add_argument("--command", default="bench/run.sh", help="the command named in the report")
    args = parser.parse_args()
    if args.describe_machine is not None:
        print(json.dumps(describe_machine(args.describe_machine)))
        return
    if args.results is None:
        parser.error("give the results folder, or --describe-machine")
    records = aggregate_wrk(load(args.results / "raw"))
    text = report(records, args.command)
    (args.results / "results.md").write_text(text)
    chart(records, args.results / "chart.png")
    print(text)


if __name__ == "__main__":
    main()
