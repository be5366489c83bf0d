#!/usr/bin/env bash
# Installs what comfysh needs from the system (libedit-dev, for the shell's line editor;
# libsqlite3-dev, for the job store)
# when it is missing, then builds. Safe to run again: it installs nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in libedit-dev libsqlite3-dev; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
swift build
