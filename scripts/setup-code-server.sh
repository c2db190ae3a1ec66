#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3) from npm into .cache/code-server: the real VS Code the
# integration and end-to-end tests run in on machines that cannot download VS Code itself. Its own
# postinstall fails offline (it fetches ripgrep from GitHub), so the postinstall is replayed by hand.
# Cached: a stamp file makes a second run instant.
set -euo pipefail
trap 'echo "code-server install failed; see .cache/code-server/install.log" >&2' ERR
VERSION=4.100.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="$ROOT/.cache/code-server"
STAMP="$PREFIX/.installed-$VERSION"
if [ -f "$STAMP" ]; then echo "code-server $VERSION: up to date in .cache/code-server"; exit 0; fi

command -v rg >/dev/null || { echo "ripgrep is missing: run scripts/install-system-deps.sh" >&2; exit 1; }
echo "code-server $VERSION: installing into .cache/code-server (about a minute)"
rm -rf "$PREFIX" && mkdir -p "$PREFIX"
export npm_config_nodedir=/usr   # node-gyp builds against the system Node headers, no download
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
NODE_GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
cd "$PREFIX"
echo '{"private":true}' > package.json
LOG="$PREFIX/install.log"
npm install --ignore-scripts --no-save "code-server@$VERSION" >"$LOG" 2>&1
npm rebuild argon2 --build-from-source >>"$LOG" 2>&1
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts >>"$LOG" 2>&1
npm rebuild @vscode/spdlog @vscode/deviceid kerberos native-watchdog --build-from-source >>"$LOG" 2>&1
(cd node_modules/node-pty && node "$NODE_GYP" rebuild >>"$LOG" 2>&1)
mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev >>"$LOG" 2>&1)
touch "$STAMP"
echo "code-server $VERSION: installed"
