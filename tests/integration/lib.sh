# Shared by the integration tests: a private profile dir and run dir, the real test
# guest, and a cleanup that never leaves a QEMU behind. Sourced, not run.
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${QEMU_TUI:=$top_srcdir/build/qemu-tui}"
GUEST=${GUEST_OUT:-$top_srcdir/tests/guest/out}

# A skip is allowed for a user without QEMU or root; under CI it is a failure.
skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: would skip under CI: $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok - $*"; }

need_guest() {	# arch...
	local a
	for a in "$@"; do
		command -v "qemu-system-$a" >/dev/null || skip "qemu-system-$a is not installed"
		[ -f "$GUEST/$a/initrd.img" ] || skip "test guest not built: run tests/guest/build.sh"
	done
}

T=$(mktemp -d /tmp/qtt.XXXXXX)
export QEMU_TUI_RUNDIR=$T/run
# VMs' state directories (UEFI variables) too: delete and rename act on them, and a
# test's VM names must not reach the user's ~/.local/state/qemu-tui.
export XDG_STATE_HOME=$T/state
# Sanitizer reports from any qemu-tui process (the dashboard's stderr is a tmux pane,
# a supervisor's is qemu.log) land here, and the test fails on them at cleanup.
export ASAN_OPTIONS="log_path=$T/asan:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1:${UBSAN_OPTIONS:-}"
mkdir -p "$T/profiles"

# grep -q in a pipeline under pipefail exits at the first match, and a writer that
# has more to say gets SIGPIPE: the pipeline fails though the line was there (ip,
# qemu-img and others write line by line). Every grep -q here reads all its input.
grep() {
	local a quiet=false opts=true args=()
	while [ $# -gt 0 ]; do
		a=$1
		shift
		if $opts; then
			case $a in
			--) opts=false ;;
			-e|-f|-m|-A|-B|-C) args+=("$a" "$1"); shift; continue ;;
			--quiet|--silent) quiet=true; continue ;;
			--*) ;;
			-*q*) quiet=true; a=${a//q/}; [ "$a" = - ] && continue ;;
			-*) ;;
			*) opts=false ;;
			esac
		fi
		args+=("$a")
	done
	if $quiet; then command grep "${args[@]}" >/dev/null; else command grep "${args[@]}"; fi
}

qt() { "$QEMU_TUI" --profiles "$T/profiles" "$@"; }

cleanup() {
	local d pid
	watchdog_end
	for d in "$T"/run/*/; do
		[ -d "$d" ] || continue
		pid=$(cat "$d/supervisor.pid" 2>/dev/null || true)
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
		pid=$(cat "$d/qemu.pid" 2>/dev/null || true)
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
	done
	sleep 0.2
	local reports
	reports=$(ls "$T"/asan.* "$T"/ubsan.* 2>/dev/null || true)
	if [ -n "$reports" ]; then
		echo "FAIL: sanitizer reports from qemu-tui processes:"
		for f in $reports; do head -n 40 "$f"; done
		rm -rf "$T"
		exit 1
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# A test that hangs fails after QT_TEST_LIMIT seconds, showing what was still running
# (and where each qemu-tui waited), instead of holding the whole suite until CI's end.
QT_TEST_LIMIT=${QT_TEST_LIMIT:-1200}
watchdog_bark() {
	local p
	echo "FAIL: $(basename "$0") still running after $QT_TEST_LIMIT s (QT_TEST_LIMIT); what runs:"
	ps -eo pid,ppid,etimes,stat,wchan:18,args --forest | grep -F -e "$T" -e "$(basename "$0")" | cut -c1-240
	for p in $(pgrep -f "qemu-tui.*$T" || true); do
		echo "--- qemu-tui pid $p waits in:"
		command -v gdb >/dev/null && gdb -p "$p" -batch -ex bt 2>/dev/null | grep '^#' | head -n 12
	done
	for p in "$T"/run/*/serial.log; do
		[ -f "$p" ] && { echo "--- the last lines of $p:"; tail -n 8 "$p" | tr -d '\r'; }
	done
	# The shell's TERM trap runs once its foreground command is gone, and a command
	# substitution is gone only when every process holding its pipe is: the whole tree.
	kill -TERM "$test_shell" 2>/dev/null || true
	local me=$BASHPID
	for p in $(watchdog_tree "$test_shell" "$me"); do
		kill -TERM "$p" 2>/dev/null || true
	done
}
# watchdog_tree PID WATCHDOG: PID's descendants, but not the watchdog and what it runs
# (named by the caller: inside a command substitution $BASHPID is the substitution's).
watchdog_tree() {
	local c
	for c in $(pgrep -P "$1" || true); do
		[ "$c" = "$2" ] && continue
		echo "$c"
		watchdog_tree "$c" "$2"
	done
}
test_shell=$$
trap 'fail "timed out after $QT_TEST_LIMIT s"' TERM
(
	trap 'kill $nap 2>/dev/null; exit 0' TERM
	sleep "$QT_TEST_LIMIT" & nap=$!
	wait $nap && watchdog_bark
) &
watchdog=$!
# Out of the job table: a test's bare `wait` (for its own background starts) must not
# wait for the watchdog too, which would turn every such test into a timeout.
disown "$watchdog"
watchdog_end() {
	[ -n "${watchdog:-}" ] && kill -TERM "$watchdog" 2>/dev/null || true
	watchdog=
}

# guest_profile NAME ARCH [extra JSON members]: the test guest, TCG, user networking.
guest_profile() {
	local name=$1 arch=$2 extra=${3:-} console=ttyS0
	[ "$arch" = aarch64 ] && console=ttyAMA0
	cat > "$T/profiles/$name.json" <<JSON
{
  // written by tests/integration/lib.sh
  "name": "$name",
  "arch": "$arch",
  "accel": "tcg",
  "memory": "256M",
  "kernel": "$GUEST/$arch/vmlinuz",
  "initrd": "$GUEST/$arch/initrd.img",
  "append": "console=$console quiet",
  "ssh": { "user": "root", "identity": "$GUEST/id_ed25519", "host_key_check": "off" },
  $extra
}
JSON
}

# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
	local until=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $until ] || return 1
		sleep 0.2
	done
}

rundir() { echo "$QEMU_TUI_RUNDIR/$1"; }
guest_ready() { grep -q 'qemu-tui-guest: ready' "$(rundir "$1")/serial.log"; }
state_is() { qt status "$1" --json | python3 -c 'import json,sys; o=json.load(sys.stdin); sys.exit(0 if o["state"]==sys.argv[1] else 1)' "$2"; }
json_field() { qt status "$1" --json | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o.get(sys.argv[1], ""))' "$2"; }

# tmux helpers for the tests that drive the dashboard: a private server, one session "qt".
tmux_setup() {
	sock=qt$$
	trap 'tm kill-server 2>/dev/null || true; cleanup' EXIT
}
tm() { tmux -L "$sock" "$@"; }
screen() { tm capture-pane -p -t qt; }
# see TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
see() {
	local until=$((SECONDS + ${2:-10}))
	while ! screen | grep -qF -- "$1"; do
		if [ $SECONDS -ge $until ]; then
			echo "--- screen, waiting for: $1"; screen; return 1
		fi
		sleep 0.1
	done
}
