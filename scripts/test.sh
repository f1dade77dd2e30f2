#!/usr/bin/env bash
# Install ConvLens with its test extras into .venv, make sure Chromium is there, run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "no /usr/bin/chromium: browser tests will be skipped (sudo apt-get install chromium)"
  fi
fi

# MNIST for the tests that need it: $CONVLENS_DATA, else the shared copy beside the checkout.
if [ -z "${CONVLENS_DATA:-}" ] && [ -d ../shared/data/mnist ]; then
  CONVLENS_DATA="$(cd ../shared/data/mnist && pwd)"
  export CONVLENS_DATA
fi

.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
