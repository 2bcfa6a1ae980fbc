"""What a JVM's own memory is made of, read inside its container with the image's jcmd: the
heap's generations, the class metadata (Metaspace), the JIT's compiled code, beside the
process's resident anonymous memory. A soak's container that grows by its own memory (not page
cache) then says which of these grew: a heap or a code cache filling up to its bound from a small
start, or memory outside both."""

from __future__ import annotations

import re

from streamlab.compose import exec_in

# Every java process of the container: its command line, its RssAnon, then jcmd's answers.
# The JVMs run without perf data (-XX:-UsePerfData), so `jcmd -l` lists none: /proc does.
SCRIPT = r"""
for dir in /proc/[0-9]*; do
  [ "$(cat "$dir/comm" 2>/dev/null)" = java ] || continue
  pid=${dir#/proc/}
  echo "=== $pid"; tr '\0' '\n' < "$dir/cmdline"
  echo "--- status"; grep RssAnon "$dir/status"
  echo "--- jcmd"; jcmd "$pid" GC.heap_info; jcmd "$pid" Compiler.codecache
done
exit 0  # a JVM whose jcmd failed is named by the parse, whichever it was
"""
# Options whose value is the next argument: not the main class.
VALUE_OPTIONS = {
    *("-cp", "-classpath", "--class-path", "--module-path", "-p", "--upgrade-module-path"),
    *("--add-modules", "--add-opens", "--add-exports", "--add-reads", "--patch-module"),
    *("--limit-modules", "--enable-native-access"),
}
KB = 1024
# Each part of jcmd's answer (JDK 17's words), its kilobytes the one group; every part must be
# there, lest it read as 0. The heap's line is each collector's own (Serial's generations, G1's
# one heap); ZGC's is not read.
HEAP_LINE = r"(?m)^ \S.*? total {}K, used {}K"
PARTS = {  # part: (what jcmd's answer calls it, the pattern)
    "heap committed": ("heap", HEAP_LINE.format(r"(\d+)", r"\d+")),
    "heap used": ("heap", HEAP_LINE.format(r"\d+", r"(\d+)")),
    "metaspace": ("Metaspace", r"Metaspace\s+used \d+K, committed (\d+)K"),
    "code cache": ("code heap", r"max_used=(\d+)Kb"),
}


def main_class(arguments: list[str]) -> str:
    """The class a `java` command line runs (its last name), found after the options."""
    rest = iter(arguments[1:])
    for argument in rest:
        if argument == "-jar":
            return next(rest, "java").rsplit("/", 1)[-1]
        if argument in VALUE_OPTIONS:
            next(rest, None)
        elif not argument.startswith("-"):
            return argument.rsplit(".", 1)[-1]
    return "java"


def kb(pattern: str, text: str) -> int:
    """Bytes summed over every match of `pattern`, whose one group is a count of kilobytes."""
    return sum(int(value) for value in re.findall(pattern, text)) * KB


def jvm_memory(answer: str) -> dict[str, dict[str, int]]:
    """SCRIPT's answer as {main class: bytes of each part}: the heap's generations as GC.heap_info
    totals them (committed, and used), Metaspace committed, the code heaps' high-water mark
    (max_used: compiled code's pages stay touched), and the process's RssAnon."""
    jvms: dict[str, dict[str, int]] = {}
    for block in answer.split("=== ")[1:]:
        command, _, rest = block.partition("--- status\n")
        status, _, jcmd = rest.partition("--- jcmd\n")
        pid, *arguments = command.splitlines()
        name = main_class(arguments)
        name = f"{name} {pid}" if name in jvms else name
        missing = [word for word, pattern in PARTS.values() if not re.search(pattern, jcmd)]
        if missing:
            raise ValueError(f"{name}: no {missing[0]} in jcmd's answer: {jcmd[-300:]!r}")
        jvms[name] = {"rss anon": kb(r"RssAnon:\s+(\d+) kB", status)}
        jvms[name].update({part: kb(pattern, jcmd) for part, (_, pattern) in PARTS.items()})
    return jvms


def read(service: str, container: str) -> dict[str, dict[str, int]]:
    """The JVMs of one service's container, by its id ({} where it runs none)."""
    return jvm_memory(exec_in(service, "sh", "-c", SCRIPT, timeout=60, container=container))
