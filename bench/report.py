"""The benchmark record as a short markdown table, each measure beside its target."""

from __future__ import annotations

from bench.analysis import spread
from bench.targets import TARGETS

JVM_SHAPE = {"dataframe": "JVM DataFrame", "rdd": "JVM reduceByKey"}


def workers(count: int) -> str:
    return f"{count} worker" + ("s" if count > 1 else "")


def lines_s(value: float) -> str:
    return f"{value:,.0f} lines/s"


def ranged(values: dict, format_: str = "{:,.0f}") -> str:
    """A median with its range over the trials."""
    low, high = format_.format(values["min"]), format_.format(values["max"])
    return f"{format_.format(values['median'])} ({low} to {high})"


def compare_rows(compare: dict | None, perf: float) -> list[tuple[str, str, str]]:
    """The lab's job beside the JVM reference: rates, ratios with their targets, phases."""
    if not compare:
        return []
    trials = f"median of {compare['trials']} (range)"
    rows = []
    for method, shape in JVM_SHAPE.items():
        ratio = compare["ratios"].get(method)
        if ratio:
            rows.append(
                (
                    f"lab `--method {method}` / {shape} job, same run, {trials}",
                    ranged(ratio, "{:.2f}x"),
                    TARGETS[f"jvm_ratio_{method}"].check(ratio["median"]),
                )
            )
    for name, runner in compare["runners"].items():
        rate = runner["lines_s"]
        rows.append(
            (
                f"{name}, {compare['lines']:,} lines, AvailableNow, 1 worker ({trials})",
                f"{ranged(rate)} lines/s: {rate['median'] / perf:.0%} of ConsumerPerformance",
                "",
            )
        )
        phases = ", ".join(f"{k} {v:,}" for k, v in runner["phases_ms"].items())
        rows.append((f"where a batch's time goes, {name} (mean ms)", phases, ""))
    exact = (
        "every run exact" if compare["counts_exact"] else f"**wrong**: {compare['counts_wrong']}"
    )
    rows.append(("counts of the lab's and the JVM's runs against the seed", exact, ""))
    return rows


def producer_rows(producer: dict) -> list[tuple[str, str, str]]:
    """The lab's producer with one process and, when measured, two; the best of them against
    ProducerPerformance, same run. With several trials: the median rate, and the median and
    range of the per-trial fraction of ProducerPerformance."""
    perf = producer["producer_perf_lines_s"]
    runs = [("1 process", producer["kafka_python_lines_s"], producer.get("fraction_1p"))]
    if "kafka_python_2p_lines_s" in producer:
        runs.append(
            ("2 processes", producer["kafka_python_2p_lines_s"], producer.get("fraction_2p"))
        )
    trials = len(producer.get("trials", []))
    best = max(rate for _, rate, _ in runs)
    rows = []
    for label, rate, fraction in runs:
        share = rate / perf
        text = f"{lines_s(rate)}: {share:.0%} of ProducerPerformance"
        if fraction and trials > 1:
            share = fraction["median"]
            text = (
                f"{lines_s(rate)}: {share:.1%} ({fraction['min']:.1%} to {fraction['max']:.1%}) "
                "of ProducerPerformance"
            )
            label += f", median of {trials} trials (range)"
        target = ""
        if rate == best:
            target = TARGETS["producer_fraction"].check(share)
        rows.append((f"producer: kafka-python, acks=all, batching, {label}", text, target))
    return rows


def dstream_rows(part: dict | None) -> list[tuple[str, str, str]]:
    """The DStream job beside the Structured Streaming rdd job, each row with its target."""
    if not part:
        return []
    ratio, trials = part["drain_ratio"], len(part["drain_trials"])
    keep = part["keep_up_lines_s"]
    p50 = {k: v / 1000 for k, v in part["latency"]["p50_ms"].items()}
    runs = len(part["latency"]["runs"])
    return [
        (
            f"DStream job (createDirectStream) drain / Structured Streaming rdd drain, same "
            f"run, median of {trials} trials (range)",
            f"{ranged(ratio, '{:.2f}x')}; {lines_s(part['drain_lines_s']['median'])} against "
            f"{lines_s(part['structured_drain_lines_s']['median'])}",
            TARGETS["dstream_drain_ratio"].check(ratio["median"]),
        ),
        (
            "DStream job keeps up (3 s batches), 1 worker",
            lines_s(keep),
            TARGETS["dstream_keep_up_lines_s"].check(keep),
        ),
        (
            f"DStream job latency produce → results, 1 s batches, p50, median of {runs} runs "
            "(range)",
            f"{ranged(p50, '{:.2f}')} s",
            TARGETS["dstream_latency_p50_s"].check(p50["median"]),
        ),
    ]


def latency_rows(runs: list[dict]) -> list[tuple[str, str, str]]:
    """One row per trigger; several runs of one trigger give each percentile's median and
    range (the spread between runs is wide on two shared cores)."""
    by_trigger: dict[str, list[dict]] = {}
    for run in runs:
        by_trigger.setdefault(run["trigger"], []).append(run)
    rows = []
    for trigger, group in by_trigger.items():

        def seconds(key: str, group: list[dict] = group) -> str:
            values = [r[key] / 1000 for r in group]
            if len(values) == 1:
                return f"{key} {values[0]:.2f} s"
            return f"{key} {ranged(spread(values), '{:.2f}')} s"

        runs_note = f", median of {len(group)} runs (range)" if len(group) > 1 else ""
        target = ""
        if trigger.startswith("500"):
            p50 = spread([r["p50"] for r in group])["median"]
            target = TARGETS["latency_p50_ms"].check(p50)
        rows.append(
            (
                f"latency produce → results, trigger {trigger}, {group[0]['rate']:.0f} "
                f"lines/s{runs_note}",
                ", ".join(seconds(k) for k in ("p50", "p95", "p99")),
                target,
            )
        )
    return rows


def throughput_rows(
    throughput: list[dict], perf: float, plain: float
) -> list[tuple[str, str, str]]:
    """The keep-up searches against the consumers' ceilings, and where the first one's
    CPU and batch time went."""
    rows: list[tuple[str, str, str]] = []
    for run in throughput:
        rate = run["lines_s"]
        rows.append(
            (
                f"job keeps up (trigger 3 s), {workers(run['workers'])}, "
                f"--method {run.get('method', 'rdd')}",
                f"{lines_s(rate)}: {rate / perf:.0%} of ConsumerPerformance, "
                f"{rate / plain:.0%} of kafka-python",
                f"{TARGETS['keep_up_lines_s'].check(rate)}; "
                f"{TARGETS['ceiling_fraction'].check(rate / perf)}",
            )
        )
    if not throughput:
        return rows
    best = throughput[0]
    if best.get("cpu_percent"):
        cpu = ", ".join(
            f"{k} {v}" for k, v in sorted(best["cpu_percent"].items(), key=lambda kv: -kv[1])
        )
        rows.append(("where the CPU goes at that rate, 1 worker, rdd (% of one core)", cpu, ""))
    if best.get("breakdown_ms"):
        phases = ", ".join(f"{k} {v:,}" for k, v in best["breakdown_ms"].items())
        rows.append(("a batch's phases at that rate, 1 worker, rdd (mean ms)", phases, ""))
    return rows


def batch_text(part: dict) -> str:
    """One end of a soak's batch durations, and its phases' means where the run has them."""
    if not part["batches"]:
        return "no batch"
    text = f"p50 {part['p50']:,.0f} ms, p90 {part['p90']:,.0f} ms ({part['batches']})"
    if phases := part.get("phases"):
        text += " (mean ms: " + ", ".join(f"{k} {v:,}" for k, v in phases.items()) + ")"
    return text


def slowdown_check(start: dict, end: dict) -> str:
    """The target column of a soak's batches: the p50's growth from the start to the end."""
    if not start["batches"] or not end["batches"] or not start["p50"]:
        return "no batch at one end: not checked"
    growth = end["p50"] / start["p50"] - 1
    return f"p50 {growth:+.1%}: " + TARGETS["soak_slowdown"].check(growth)


def growth_check(growth: dict[str, float]) -> str:
    """The target column of a soak's memory: every container that grew past the target."""
    target = TARGETS["soak_memory_growth"]
    if not growth:
        return "no container at both ends: not checked"
    over = [f"{name} {share:+.1%}" for name, share in growth.items() if not target.met(share)]
    verdict = target.check(max(growth.values()))
    return f"{verdict} ({', '.join(over)})" if over else verdict


def jvm_rows(run: dict) -> list[tuple[str, str, str]]:
    """What each JVM's own memory is made of at the settled minute and at the end (bench.jvm;
    results from before the bench read the JVMs have none), and the containers not read."""
    rows = []
    if unread := run.get("jvm_unread"):
        why = "; ".join(f"{name}: {error}" for name, error in unread.items())
        rows.append((f"soak ({run['job']}): JVMs not read (jcmd)", why, ""))
    if growth := run.get("jvm_growth_mb"):
        parts = ("heap committed", "heap used", "metaspace", "code cache", "rest")
        text = "; ".join(
            f"{name} {p['rss anon'][0]:,}→{p['rss anon'][1]:,} ("
            + ", ".join(f"{part} {p[part][0]:,}→{p[part][1]:,}" for part in parts)
            + ")"
            for name, p in growth.items()
        )
        what = (
            f"soak ({run['job']}): each JVM's own memory (RssAnon, MB) from minute "
            f"{run.get('from_minute', 10):g} to the end, and what holds it (jcmd GC.heap_info, "
            "Compiler.codecache; the rest: thread stacks, malloc, buffers)"
        )
        rows.append((what, text, ""))
    return rows


def own_memory_rows(run: dict) -> list[tuple[str, str, str]]:
    """What a soak's memory growth is made of, by the containers' cgroups: their own memory
    apart from the page cache that docker stats counts with it (results from before the
    bench read cgroups have neither), and the containers that could not be read."""
    rows = []
    if unread := run.get("cgroup_unread"):
        why = "; ".join(f"{name}: {error}" for name, error in unread.items())
        rows.append((f"soak ({run['job']}): cgroup memory.stat not read", why, ""))
    if growth := run.get("own_memory_growth"):
        own = ", ".join(f"{name} {share:+.0%}" for name, share in growth.items())
        last = run["cgroup_mb"][-1]
        cache = ", ".join(
            f"{name} {last[name]['active_file']:,} MB"
            for name in growth
            if last.get(name, {}).get("active_file", 0) >= 1
        )
        what = (
            f"soak ({run['job']}): what grew, by each container's cgroup: its own memory "
            f"(anon) from minute {run.get('from_minute', 10):g} to the end; the page cache "
            "that docker stats counts as its memory (active_file), at the end"
        )
        rows.append((what, f"own memory {own}; page cache {cache or 'none'}", ""))
    return rows


def soak_rows(runs: list[dict]) -> list[tuple[str, str, str]]:
    """Each job's hours: memory from the tenth minute to the end, the volumes' growth, the
    batches at the start and at the end, and the totals."""
    rows = []
    for run in runs:
        job, memory = run["job"], run["memory"]
        points = "; ".join(
            f"{name} {memory[name]['total_mb']:,} MB" for name in ("start", "middle", "end")
        )
        growth = ", ".join(f"{name} {share:+.0%}" for name, share in run["memory_growth"].items())
        rows.append(
            (
                f"soak ({job}), {run['minutes']:.0f} min at {lines_s(run['lines_s'])}: memory at "
                f"minute {run.get('from_minute', 10):g}, the middle, the end (medians); each "
                "container's growth from the first to the last",
                f"{points}; {growth}",
                growth_check(run["memory_growth"]),
            )
        )
        rows += own_memory_rows(run)
        rows += jvm_rows(run)
        per_hour = ", ".join(
            f"{name} {value / 1e6:+,.1f} MB" if name != "results files" else f"{name} {value:+,}"
            for name, value in run["sizes_per_hour"].items()
        )
        last = run["sizes"][-1]
        rows.append(
            (
                f"soak ({job}): what the volumes grew by, per hour (size at the end)",
                per_hour + f" (kafka topic {last['kafka topic'] / 1e9:,.2f} GB, "
                f"checkpoint {last['checkpoint'] / 1e6:,.1f} MB, "
                f"event logs {last['event logs'] / 1e6:,.1f} MB)",
                "",
            )
        )
        start, end = run["batches_ms"]["start"], run["batches_ms"]["end"]
        exact = (
            "totals exact"
            if run["totals_exact"]
            else f"totals **wrong** (got, expected): {run['totals_wrong']}"
        )
        rows.append(
            (
                f"soak ({job}): batch durations at the start and at the end; the totals",
                f"start {batch_text(start)}; end {batch_text(end)}; {exact}",
                slowdown_check(start, end),
            )
        )
    return rows


def stages_text(stages: dict[str, float]) -> str:
    """Build stages and their seconds, those under half a second left out."""
    return ", ".join(f"{name} {s:,.0f}" for name, s in stages.items() if s >= 0.5)


def fresh_rows(fresh: dict | None) -> list[tuple[str, str, str]]:
    """`make demo` on an empty engine: in all, and where the time went."""
    what = "`make demo` from nothing, on an engine with no image and no build cache"
    if not fresh:
        return []
    if "skipped" in fresh:
        return [(what, f"not measured: {fresh['skipped']}", "")]
    first = fresh["first_batch_s"]
    stages = stages_text(fresh["stages_s"])
    return [
        (
            what,
            f"{first:.0f} s: the build {fresh['build_s']:.0f} s, the stack's start "
            f"{fresh['start_s']:.0f} s, then the first batch {fresh['to_batch_s']:.0f} s",
            TARGETS["from_nothing_s"].check(first),
        ),
        (
            "the build's stages, their steps summed (s; side by side, so more than the build)",
            stages,
            "",
        ),
    ]


def arm64_rows(part: dict | None) -> list[tuple[str, str, str]]:
    """The images for linux/arm64: the build, what runs in them, the tutorial's counts."""
    if not part:
        return []
    how = "under emulation" if part["emulated"] else "natively"
    stages = stages_text(part["stages_s"])
    images = "; ".join(
        f"{name}: {i['architecture']}, `uname -m` {i['uname_m']}, UseSVE={i['use_sve']}, "
        f"{int(i['mb']):,} MB"
        for name, i in part["images"].items()
    )
    exact = "exact" if part["totals_exact"] else f"**not exact**: {part['totals']}"
    return [
        (
            f"{part['platform']} {how}: both images built without cache (base "
            f"{part['base_image']})",
            f"{part['build_s'] / 60:.0f} min; stages (s, side by side): {stages}",
            "",
        ),
        (f"{part['platform']} {how}: the images", images, ""),
        (
            f"{part['platform']} {how}: `make demo API=dstream`, the tutorial's counts",
            f"healthy after {part['healthy_s']:.0f} s, the first batch after "
            f"{part['first_batch_s']:.0f} s; the seed's totals {exact}",
            "",
        ),
    ]


def mb_of(total: int, per_container: dict[str, int]) -> str:
    parts = ", ".join(f"{name} {mb:,}" for name, mb in per_container.items())
    return f"{total:,} MB ({parts})"


def memory_rows(runs: list[dict]) -> list[tuple[str, str, str]]:
    """The default stack with each job: at idle (medians), and its peak under the load."""
    rows = []
    for run in runs:
        idle, load = run["idle"], run["load"]
        rows.append(
            (
                f"memory, the default stack with the demo's job ({run['job']}), idle "
                f"(medians of {idle['samples']} samples)",
                mb_of(idle["total_mb"], idle["mb"]),
                TARGETS["memory_idle_mb"].check(idle["total_mb"]),
            )
        )
        rows.append(
            (
                f"memory, the same stack's peak ({run['job']}), {lines_s(load['lines_s'])} "
                f"for {load['seconds']:.0f} s and the catch-up",
                mb_of(load["total_peak_mb"], load["peak_mb"]),
                TARGETS["memory_mb"].check(load["total_peak_mb"]),
            )
        )
    return rows


def markdown(result: dict) -> str:
    """The report's table; a run of some parts only (make bench ARGS="--only ...") has the rows
    of those parts."""
    ceiling = result.get("ceiling") or {}
    perf, plain = ceiling.get("consumer_perf_lines_s"), ceiling.get("kafka_python_lines_s")
    rows: list[tuple[str, str, str]] = []
    if perf and plain:
        rows += throughput_rows(result.get("throughput") or [], perf, plain)
        rows += compare_rows(result.get("compare"), perf)
    for run in result.get("drain") or []:
        rows.append(
            (f"job draining a backlog ({run['method']}), 1 worker", lines_s(run["lines_s"]), "")
        )
    if perf and plain:
        rows += [
            (
                "ceiling: ConsumerPerformance (fetch; with the group join)",
                f"{lines_s(perf)}; {lines_s(ceiling['consumer_perf_with_join_lines_s'])}",
                "",
            ),
            ("ceiling: kafka-python consumer", lines_s(plain), ""),
        ]
    if "producer" in result:
        rows += [
            *producer_rows(result["producer"]),
            (
                "producer: ProducerPerformance, acks=all",
                lines_s(result["producer"]["producer_perf_lines_s"]),
                "",
            ),
        ]
    rows += dstream_rows(result.get("dstream"))
    rows += latency_rows(result.get("latency") or [])
    startup = result.get("startup")
    if startup:
        rows += [
            (
                "`docker compose up` to all healthy",
                f"{startup['healthy_s']:.0f} s",
                TARGETS["healthy_s"].check(startup["healthy_s"]),
            ),
            (
                "`make demo` to the first counted batch",
                f"{startup['first_batch_s']:.0f} s",
                TARGETS["first_batch_s"].check(startup["first_batch_s"]),
            ),
        ]
    idle = result.get("idle")
    if idle:
        parts = ", ".join(f"{k} {v:.1f}" for k, v in idle["percent"].items())
        windows = idle.get("windows", 1)
        over = f"over {idle['seconds']:.0f} s"
        total = f"{idle['total_percent']:.1f}%"
        if windows > 1:  # the median window, its parts, and the range of the windows
            over = f"median of {windows} windows of {idle['seconds']:.0f} s (range)"
            low, high = idle["total_spread"]["min"], idle["total_spread"]["max"]
            total += f" ({low:.1f}% to {high:.1f}%)"
        rows.append(
            (
                f"idle: the stack up, nothing running, {over} (% of one core)",
                f"{total}; the median window: {parts}",
                TARGETS["idle_percent"].check(idle["total_percent"]),
            )
        )
        if "engine_percent" in idle:
            loops = idle["loop_ms"]
            rows.append(
                (
                    "idle, beside the median window (% of one core; a fixed loop's CPU time)",
                    f"Docker's engine {idle['engine_percent']:.1f}% (without the stack "
                    f"{idle.get('engine_base_percent', 0):.1f}%), the rest of the machine "
                    f"{idle['rest_percent']:.1f}%; the loop {min(loops):.0f} to "
                    f"{max(loops):.0f} ms",
                    f"the loop before the stack came up: {idle['quiet_loop_ms']:.0f} ms"
                    if "quiet_loop_ms" in idle
                    else "",
                )
            )
    rows += memory_rows(result.get("memory_default") or [])
    rows += soak_rows(result.get("soak") or [])
    for key, what in (
        ("memory", "peak memory over the keep-up searches, 2 workers among them (MB)"),
        ("memory_metrics", "peak memory with the metrics profile, Prometheus scraping (MB)"),
    ):
        memory = result.get(key)
        if not memory:
            continue
        rows.append((what, mb_of(memory["total_peak_mb"], memory["peak_mb"]), ""))
    build = result.get("build")
    if "images" in result:
        sizes = ", ".join(f"{name} {mb:,} MB" for name, mb in result["images"]["mb"].items())
        built = f"; {build['seconds']:.0f} s" if build else "; build not run"
        rows.append(("images; build from nothing (mirrors)", sizes + built, ""))
    if build and startup:
        # The build without cache on the bench's engine, then start and count: the fresh part
        # is what a new user meets (an empty engine), and holds the target.
        from_nothing = build["seconds"] + startup["first_batch_s"]
        rows.append(
            (
                "the build without cache, then `make demo` to the first counted batch",
                f"{from_nothing:.0f} s",
                "",
            )
        )
    rows += fresh_rows(result.get("fresh"))
    rows += arm64_rows(result.get("arm64"))
    only = result.get("only")
    lines = [
        f"Measured {result['when']} on {result['machine']['cpus']} cores "
        f"({result['machine']['platform']})"
        + (f", in {result['seconds'] / 60:.0f} min" if "seconds" in result else "")
        + (f"; these parts only: {', '.join(only)}." if only else "."),
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
    ]
    return "\n".join(lines) + "\n"
