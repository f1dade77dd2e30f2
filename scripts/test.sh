#!/usr/bin/env bash
# Install ConvLens with its test and dev extras into .venv, make sure Chromium is there, run the suite.
#
# Versions come from requirements-dev.lock (pinned, with hashes; Python 3.11, Linux x86_64);
# pyproject.toml keeps the ranges. The Dockerfile installs requirements.lock (runtime only).
# After changing a dependency in pyproject.toml, refresh both locks with uv (pip install uv):
#   uv pip compile pyproject.toml --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
#     --generate-hashes -o requirements.lock
#   uv pip compile pyproject.toml --extra test --extra dev -c requirements.lock --python-version 3.11 \
#     --python-platform x86_64-unknown-linux-gnu --generate-hashes -o requirements-dev.lock
# (add --upgrade to move every pin to the newest release the ranges allow). [bench] stays unlocked.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.lock
.venv/bin/python -m pip install -q --no-deps -e .

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
