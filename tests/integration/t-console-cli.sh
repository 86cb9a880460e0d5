#!/usr/bin/env bash
# `qemu-tui console NAME` against the real aarch64 test guest: on a terminal (tmux types the
# keys, capture-pane reads the screen) and from a pipe, two at once, the escapes, a VM that
# stops under an attached console, and one that is not running.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
guest_profile arm aarch64

csock=qtc$$
ct() { tmux -L "$csock" "$@"; }
trap 'ct kill-server 2>/dev/null || true; cleanup' EXIT
# The whole pane with its scrollback, wrapped lines joined.
pane() { ct capture-pane -p -J -S -500 -t "$1"; }
# shows SESSION GREP-ARGS... : wait (30 s) until the pane matches.
shows() {
	local s=$1 until=$((SECONDS + 30))
	shift
	while ! pane "$s" | grep -q "$@"; do
		if [ $SECONDS -ge $until ]; then
			echo "--- pane $s, waiting for: $*"; pane "$s"; return 1
		fi
		sleep 0.2
	done
}
# A console in a tmux session; when it ends the pane says how and whether the terminal
# is canonical again.
console_tmux() {	# SESSION [console options]
	local s=$1
	shift
	ct new-session -d -s "$s" -x 100 -y 30 "env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR $QEMU_TUI --profiles $T/profiles console $* arm; echo console-exited rc=\$?; stty -a | grep -o -- '-\\?icanon'; sleep 30"
	shows "$s" -F "Connected to arm's serial console (escape: Ctrl-] or Ctrl-A x)" ||
		fail "no banner in $s"
}
# file_has FILE GREP-ARGS...: wait (30 s) until FILE matches (CRs removed).
file_has() {
	local f=$1 until=$((SECONDS + 30))
	shift
	while ! tr -d '\r' < "$f" | grep -aq "$@"; do
		[ $SECONDS -lt $until ] || { echo "--- $f:"; cat -v "$f"; return 1; }
		sleep 0.2
	done
}

t0=$SECONDS
out=$(qt console arm 2>&1) && fail "console on a VM never started succeeded: $out"
[ "$(qt console arm >/dev/null 2>&1; echo $?)" = 1 ] || fail "not exit 1 when never started"
grep -qF 'qemu-tui: arm is stopped (start it with `qemu-tui start arm`)' <<<"$out" ||
	fail "wrong message: $out"
out=$(qt console 2>&1; echo "rc=$?")
grep -qF 'usage: qemu-tui console [--no-history] [--send TEXT] [--expect REGEX] [--script FILE] [--timeout S] NAME' <<<"$out" && grep -q 'rc=2' <<<"$out" ||
	fail "usage: $out"
ok "a VM that is not running: the error and exit 1; no NAME: usage and exit 2"

qt start arm >/dev/null || fail "start"
wait_for 240 guest_ready arm || fail "guest never printed ready: $(tail -5 "$(rundir arm)/serial.log")"

console_tmux c1
shows c1 -E 'hint: the guest does not know this terminal.s size; type: stty rows [0-9]+ cols 100$' ||
	fail "no terminal size hint"
shows c1 -F 'qemu-tui-guest: ready' || fail "history (the boot's ready line) not replayed"
ok "banner, size hint, and the history from boot"

tok=hello-$RANDOM-token
ct send-keys -t c1 "echo $tok" Enter
shows c1 -x "$tok" || fail "the guest's output of echo $tok never showed"
ok "typed keys reach the guest; its output shows"

# A second console from a pipe while the first is attached. The feeding script waits for
# what it expects before typing on, then leaves with Ctrl-] (through the pipe).
tok2=second-$RANDOM
tok3=first-$RANDOM
tok4=go-$RANDOM
feeder() {
	sleep 1
	printf 'echo %s\r' "$tok2"
	file_has "$T/p.out" -x "$tok3" >/dev/null || return
	# Escapes: Ctrl-A Ctrl-A is one Ctrl-A, Ctrl-A y is both bytes; od shows what arrived.
	printf 'echo %s; head -c 5 | od -An -tx1\r' "$tok4"
	file_has "$T/p.out" -x "$tok4" >/dev/null || return
	sleep 1
	printf '\001\001y\001z\n'
	file_has "$T/p.out" -x ' 01 79 01 7a 0a' >/dev/null || return
	printf '\035'
	sleep 30	# Ctrl-] has to end the console, not the end of input
}
: > "$T/p.out"
feeder | timeout 120 "$QEMU_TUI" --profiles "$T/profiles" console arm > "$T/p.out" 2> "$T/p.err" &
pcons=$!
file_has "$T/p.out" -x "$tok2" || fail "the piped console's command gave no output"
shows c1 -x "$tok2" || fail "output of a command typed in the piped console not in the tmux one"
ct send-keys -t c1 "echo $tok3" Enter
file_has "$T/p.out" -x "$tok3" || fail "output of a command typed in tmux not in the piped console"
ok "two consoles at once: what one types, both see"

file_has "$T/p.out" -x ' 01 79 01 7a 0a' || fail "Ctrl-A escapes: wrong bytes reached the guest"
ok "Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A y sends both"

rc=0
wait $pcons || rc=$?
[ $rc = 0 ] || { cat "$T/p.err"; fail "piped console ended with $rc (Ctrl-] should end it with 0)"; }
grep -qF "Connected to arm's serial console" "$T/p.err" || fail "piped console: no banner"
grep -qF "Disconnected from arm." "$T/p.err" || fail "piped console: no goodbye: $(cat -v "$T/p.err")"
! grep -q hint "$T/p.err" || fail "a size hint without a terminal"
ok "Ctrl-] through a pipe leaves with 0 (no raw mode, no size hint without a tty)"

ct send-keys -t c1 'C-]'
shows c1 -F 'Disconnected from arm.' || fail "Ctrl-] did not disconnect"
shows c1 -x 'console-exited rc=0' || fail "Ctrl-] did not exit 0"
shows c1 -x 'icanon' || fail "terminal not restored after Ctrl-]"
ok "Ctrl-] leaves, exit 0, terminal restored"

console_tmux c2
shows c2 -F 'qemu-tui-guest: ready' || fail "c2 history"
ct send-keys -t c2 C-a x
shows c2 -x 'console-exited rc=0' || fail "Ctrl-A x did not leave"
shows c2 -x 'icanon' || fail "terminal not restored after Ctrl-A x"
ok "Ctrl-A x leaves, exit 0, terminal restored"

# --no-history: the boot's lines are not replayed, live output is.
console_tmux c3 --no-history
tok5=nohist-$RANDOM
ct send-keys -t c3 "echo $tok5" Enter
shows c3 -x "$tok5" || fail "--no-history: no live output"
! pane c3 | grep -qF 'qemu-tui-guest: ready' || fail "--no-history replayed the history"
ct send-keys -t c3 C-]
shows c3 -x 'console-exited rc=0' || fail "c3 did not leave"
ok "--no-history skips the replayed history"

# SIGTERM restores the terminal too.
console_tmux c4
pkill -TERM -P "$(ct display -p -t c4 '#{pane_pid}')" || fail "no console process in c4"
shows c4 -x 'console-exited rc=143' || fail "SIGTERM: not ended by it"
shows c4 -x 'icanon' || fail "terminal not restored after SIGTERM"
ok "SIGTERM: the terminal is restored, the console dies of it"

console_tmux c5
shows c5 -F 'qemu-tui-guest: ready' || fail "c5 history"
qt stop arm --timeout 60 >/dev/null || fail "stop"
shows c5 -x 'arm stopped (powerdown)' || fail "no stopped line"
shows c5 -x 'console-exited rc=0' || fail "not exit 0 when the VM stopped"
pane c5 | grep -qF 'qemu-tui-guest: powering off' || fail "the guest's last words were lost"
shows c5 -x 'icanon' || fail "terminal not restored after the VM stopped"
ok "the VM stopping ends an attached console: stopped line, exit 0"

out=$(qt console arm 2>&1) && fail "console on a stopped VM succeeded"
grep -qF 'qemu-tui: arm is stopped (start it with `qemu-tui start arm`)' <<<"$out" ||
	fail "wrong message after stop: $out"
ok "a stopped VM: the error and exit 1"
echo "PASS: t-console-cli ($((SECONDS - t0)) s)"
