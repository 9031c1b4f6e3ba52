#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium. Install it when it is missing and
# this machine can (root, apt-get); otherwise say so: the browser tests then skip, saying why.
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no Chromium and no apt-get here: the dashboard's browser tests will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: no Chromium, and installing it needs root: the dashboard's browser tests will be skipped" >&2
    exit 0
  fi
fi
echo "ensure-chromium: installing Debian's chromium for the dashboard's browser tests"
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium; }; then
  echo "ensure-chromium: apt-get could not install chromium: the dashboard's browser tests will be skipped" >&2
fi
exit 0
