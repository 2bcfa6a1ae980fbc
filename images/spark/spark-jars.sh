#!/usr/bin/env bash
# Fits Spark's jars/ to the lab: spark-jars.sh UNUSED-LIST KAFKA-JARS
# Removes the jars that UNUSED-LIST names (glob patterns, # comments), then adds from
# KAFKA-JARS (resolve-jars.sh --by-artifact: one folder per artifact) only the artifacts that
# Spark has in no version: Spark ships its own scala-library, slf4j, lz4, hadoop-client...,
# and no jar may be on the classpath twice.
set -eo pipefail
jars="$SPARK_HOME/jars"
grep -v '^#' "$1" | while read -r pattern; do
  compgen -G "$jars/$pattern" | xargs -r rm -rf
done
for jar in "$2"/*/*.jar; do
  artifact=$(basename "$(dirname "$jar")")
  if compgen -G "$jars/${artifact}-[0-9]*.jar" >/dev/null; then
    echo "     has   $(basename "$jar")"
  else
    echo "     adds  $(basename "$jar")"
    cp "$jar" "$jars/"
  fi
done
for needed in spark-sql-kafka-0-10 spark-streaming-kafka-0-10 spark-token-provider-kafka-0-10 kafka-clients commons-pool2; do
  compgen -G "$jars/${needed}*.jar" >/dev/null || { echo "ERROR: $needed is missing from $jars" >&2; exit 1; }
done
