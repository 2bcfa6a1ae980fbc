"""The benchmark record as a short markdown table, each measure beside its target."""

from __future__ import annotations

TARGETS = {
    "fraction": 0.5,  # of the plain-consumer ceiling
    "latency_p50_ms": 1500,  # with a 500 ms trigger
    "healthy_s": 45,
    "first_batch_s": 90,
    "from_nothing_s": 150,  # make demo with no images: the build, then the first batch
    "memory_mb": 4000,
}


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def workers(count: int) -> str:
    return f"{count} worker" + ("s" if count > 1 else "")


def lines_s(value: float) -> str:
    return f"{value:,.0f} lines/s"


def markdown(result: dict) -> str:
    ceiling = result["ceiling"]
    perf, plain = ceiling["consumer_perf_lines_s"], ceiling["kafka_python_lines_s"]
    rows: list[tuple[str, str, str]] = []
    for run in result["throughput"]:
        rate = run["lines_s"]
        rows.append(
            (
                f"job keeps up (trigger 3 s), {workers(run['workers'])}",
                f"{lines_s(rate)}: {rate / perf:.0%} of ConsumerPerformance, "
                f"{rate / plain:.0%} of kafka-python",
                f"≥ 50% of the ceiling: {verdict(rate >= TARGETS['fraction'] * perf)}",
            )
        )
    best = result["throughput"][0]
    if best.get("cpu_percent"):
        cpu = ", ".join(
            f"{k} {v}" for k, v in sorted(best["cpu_percent"].items(), key=lambda kv: -kv[1])
        )
        rows.append(("where the CPU goes at that rate, 1 worker (% of one core)", cpu, ""))
    if best.get("breakdown_ms"):
        phases = ", ".join(f"{k} {v:,}" for k, v in best["breakdown_ms"].items())
        rows.append(("a batch's phases at that rate, 1 worker (mean ms)", phases, ""))
    for run in result["drain"]:
        rows.append(
            (f"job draining a backlog ({run['method']}), 1 worker", lines_s(run["lines_s"]), "")
        )
    rows += [
        (
            "ceiling: ConsumerPerformance (fetch; with the group join)",
            f"{lines_s(perf)}; {lines_s(ceiling['consumer_perf_with_join_lines_s'])}",
            "",
        ),
        ("ceiling: kafka-python consumer", lines_s(plain), ""),
        (
            "producer: kafka-python, acks=all, batching",
            lines_s(result["producer"]["kafka_python_lines_s"]),
            "",
        ),
        (
            "producer: ProducerPerformance, acks=all",
            lines_s(result["producer"]["producer_perf_lines_s"]),
            "",
        ),
    ]
    for run in result["latency"]:
        target = ""
        if run["trigger"].startswith("500"):
            target = f"p50 ≤ 1.5 s: {verdict(run['p50'] <= TARGETS['latency_p50_ms'])}"
        rows.append(
            (
                f"latency produce → results, trigger {run['trigger']}, {run['rate']:.0f} lines/s",
                f"p50 {run['p50'] / 1000:.2f} s, p95 {run['p95'] / 1000:.2f} s, "
                f"p99 {run['p99'] / 1000:.2f} s",
                target,
            )
        )
    startup = result["startup"]
    rows += [
        (
            "`docker compose up` to all healthy",
            f"{startup['healthy_s']:.0f} s",
            f"≤ 45 s: {verdict(startup['healthy_s'] <= TARGETS['healthy_s'])}",
        ),
        (
            "`make demo` to the first counted batch",
            f"{startup['first_batch_s']:.0f} s",
            f"≤ 90 s: {verdict(startup['first_batch_s'] <= TARGETS['first_batch_s'])}",
        ),
    ]
    memory = result["memory"]
    peaks = ", ".join(f"{name} {mb:,}" for name, mb in memory["peak_mb"].items())
    rows.append(
        (
            "peak memory, whole stack (per container, MB)",
            f"{memory['total_peak_mb']:,} MB ({peaks})",
            f"< 4 GB: {verdict(memory['total_peak_mb'] < TARGETS['memory_mb'])}",
        )
    )
    sizes = ", ".join(f"{name} {mb:,} MB" for name, mb in result["images"]["mb"].items())
    build = result.get("build")
    built = f"; {build['seconds']:.0f} s" if build else "; build not run"
    rows.append(("images; build from nothing (mirrors)", sizes + built, ""))
    if build:
        # What `make demo` does with no images: build both (no cache), then start and count.
        from_nothing = build["seconds"] + startup["first_batch_s"]
        rows.append(
            (
                "`make demo` from nothing: the build, then the first counted batch",
                f"{from_nothing:.0f} s",
                f"≤ 150 s: {verdict(from_nothing <= TARGETS['from_nothing_s'])}",
            )
        )
    lines = [
        f"Measured {result['when']} on {result['machine']['cpus']} cores "
        f"({result['machine']['platform']}).",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
    ]
    return "\n".join(lines) + "\n"
