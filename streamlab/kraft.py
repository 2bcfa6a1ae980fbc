"""A new KRaft cluster id, made as Kafka makes one (`Uuid.randomUuid`): 16 random bytes in
URL-safe base64 without padding, never one that starts with "-". About one id in 64 would, and
Kafka's own tools read such an id as an option (`kafka-storage format --cluster-id -x...`
fails with "expected one argument"), so Kafka draws again, and so do we.

`python -m streamlab.kraft` prints one (make keeps it in .env.local)."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable


def new_cluster_id(random_bytes: Callable[[int], bytes] = os.urandom) -> str:
    while True:
        candidate = base64.urlsafe_b64encode(random_bytes(16)).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


if __name__ == "__main__":
    print(new_cluster_id())
