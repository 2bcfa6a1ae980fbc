"""Where a batch's time went, from a Spark event log; read inside a job's container, fed on
stdin:  python - EVENT_LOG_DIR

Prints JSON: for each streaming batch id, the wall time of its jobs, of their shuffle-map
stages (reading Kafka, the per-row work, the map-side combine, the shuffle write) and of their
result stages (the shuffle read, the merge, the collect), and the tasks' summed shuffle-write
and fetch-wait times. bench/analysis.py turns these into the report's phases.
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

folder = Path(sys.argv[1])
batch_of_job: dict[int, int] = {}
job_start: dict[int, int] = {}
stage_batch: dict[int, int] = {}
out: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))


def metric(info: dict, name: str) -> float:
    for acc in info.get("Accumulables", []):
        if acc.get("Name") == name:
            return float(acc.get("Value", 0))
    return 0.0


# Rolling event logs (Spark 4's default): a folder per application holding events_N_* files,
# an empty appstatus marker and hidden .crc checksums; without rolling, one file.
logs = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "appstatus"))]
for path in sorted(logs):
    for line in path.open(encoding="utf-8"):
        if not line.strip():
            continue
        event = json.loads(line)
        kind = event.get("Event")
        if kind == "SparkListenerJobStart":
            batch = (event.get("Properties") or {}).get("streaming.sql.batchId")
            if batch is None:
                continue
            job = event["Job ID"]
            batch_of_job[job] = int(batch)
            job_start[job] = event["Submission Time"]
            for stage in event.get("Stage IDs", []):
                stage_batch[stage] = int(batch)
        elif kind == "SparkListenerJobEnd" and event["Job ID"] in batch_of_job:
            job = event["Job ID"]
            out[batch_of_job[job]]["jobs_ms"] += event["Completion Time"] - job_start[job]
        elif kind == "SparkListenerStageCompleted":
            info = event["Stage Info"]
            batch = stage_batch.get(info["Stage ID"])
            if batch is None or "Completion Time" not in info:
                continue
            wall = info["Completion Time"] - info["Submission Time"]
            written = metric(info, "internal.metrics.shuffle.write.bytesWritten")
            out[batch]["map_ms" if written else "result_ms"] += wall
            out[batch]["shuffle_write_ms"] += (
                metric(info, "internal.metrics.shuffle.write.writeTime") / 1e6
            )
            out[batch]["fetch_wait_ms"] += metric(
                info, "internal.metrics.shuffle.read.fetchWaitTime"
            )
print(json.dumps({str(b): dict(v) for b, v in sorted(out.items())}))
