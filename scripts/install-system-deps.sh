#!/usr/bin/env bash
# System packages the tests need (Debian): python3-venv for the OpenTelemetry Python SDK, unzip for
# the .vsix check. Skips apt when everything is already there, so a second run is instant.
set -euo pipefail
need=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
command -v unzip >/dev/null || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2; exit 1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "system packages: ok"
