#!/usr/bin/env bash
# Installs what comfysh needs from the system (libedit-dev, for the shell's line editor;
# chromium, for the dashboard's browser tests) when it is missing, then builds. Safe to run
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
if ! command -v chromium >/dev/null; then
    echo "setup: installing chromium (the dashboard's browser tests run it headless)" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
swift build
