#!/usr/bin/env bash
# First-run demo: install, build, build the demo guest, start it and open the dashboard on it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tests/deps.sh
tests/build.sh
tests/guest/build.sh x86_64
q="build/qemu-tui --profiles profiles"
$q start demo
if [ -t 0 ] && [ -t 1 ]; then
	# The demo guest takes ~15 s to boot under TCG; the dashboard shows it live.
	exec $q
fi
$q status demo
echo "(no terminal: run '$q' to open the dashboard)"
