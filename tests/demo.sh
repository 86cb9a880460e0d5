#!/usr/bin/env bash
# First-run demo: install, build, build the demo guest, start it and show its status.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tests/deps.sh
tests/build.sh
tests/guest/build.sh x86_64
q="build/qemu-tui --profiles profiles"
$q start demo
$q status demo
cat <<MSG

The demo VM runs detached (a busybox guest; it takes ~15 s to boot under TCG). Try:
  $q cmdline demo        # the QEMU command line it runs
  $q pause demo; $q resume demo
  $q stop demo           # ACPI powerdown, then quit/SIGTERM/SIGKILL if needed
MSG
