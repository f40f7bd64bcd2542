#!/usr/bin/env bash
# The PTY options for `exec -t` and tty containers, side by side on this
# machine: size on disk, time to run `true` on a new pseudo-terminal (the
# whole cost of one session's terminal: start the holder, open the pty,
# fork/exec, wait, relay, exit), and the resident memory of the process
# that holds the terminal while the program runs.
#
#   vk-cmd-pty   native/vk-cmd-pty.c, dynamic and static (as make dist ships it)
#   script(1)    util-linux: script -q -e -c PROGRAM /dev/null
#   python3      python3 -c 'import pty; pty.spawn([...])'
#   node-pty     @lydell/node-pty (prebuilt linux-x64 addon): a Node.js
#                process holding it (what a tty container would need, since
#                the terminal must outlive the runner), and in-process
#                spawns in one Node.js (what exec could use)
#
# Usage: bench/decisions/pty-options.sh [RUNS]   (default 50)
# Needs cc, script, python3, node and the npm registry (node-pty into a temp dir).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${1:-50}
NODE_PTY=@lydell/node-pty@1.1.0
# The interpreter itself, not a version manager's shim in front of it.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
work=$(mktemp -d "${TMPDIR:-/tmp}/vk-cmd-pty-options.XXXXXX")
trap 'rm -rf "$work"' EXIT

cc -O2 -o "$work/pty-dynamic" "$ROOT/native/vk-cmd-pty.c"
cc -O2 -static -o "$work/pty-static" "$ROOT/native/vk-cmd-pty.c"
strip "$work/pty-dynamic" "$work/pty-static"
npm install --prefix "$work/npm" --no-fund --no-audit --silent "$NODE_PTY"
addon=$(find "$work/npm/node_modules/@lydell" -name pty.node | head -n 1)
addon_bytes=$(du -sb "$work/npm/node_modules/@lydell" | awk '{s += $1} END {print s}')

cat >"$work/node-pty-hold.cjs" <<JS
const pty = require('$work/npm/node_modules/@lydell/node-pty');
const p = pty.spawn(process.argv[2], process.argv.slice(3), { cols: 80, rows: 24 });
p.onData(() => {});
p.onExit(({ exitCode }) => process.exit(exitCode));
JS
cat >"$work/node-pty-inprocess.cjs" <<JS
const pty = require('$work/npm/node_modules/@lydell/node-pty');
const runs = Number(process.argv[2]);
const one = () => new Promise((resolve) => {
  const p = pty.spawn('/bin/true', [], { cols: 80, rows: 24 });
  p.onData(() => {});
  p.onExit(resolve);
});
(async () => {
  await one();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await one();
  console.log((Number(process.hrtime.bigint() - start) / 1e6 / runs).toFixed(2));
})();
JS

# Milliseconds per run of a command, averaged over RUNS (after one warm-up run).
per_run_ms() {
  "$@" </dev/null >/dev/null 2>&1 || true
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < RUNS; i++)); do "$@" </dev/null >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  awk -v ns=$((end - start)) -v n="$RUNS" 'BEGIN { printf "%.2f", ns / n / 1e6 }'
}

# VmRSS (kB) of the terminal's holder while `sleep 2` runs on the terminal.
holder_rss_kb() {
  setsid "$@" </dev/null >/dev/null 2>&1 &
  local pid=$!
  sleep 0.7
  awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo '?'
  wait "$pid" 2>/dev/null || true
}

printf 'load average: %s\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| option | on disk (bytes) | `true` on a pty (ms per run) | holder RSS (kB) |\n| --- | --- | --- | --- |\n'
printf '| (baseline: setsid -w true, no pty) | | %s | |\n' "$(per_run_ms setsid -w /bin/true)"
for variant in dynamic static; do
  bin=$work/pty-$variant
  printf '| vk-cmd-pty, %s | %s | %s | %s |\n' "$variant" "$(stat -c %s "$bin")" \
    "$(per_run_ms setsid -w "$bin" --no-stdin -- /bin/true)" \
    "$(holder_rss_kb "$bin" --no-stdin -- /bin/sleep 2)"
done
printf '| script(1) %s | %s | %s | %s |\n' "$(script --version | awk '{print $NF}')" "$(stat -c %s "$(command -v script)")" \
  "$(per_run_ms setsid -w script -q -e -c /bin/true /dev/null)" \
  "$(holder_rss_kb script -q -e -c '/bin/sleep 2' /dev/null)"
# pty.spawn relays stdin too; /dev/null as stdin makes it wait for its select loop to notice, so the
# time is for a helper-sized python3 script: fork on a pty, exec, wait.
printf '| python3 %s pty.fork | (interpreter) | %s | %s |\n' "$("$PYTHON" -c 'import platform; print(platform.python_version())')" \
  "$(per_run_ms setsid -w "$PYTHON" -c 'import os, pty
pid, fd = pty.fork()
if pid == 0: os.execv("/bin/true", ["true"])
while True:
    try:
        if not os.read(fd, 4096): break
    except OSError: break
os.waitpid(pid, 0)')" \
  "$(holder_rss_kb "$PYTHON" -c 'import pty; pty.spawn(["/bin/sleep", "2"])')"
printf '| node-pty (%s), a Node.js holder | %s (addon %s) | %s | %s |\n' "$NODE_PTY" "$addon_bytes" "$(stat -c %s "$addon")" \
  "$(per_run_ms setsid -w node "$work/node-pty-hold.cjs" /bin/true)" \
  "$(holder_rss_kb node "$work/node-pty-hold.cjs" /bin/sleep 2)"
printf '| node-pty, in-process spawn | | %s | (the runner) |\n' "$(node "$work/node-pty-inprocess.cjs" "$RUNS")"
