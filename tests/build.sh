#!/usr/bin/env bash
# Configure (once) and build qemu-tui in build/; extra arguments go to configure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
if [ ! -f Makefile ] || [ "${QT_RECONFIGURE:-}" = 1 ]; then
	../configure --quiet "$@"
fi
make -s -j"$(nproc)"
