#!/usr/bin/env bash
# Resolves Maven roots with Ivy (Debian's package) into one folder, for both images:
#   resolve-jars.sh [--by-artifact] DEST ROOT...
# A ROOT is group:artifact:version; an argument may hold several, space-separated (a build
# arg that lists a logging binding's jars). --by-artifact retrieves each jar into
# DEST/<artifact>/, so that the Spark image can tell which artifacts it has already.
# maven_repo_url (a build arg) names a mirror; without it Ivy's default Maven repository serves.
set -eo pipefail
layout='[artifact]-[revision](-[classifier]).[ext]'
if [ "$1" = --by-artifact ]; then layout="[artifact]/$layout"; shift; fi
dest=$1; shift
read -r -a roots <<<"$*"
work=$(mktemp -d)
{
  echo '<ivy-module version="2.0"><info organisation="streamlab" module="image"/><dependencies>'
  for root in "${roots[@]}"; do
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
where=${maven_repo_url:-the default Maven repository}
echo "===> resolving ${roots[*]} from $where"
if ! java -jar /usr/share/java/ivy.jar -settings "$work/ivysettings.xml" -ivy "$work/ivy.xml" \
      -confs default -retrieve "$dest/$layout" >"$work/ivy.log" 2>&1; then
  tail -n 25 "$work/ivy.log" >&2
  echo "ERROR: Ivy could not resolve ${roots[*]} from $where." >&2
  echo "       Is the repository reachable from the build? Offline, run scripts/offline-prereqs.sh" >&2
  echo "       or set STREAMLAB_MAVEN_REPO_URL to a Maven mirror (the build uses the host network)." >&2
  exit 1
fi
echo "===> $(find "$dest" -name '*.jar' | wc -l) jars in $dest"
rm -rf "$work"
