"""One run of a job over everything its topic holds (the trigger AvailableNow: it stops when
the topic is read), in a folder of its own on the job's volume, so that nothing else's
checkpoint or results are touched. `make bench` compares the lab's job with the JVM reference
this way, and the tests check that both count alike."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from streamlab.compose import compose


def submit(
    topic: str,
    *,
    job: str = "wordcount",
    method: str | None = None,
    trigger: str | None = None,
    cap: int | None = None,
    bootstrap: str | None = None,
    **settings: str,
) -> None:
    """(Re)starts the lab's job (jobs/<job>.py) on `topic` in the current compose project, as
    `make submit` does: each topic with its own checkpoint and results. An option left out
    keeps the lab's setting (.env); `settings` are more of the service's variables."""
    env = {"STREAMLAB_TOPIC": topic, "STREAMLAB_JOB": job, **settings}
    for key, value in (
        ("STREAMLAB_METHOD", method),
        ("STREAMLAB_TRIGGER", trigger),
        ("STREAMLAB_WORDCOUNT_MAX_OFFSETS_PER_TRIGGER", cap),
        ("STREAMLAB_KAFKA_BOOTSTRAP", bootstrap),
    ):
        if value is not None:
            env[key] = str(value)
    compose("up", "-d", "--force-recreate", "wordcount", env=env)


# The lab's job, and the bench's JVM reference (images/spark/jvm), as spark-submit takes them.
LAB_JOB = ["/opt/streamlab/jobs/wordcount.py"]
JVM_JOB = ["--class", "streamlab.JvmWordCount", "/opt/streamlab/lib/streamlab-jvm.jar"]


def service_for(job: Sequence[str]) -> str:
    """The service whose image has the job: the JVM reference lives in the bench's image only
    (images/Dockerfile, target spark-bench), never in the learner's."""
    return "jvm-reference" if list(job[: len(JVM_JOB)]) == JVM_JOB else "wordcount"


# Run in the job's service: $1 the folder, $2 the topic, $3 "1" to keep the run's Spark
# event log in the folder (read back by a probe given on stdin), then the job's own arguments.
# The output: what the caller reads back, each part after a marker line.
RUN_SCRIPT = """set -e
folder=$1 topic=$2 events=$3; shift 3
mkdir -p "$folder"
set -- "$@" --topic "$topic" --trigger available-now --checkpoint "$folder/checkpoint" \\
  --results-dir "$folder/results" --progress-dir "$folder/progress"
if [ "$events" = 1 ]; then
  mkdir -p "$folder/events"
  set -- --conf spark.eventLog.enabled=true --conf spark.eventLog.compress=false \\
    --conf "spark.eventLog.dir=file://$folder/events" "$@"
fi
if ! streamlab-submit "$@" </dev/null >"$folder/stdout" 2>"$folder/stderr"; then
  tail -n 20 "$folder/stderr" >&2; exit 1
fi
echo @@progress; cat "$folder/progress/$topic.jsonl"
echo @@results; python -m jobs.results --dir "$folder/results"
if [ "$events" = 1 ]; then echo @@events; python - "$folder/events"; fi
"""


def split_markers(out: str) -> dict[str, str]:
    """A probe's output, cut at its '@@name' lines: {name: the text after it}."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in out.splitlines():
        if line.startswith("@@"):
            current = parts.setdefault(line[2:].strip(), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in parts.items()}


def run_to_the_end(
    job: Sequence[str], topic: str, under: str, event_probe: str | None = None
) -> dict[str, str]:
    """Runs `job` (spark-submit's application and its arguments) over all of `topic`, in a new
    folder below `under`; returns its progress log, its summed results and, with
    `event_probe` (Python source that reads an event-log folder), that probe's output."""
    folder = f"{under}/{uuid.uuid4().hex[:8]}"
    events = "1" if event_probe is not None else "0"
    out = compose(
        *("run", "--rm", "--no-deps", "-T", service_for(job), "sh", "-c", RUN_SCRIPT, "-"),
        *(folder, topic, events, *job),
        stdin=event_probe,
        timeout=900,
    ).stdout
    return split_markers(out)
