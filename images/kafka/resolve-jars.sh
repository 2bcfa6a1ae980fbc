#!/usr/bin/env bash
# Resolves Maven roots with Ivy into one folder of jars: resolve-jars.sh DEST group:artifact:version...
# Reads maven_repo_url (a build arg) for a mirror; without one, Ivy's default Maven repository serves.
set -eo pipefail
dest=$1; shift
work=$(mktemp -d)
{
  echo '<ivy-module version="2.0"><info organisation="streamlab" module="kafka-image"/><dependencies>'
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
echo "===> resolving $# Maven roots from ${maven_repo_url:-the default Maven repository}"
if ! java -jar /usr/share/java/ivy.jar -settings "$work/ivysettings.xml" -ivy "$work/ivy.xml" \
      -confs default -retrieve "$dest/[artifact]-[revision](-[classifier]).[ext]" >"$work/ivy.log" 2>&1; then
  tail -n 25 "$work/ivy.log" >&2
  echo "ERROR: Ivy could not resolve the Kafka jars from ${maven_repo_url:-the default Maven repository}." >&2
  echo "       Is the repository reachable from the build? Offline, run scripts/offline-prereqs.sh" >&2
  echo "       or set STREAMLAB_MAVEN_REPO_URL to a Maven mirror (the build uses the host network)." >&2
  exit 1
fi
echo "===> $(find "$dest" -name '*.jar' | wc -l) jars in $dest"
rm -rf "$work"
