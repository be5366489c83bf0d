#!/usr/bin/env bash
# Installs what comfysh needs from the system (libedit-dev, for the shell's line editor;
# chromium and firefox-esr, for the dashboard's browser tests) when it is missing, then builds. Safe to run
# again: it installs nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg -s libedit-dev >/dev/null 2>&1; then
    echo "setup: installing libedit-dev" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libedit-dev >/dev/null
fi
browsers=()
command -v chromium >/dev/null || browsers+=(chromium)
command -v firefox-esr >/dev/null || command -v firefox >/dev/null || browsers+=(firefox-esr)
if (( ${#browsers[@]} )); then
    echo "setup: installing ${browsers[*]} (the dashboard's browser tests run them headless)" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${browsers[@]}" >/dev/null
fi
swift build
