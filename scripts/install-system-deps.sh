#!/usr/bin/env bash
# System packages the tests need (Debian): python3-venv for the OpenTelemetry Python SDK, unzip for
# the .vsix check, Chromium for the webview and end-to-end tests, ripgrep and a C++ toolchain with
# Kerberos headers for code-server's native modules (the offline stand-in for VS Code), Java and Maven
# for the real Zipkin server. Skips apt when everything is already there, so a second run is instant.
# With `--code-server`, only what code-server needs (for `npm start` without a desktop VS Code).
set -euo pipefail
need=()
command -v rg >/dev/null || need+=(ripgrep)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v pkg-config >/dev/null || need+=(pkg-config)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need+=(libkrb5-dev)
only_code_server=false
[ "${1:-}" = "--code-server" ] && only_code_server=true
if ! $only_code_server; then
  python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
  command -v unzip >/dev/null || need+=(unzip)
  command -v chromium >/dev/null || need+=(chromium)
  command -v java >/dev/null || need+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || need+=(maven)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2; exit 1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if $only_code_server; then echo "system packages for code-server: ok"; exit 0; fi
# Jaeger is built from its Go module and needs Go 1.24+, newer than Debian 12's golang package.
command -v go >/dev/null || { echo "Go 1.24+ is missing (https://go.dev/dl; needed to build the real Jaeger for the backend tests)" >&2; exit 1; }
echo "system packages: ok"
