#!/usr/bin/env bash
# Port selection for scripts/demo.sh, kept apart so that tests can run it
# alone (`scripts/demo.sh --check-ports`). Sourced; defines functions only.

# port_listening <port>: true when some socket on this machine listens on
# TCP <port> (any address), read from /proc so no tool is needed. The tables
# are read once per shell, by awk: bash's `read` takes /proc files a byte per
# system call, which with thousands of sockets took minutes.
_listening_hex_ports=
port_listening() {
  local port=$1
  if [[ -z "$_listening_hex_ports" ]]; then
    # Columns: sl local_address rem_address st ...; st 0A is LISTEN.
    _listening_hex_ports=" $(awk '$4 == "0A" { n = split($2, a, ":"); printf "%s ", a[n] }' \
      /proc/net/tcp /proc/net/tcp6 2>/dev/null) "
  fi
  [[ "$_listening_hex_ports" == *" $(printf '%04X' "$port") "* ]]
}

# port_owner <port>: who listens on <port>, e.g. `node (pid 1234)`, from
# `ss -ltnp`; "an unknown process" when ss cannot tell (another user's).
port_owner() {
  local port=$1 line who
  if command -v ss >/dev/null 2>&1; then
    line=$(ss -H -ltnp "sport = :$port" 2>/dev/null | head -n1)
    # users:(("node",pid=1234,fd=21))
    if [[ "$line" =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
      who="${BASH_REMATCH[1]} (pid ${BASH_REMATCH[2]})"
    fi
  fi
  printf '%s' "${who:-an unknown process}"
}

# pick_port <name> <explicit value or ""> <default> [<avoid>]: prints the port to use.
# An explicit value (the user set the variable) is used as it is, or refused
# when taken; the default moves to the next free port, saying so on stderr.
# <avoid> is a port already picked for something else. Returns 1, with the
# port and its owner on stderr, when it cannot proceed.
pick_port() {
  local name=$1 explicit=$2 default=$3 avoid=${4:-} port
  if [[ -n "$explicit" ]]; then
    if ! [[ "$explicit" =~ ^[0-9]+$ ]] || ((explicit < 1 || explicit > 65535)); then
      printf 'demo: %s=%s is not a port number\n' "$name" "$explicit" >&2
      return 1
    fi
    if [[ "$explicit" == "$avoid" ]]; then
      printf 'demo: %s=%s is the port chosen for another part of the demo\n' "$name" "$explicit" >&2
      return 1
    fi
    if port_listening "$explicit"; then
      printf 'demo: port %s (%s) is taken by %s; stop it or choose another port with %s=<port>\n' \
        "$explicit" "$name" "$(port_owner "$explicit")" "$name" >&2
      return 1
    fi
    printf '%s\n' "$explicit"
    return 0
  fi
  for ((port = default; port < default + 100 && port <= 65535; port++)); do
    if [[ "$port" != "$avoid" ]] && ! port_listening "$port"; then
      if ((port != default)); then
        printf 'demo: port %s is taken by %s; using %s for %s instead (set %s to choose)\n' \
          "$default" "$(port_owner "$default")" "$port" "$name" "$name" >&2
      fi
      printf '%s\n' "$port"
      return 0
    fi
  done
  printf 'demo: ports %s-%s are all taken (port %s by %s); set %s=<port>\n' \
    "$default" "$((default + 99))" "$default" "$(port_owner "$default")" "$name" >&2
  return 1
}
