#!/usr/bin/env bash
# Install the planner into ./.venv (and the Debian packages it needs).
#   bash scripts/install.sh         the application
#   bash scripts/install.sh --test  the application in editable mode, with the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system.sh
python3 -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q .
fi
echo "installed: $(.venv/bin/planner --version)" >&2
