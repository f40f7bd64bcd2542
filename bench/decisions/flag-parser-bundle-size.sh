#!/usr/bin/env bash
# The runner bundle, built as scripts/dist.sh builds it (esbuild, ESM, not
# minified), for three parsers of the same flags:
#   base       BASE_COMMIT, the hand-written parsers
#   parseArgs  HEAD: the flag table, the Go-style normaliser and util.parseArgs
#   commander  HEAD plus commander parsing the runner's table (a prototype)
# Prints raw and gzip -9 bytes of the bundle and its source map.
#
# Usage: bench/decisions/flag-parser-bundle-size.sh [BASE_COMMIT] [COMMANDER_VERSION]
# Needs npm ci (esbuild) and the npm registry (commander, into a temp dir).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASE=${1:-21cb6a2}
COMMANDER=${2:-14.0.3}
work=$(mktemp -d "${TMPDIR:-/tmp}/vk-cmd-flag-size.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The esbuild step of scripts/dist.sh, word for word.
sed -n "/^cat >\"\$stage_root\/build.mjs\" <<'EOF'$/,/^EOF$/p" "$ROOT/scripts/dist.sh" | sed '1d;$d' >"$work/build.mjs"

checkout() { # <dir> <commit>: the commit's files, with this checkout's node_modules
  mkdir -p "$1/node_modules"
  git -C "$ROOT" archive "$2" | tar -x -C "$1"
  for d in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do ln -s "$d" "$1/node_modules/"; done
}
checkout "$work/base" "$BASE"
checkout "$work/parseArgs" HEAD
checkout "$work/commander" HEAD
npm install --prefix "$work/npm" --no-fund --no-audit --silent "commander@$COMMANDER"
ln -s "$work/npm/node_modules/commander" "$work/commander/node_modules/commander"
cat >"$work/commander/src/runner/commander-main.ts" <<'EOF'
import { Command, Option } from 'commander';
import { RUNNER_FLAGS } from './runner-flags.js';
import './main.js';

const program = new Command('vk-cmd-runner').exitOverride().configureOutput({ writeErr: () => undefined });
for (const spec of RUNNER_FLAGS) {
  const short = spec.aliases?.find((a) => a.length === 1);
  const option = new Option(`${short ? `-${short}, ` : ''}--${spec.name}${spec.type === 'bool' ? '' : ' <value>'}`, spec.help);
  if (spec.type === 'enum') option.choices(spec.values);
  if (spec.type === 'int') option.argParser((v) => Number(v));
  if ('default' in spec && spec.default !== undefined) option.default(spec.default);
  program.addOption(option);
}
export const parsed = program.parse(process.argv.slice(2), { from: 'user' }).opts();
EOF

printf '| parser | bundle | gzip -9 | source map |\n| --- | --- | --- | --- |\n'
for variant in base parseArgs commander; do
  entry=src/runner/main.ts
  [[ $variant == commander ]] && entry=src/runner/commander-main.ts
  (cd "$work/$variant" && node "$work/build.mjs" "$entry" "$work/$variant.mjs" 0.0.0 "$work/$variant")
  printf '| %s | %s | %s | %s |\n' "$variant" "$(stat -c %s "$work/$variant.mjs")" \
    "$(gzip -9 -c "$work/$variant.mjs" | wc -c)" "$(stat -c %s "$work/$variant.mjs.map")"
done
