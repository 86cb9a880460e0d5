#!/usr/bin/env bash
# The benchmarks in bench/ run and print their figures: tiny sizes, the test build ($QEMU_TUI).
# Figures are not checked against goals here (see bench/README.md), only that they come out.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
for c in tmux socat cc; do
	command -v $c >/dev/null || skip "$c is not installed"
done
[ -f /usr/include/vterm.h ] || pkg-config --exists vterm 2>/dev/null || skip "libvterm headers are not installed"
export QEMU_TUI

# expect OUTPUT WHAT REGEX...: every REGEX (extended) matches a line of OUTPUT.
expect() {
	local out=$1 what=$2 re
	shift 2
	for re in "$@"; do
		grep -qE -- "$re" <<<"$out" || { echo "$out"; fail "$what printed no line matching: $re"; }
	done
}

start=$SECONDS
out=$("$top_srcdir/bench/console-throughput" --mb 1 --runs 1 --rss-vms 2 2>&1) ||
	{ echo "$out"; fail "bench/console-throughput exited non-zero"; }
echo "$out"
num='[0-9]+(\.[0-9]+)?'
expect "$out" console-throughput \
	"^qemu-tui: $num s, $num MB/s" \
	"^tmux: $num s, $num MB/s" \
	"^libvterm floor: $num s, $num MB/s" \
	"^ratio qemu-tui/tmux: $num" \
	"^qemu-tui dashboard peak RSS: $num MiB .*scrollback of the last console: 10000 lines" \
	"^tmux server peak RSS: $num MiB"
ok "bench/console-throughput --mb 1 runs and prints its figures ($((SECONDS - start)) s)"

start=$SECONDS
out=$("$top_srcdir/bench/keystroke-latency" --keys 20 2>&1) ||
	{ echo "$out"; fail "bench/keystroke-latency exited non-zero"; }
echo "$out"
expect "$out" keystroke-latency \
	"^qemu-tui: median $num ms, p90 $num ms .*; 20 keys\)" \
	"^socat: median $num ms, p90 $num ms .*; 20 keys\)" \
	"^ratio qemu-tui/socat: median $num, p90 $num"
ok "bench/keystroke-latency --keys 20 runs and prints its figures ($((SECONDS - start)) s)"
start=$SECONDS
out=$("$top_srcdir/bench/image-convert" --gib 1 --runs 1 2>&1) ||
	{ echo "$out"; fail "bench/image-convert exited non-zero"; }
echo "$out"
expect "$out" image-convert \
	"^qemu-img convert: $num s \(median of 1\)" \
	"^qemu-tui image convert: $num s \(median of 1\)" \
	"^ratio qemu-tui/qemu-img: $num"
ok "bench/image-convert --gib 1 runs and prints its figures ($((SECONDS - start)) s)"
if command -v valgrind >/dev/null; then
	start=$SECONDS
	out=$("$top_srcdir/bench/term-instructions" --mb 0.2 --size 40x10 2>&1) ||
		{ echo "$out"; fail "bench/term-instructions exited non-zero"; }
	echo "$out"
	expect "$out" term-instructions \
		"^term-instructions: [0-9]+ bytes" \
		"^40x10 +$num M +$num M +$num M $num \\((met|not met)\\)"
	ok "bench/term-instructions --mb 0.2 runs and prints its figures ($((SECONDS - start)) s)"
elif [ "${CI:-}" = true ]; then
	fail "valgrind is not installed (tests/deps.sh installs it)"
fi
echo "PASS: t-bench-smoke"
