#!/usr/bin/env bash
# Stops what `make demo` started: the vk-cmd processes, the pods' process groups and the control plane.
set -euo pipefail
cd "$(dirname "$0")/.."
demo_dir="$PWD/.demo"
for name in kubelet runner; do
  f="$demo_dir/$name.pid"
  if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
    kill "$(cat "$f")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$(cat "$f")" 2>/dev/null || true
  fi
done
# The runner leaves pods running by design (restart safety); the demo is over, so stop them.
if [ -d "$demo_dir/home" ]; then
  find "$demo_dir/home" -name pgid -type f 2>/dev/null | while read -r f; do
    pgid=$(cat "$f" 2>/dev/null || true)
    [ -n "$pgid" ] && [ "$pgid" -gt 1 ] && kill -KILL -- "-$pgid" 2>/dev/null || true
  done
fi
bash scripts/cluster-down.sh
rm -rf "$demo_dir"
echo "demo stopped"
