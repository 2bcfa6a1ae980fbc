"""A plain kafka-python consumer, the job's ceiling: reads COUNT records of TOPIC from the
beginning as fast as it can and prints {"records", "seconds", "rate"} as JSON.

Runs inside a lab container, fed on stdin:  python - BOOTSTRAP TOPIC COUNT
"""

import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(
    bootstrap_servers=bootstrap.split(","), group_id=None, enable_auto_commit=False
)
partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
consumer.assign(partitions)
consumer.seek_to_beginning(*partitions)
seen = 0
started = time.perf_counter()
deadline = started + 300
while seen < count and time.perf_counter() < deadline:
    for records in consumer.poll(timeout_ms=1000, max_records=50_000).values():
        seen += len(records)
seconds = time.perf_counter() - started
consumer.close()
print(json.dumps({"records": seen, "seconds": seconds, "rate": seen / seconds}))
sys.exit(0 if seen >= count else 1)
