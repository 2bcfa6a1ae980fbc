# shellcheck shell=bash
# Shell functions shared by the entrypoint and the healthcheck (sourced, not run).

# Sends a ZooKeeper four-letter word to host $1 port $2 and prints the answer.
four_letter_word() {
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf '%s' "$3" >&3
  timeout 5 cat <&3
  exec 3<&-
}

# Asks the broker at host $1 port $2 for its API versions (ApiVersions v0, correlation id 7,
# client "health") and succeeds when it answers that request without error. A broker answers
# only once it processes requests, and no JVM starts for the question (a healthcheck that ran
# kafka-topics every 10 s cost a tenth of a core while the lab sat idle).
kafka_answers() {
  local answer
  { exec 4<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
  printf '\x00\x00\x00\x10\x00\x12\x00\x00\x00\x00\x00\x07\x00\x06health' >&4
  # size (4 bytes), correlation id (4), error code (2)
  answer=$(timeout 5 head -c 10 <&4 | od -An -tx1 | tr -d ' \n')
  exec 4<&-
  [ "${answer:8:12}" = 000000070000 ]
}
