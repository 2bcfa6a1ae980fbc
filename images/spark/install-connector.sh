#!/usr/bin/env bash
# Resolves Spark's Kafka integrations with the Ivy jar that PySpark ships and adds to Spark's
# jars/ the jars it does not have yet: install-connector.sh GROUP:ARTIFACT:VERSION...
# maven_repo_url (a build arg) names a mirror; without it Ivy's default Maven repository serves.
set -eo pipefail
jars="$SPARK_HOME/jars"
work=$(mktemp -d)
{
  echo '<ivy-module version="2.0"><info organisation="streamlab" module="spark-image"/><dependencies>'
  for root in "$@"; do
    IFS=: read -r org name rev <<<"$root"
    echo "  <dependency org=\"${org}\" name=\"${name}\" rev=\"${rev}\" conf=\"default->default\"/>"
  done
  echo '</dependencies></ivy-module>'
} >"$work/ivy.xml"
if [ -n "${maven_repo_url:-}" ]; then
  resolver="<ibiblio name=\"maven\" m2compatible=\"true\" root=\"${maven_repo_url}\"/>"
else
  resolver='<ibiblio name="maven" m2compatible="true"/>'
fi
cat >"$work/ivysettings.xml" <<XML
<ivysettings>
  <settings defaultResolver="maven"/>
  <caches defaultCacheDir="$work/cache"/>
  <resolvers>${resolver}</resolvers>
</ivysettings>
XML
echo "===> resolving $* from ${maven_repo_url:-the default Maven repository}"
ivy_jar=$(ls "$jars"/ivy-*.jar)
if ! java -jar "$ivy_jar" -settings "$work/ivysettings.xml" -ivy "$work/ivy.xml" \
      -confs default -retrieve "$work/lib/[artifact]/[artifact]-[revision](-[classifier]).[ext]" >"$work/ivy.log" 2>&1; then
  tail -n 25 "$work/ivy.log" >&2
  echo "ERROR: Ivy could not resolve $* from ${maven_repo_url:-the default Maven repository}." >&2
  echo "       Is the repository reachable from the build? Offline, run scripts/offline-prereqs.sh" >&2
  echo "       or set STREAMLAB_MAVEN_REPO_URL to a Maven mirror (the build uses the host network)." >&2
  exit 1
fi
# Spark ships its own copies of the common jars (scala-library, slf4j, lz4, hadoop-client...):
# add only the artifacts it has in no version, so that no jar is on the classpath twice.
for jar in "$work"/lib/*/*.jar; do
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
rm -rf "$work"
