"""The soak's reading of each JVM's memory: jcmd's answers parsed, their growth, the report."""

from __future__ import annotations

import pytest

from bench.analysis import jvm_growth
from bench.jvm import jvm_memory, main_class
from bench.report import jvm_rows

HEAP = """7:
 def new generation   total 20544K, used 12388K [0x0e0000000, 0x0e1640000, 0x0eaaa0000)
  eden space 18304K,  64% used [0x0e0000000, 0x0e0b731a0, 0x0e11e0000)
  from space 2240K,  29% used [0x0e11e0000, 0x0e1285e90, 0x0e1410000)
  to   space 2240K,   0% used [0x0e1410000, 0x0e1410000, 0x0e1640000)
 tenured generation   total 45360K, used 38755K [0x0eaaa0000, 0x0ed6ec000, 0x100000000)
   the space 45360K,  85% used [0x0eaaa0000, 0x0ed078fb8, 0x0ed079000, 0x0ed6ec000)
 Metaspace       used 50342K, committed 50880K, reserved 1114112K
  class space    used 5910K, committed 6144K, reserved 1048576K
7:
CodeHeap 'non-profiled nmethods': size=120036Kb used=4346Kb max_used=4346Kb free=115689Kb
 bounds [0x00007fc7f8ac7000, 0x00007fc7f8f07000, 0x00007fc800000000]
CodeHeap 'profiled nmethods': size=120032Kb used=7909Kb max_used=10134Kb free=112122Kb
 bounds [0x00007fc7f1000000, 0x00007fc7f19f0000, 0x00007fc7f8538000]
CodeHeap 'non-nmethods': size=5692Kb used=1498Kb max_used=1556Kb free=4193Kb
 bounds [0x00007fc7f8538000, 0x00007fc7f87a8000, 0x00007fc7f8ac7000]
 total_blobs=6158 nmethods=5280 adapters=793
"""


def answer(pid: int, arguments: list[str], rss_kb: int, jcmd: str = HEAP) -> str:
    """One JVM's part of bench.jvm.SCRIPT's answer, as the container's shell prints it."""
    command = "\n".join(["java", *arguments])
    return f"=== {pid}\n{command}\n--- status\nRssAnon:\t  {rss_kb} kB\n--- jcmd\n{jcmd}"


def test_the_main_class_is_found_after_the_options_and_their_values():
    assert main_class(["java", "-Xmx512m", "-cp", "a:b", "kafka.Kafka", "server.properties"]) == (
        "Kafka"
    )
    spark = ["/opt/java/bin/java", "-cp", "/jars/*", "--add-opens=java.base/java.lang=ALL"]
    executor = [*spark, "org.apache.spark.executor.CoarseGrainedExecutorBackend", "--app-id"]
    assert main_class(executor) == "CoarseGrainedExecutorBackend"
    assert main_class(["java", "--add-modules", "jdk.incubator.vector", "Main"]) == "Main"
    assert main_class(["java", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "Main"]) == "Main"
    assert main_class(["java", "-Xmx1g", "-jar", "/opt/app/server.jar", "--port"]) == "server.jar"
    assert main_class(["java", "-version"]) == "java", "no class: said, not guessed"


def test_each_jvms_parts_are_read_from_jcmd_and_its_status():
    two = answer(7, ["-cp", "x", "org.apache.spark.deploy.worker.Worker"], 120_000)
    two += answer(9, ["-cp", "x", "org.apache.spark.executor.CoarseGrainedExecutorBackend"], 2)
    jvms = jvm_memory(two)
    assert set(jvms) == {"Worker", "CoarseGrainedExecutorBackend"}
    assert jvms["Worker"] == {
        "rss anon": 120_000 * 1024,
        "heap committed": (20544 + 45360) * 1024,  # the generations' totals, not Metaspace's
        "heap used": (12388 + 38755) * 1024,
        "metaspace": 50880 * 1024,
        "code cache": (4346 + 10134 + 1556) * 1024,  # the code heaps' high-water marks
    }
    same = answer(7, ["Main"], 1) + answer(8, ["Main"], 1)
    assert set(jvm_memory(same)) == {"Main", "Main 8"}, "two JVMs of one class: both kept"
    assert jvm_memory("") == {}, "a container with no JVM (Jupyter before a notebook's session)"
    with pytest.raises(ValueError, match="Kafka: no heap in jcmd's answer"):
        jvm_memory(answer(7, ["kafka.Kafka"], 1, jcmd="7:\ncom.sun.tools.attach failed\n"))
    jdk11 = HEAP.replace(
        "used 50342K, committed 50880K", "used 50342K, capacity 5K, committed 50880K"
    )
    with pytest.raises(ValueError, match="Kafka: no Metaspace in jcmd's answer"):
        jvm_memory(answer(7, ["kafka.Kafka"], 1, jcmd=jdk11)), "another JDK's words: not a 0"


def test_g1s_one_heap_is_read_as_serials_generations_are():
    g1 = HEAP.replace(HEAP[HEAP.index(" def new") : HEAP.index(" Metaspace")], G1)
    [parts] = jvm_memory(answer(7, ["Main"], 1, jcmd=g1)).values()
    assert parts["heap committed"] == 262144 * 1024
    assert parts["heap used"] == 51200 * 1024


G1 = """ garbage-first heap   total 262144K, used 51200K [0x00000000f0000000, 0x0000000100000000)
  region size 1024K, 40 young (40960K), 5 survivors (5120K)
"""


MB = 1_000_000


def parts(rss: int, heap: int) -> dict[str, int]:
    return {
        "rss anon": rss * MB,
        "heap committed": heap * MB,
        "heap used": heap * MB // 2,
        "metaspace": 50 * MB,
        "code cache": 15 * MB,
    }


def test_jvm_growth_runs_from_the_settled_minute_and_tells_the_rest():
    readings = [
        (0.0, {"kafka (Kafka)": parts(150, 40)}),
        (600.0, {"kafka (Kafka)": parts(200, 64)}),
        (1200.0, {"kafka (Kafka)": parts(210, 70), "history (HistoryServer)": parts(100, 30)}),
        (3600.0, {"kafka (Kafka)": parts(224, 90), "history (HistoryServer)": parts(110, 30)}),
    ]
    growth = jvm_growth(readings, 600)
    assert growth["history (HistoryServer)"]["rss anon"] == [100, 110], (
        "a container not read once keeps its growth, from its own first reading"
    )
    kafka = growth["kafka (Kafka)"]
    assert kafka["rss anon"] == [200, 224]
    assert kafka["heap committed"] == [64, 90]
    assert kafka["rest"] == [200 - 64 - 50 - 15, 224 - 90 - 50 - 15]
    assert jvm_growth(readings, 4000) == {}


def test_the_report_says_what_holds_each_jvms_memory_and_what_was_not_read():
    growth = jvm_growth(
        [(600.0, {"kafka (Kafka)": parts(200, 64)}), (3600.0, {"kafka (Kafka)": parts(224, 90)})],
        600,
    )
    [row] = jvm_rows({"job": "dstream", "from_minute": 10, "jvm_growth_mb": growth})
    assert "each JVM's own memory (RssAnon, MB) from minute 10 to the end" in row[0]
    assert row[1].startswith("kafka (Kafka) 200→224 (heap committed 64→90, heap used 32→45")
    assert "rest 71→69)" in row[1]
    unread = jvm_rows({"job": "dstream", "jvm_unread": {"kafka": "exited 1"}})
    assert unread == [("soak (dstream): JVMs not read (jcmd)", "kafka: exited 1", "")]
    assert jvm_rows({"job": "dstream"}) == [], "results from before the bench read the JVMs"
