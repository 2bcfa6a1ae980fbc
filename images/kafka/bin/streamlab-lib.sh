# shellcheck shell=bash
# Shell functions shared by the entrypoint and the healthcheck (sourced, not run).

# Sends a ZooKeeper four-letter word to host $1 port $2 and prints the answer. Bash builtins
# only (the healthcheck runs this every STREAMLAB_HEALTHCHECK_INTERVAL): read until ZooKeeper closes,
# STREAMLAB_HEALTH_WAIT_S (4) seconds at most.
four_letter_word() {
  local answer
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf '%s' "$3" >&3
  IFS= read -r -d '' -t "${STREAMLAB_HEALTH_WAIT_S:-4}" answer <&3 || true  # no NUL comes: read ends at EOF, status 1
  exec 3<&-
  printf '%s' "$answer"
}

# Asks the broker at host $1 port $2 for its API versions (ApiVersions v0, correlation id 7,
# client "health") and succeeds when it answers that request without error. A broker answers
# only once it processes requests, and no JVM starts for the question (a healthcheck that ran
# kafka-topics every 10 s cost a tenth of a core while the lab sat idle).
kafka_answers() {
  local answer
  { exec 4<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
  printf '\x00\x00\x00\x10\x00\x12\x00\x00\x00\x00\x00\x07\x00\x06health' >&4
  # size (4 bytes), correlation id (4), error code (2), as hex (bash cannot hold NUL bytes)
  answer=$(timeout "${STREAMLAB_HEALTH_WAIT_S:-4}" od -An -tx1 -N 10 <&4)
  exec 4<&-
  answer=${answer//[$' \n']/}
  [ "${answer:8:12}" = 000000070000 ]
}
