# shellcheck shell=bash
# Shell functions shared by the entrypoint and the healthcheck (sourced, not run).

# Sends a ZooKeeper four-letter word to host $1 port $2 and prints the answer.
four_letter_word() {
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf '%s' "$3" >&3
  timeout 5 cat <&3
  exec 3<&-
}
