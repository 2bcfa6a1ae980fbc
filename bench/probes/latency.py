"""Raw data for the produce-to-results latency, read inside the job's container, fed on stdin:
    python - BOOTSTRAP TOPIC CHECKPOINT RESULTS
    python - BOOTSTRAP TOPIC - RESULTS        (the DStream job: no offsets in its checkpoint)

Prints JSON with every record's (partition, offset, produce timestamp in ms) and every finished
batch's (batch id, end offset per partition, time its results file was written in ms). The
checkpoint's offsets/N file says where batch N ends; the results file's mtime says when its
counts appeared. bench/analysis.py pairs them up. For the DStream job, whose progress lines
say where each batch ended, "written" gives each results file's time by its name (the batch
time in ms) instead.
"""

import json
import sys
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from jobs.diagnose import batch_offsets, offset_files
from jobs.paths import BATCH_GLOB, batch_file, batch_id

bootstrap, topic, checkpoint, results = sys.argv[1:5]

batches = []
written_at = {
    batch_id(path): path.stat().st_mtime * 1000 for path in Path(results).glob(BATCH_GLOB)
}
for number, path in offset_files(Path(checkpoint)) if checkpoint != "-" else []:
    written = batch_file(Path(results), number)
    if not written.exists():  # a batch without words, or one not finished yet
        continue
    batches.append([number, batch_offsets(path, topic), written.stat().st_mtime * 1000])

consumer = KafkaConsumer(
    bootstrap_servers=bootstrap.split(","), group_id=None, enable_auto_commit=False
)
partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
consumer.assign(partitions)
consumer.seek_to_beginning(*partitions)
ends = consumer.end_offsets(partitions)
left = {tp: n for tp, n in ends.items() if n > 0}
records = []
deadline = time.monotonic() + 300
while left and time.monotonic() < deadline:
    for tp, chunk in consumer.poll(timeout_ms=2000, max_records=50_000).items():
        records += [[r.partition, r.offset, r.timestamp] for r in chunk]
        if chunk and chunk[-1].offset + 1 >= ends[tp]:
            left.pop(tp, None)
consumer.close()
print(json.dumps({"batches": batches, "records": records, "written": written_at}))
