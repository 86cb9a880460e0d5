#!/usr/bin/env bash
# kill -9 of the supervisor: QEMU lives on as an orphan that every client shows as such,
# `start` (and the dashboard's start key) adopts it with a new supervisor, after which
# status, console, dashboard and stop work as before; its end is recorded honestly (no
# made-up exit code) and the run directory is tidied as after a normal end.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
guest_profile arm aarch64

tmux_setup
open_dashboard() {
	tm new-session -d -s qt -x 150 -y 35 \
		"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
	see "VMs (1)" || fail "dashboard did not open"
}
super_pid() { cat "$(rundir arm)/supervisor.pid"; }
# gone PID: no such process, or a zombie (an orphan's QEMU is reaped by init, not by us).
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
# kill_super: kill -9 the supervisor and wait until it is gone; prints its pid.
kill_super() {
	local p
	p=$(super_pid)
	kill -9 "$p"
	wait_for 10 gone "$p" || fail "supervisor $p survived kill -9"
	echo "$p"
}
no_stale() {
	local f
	for f in qmp.sock serial.sock serial-live.sock qemu-qmp.sock qemu-serial.sock qemu.pid \
		supervisor.pid; do
		[ ! -e "$(rundir arm)/$f" ] || fail "stale $f after $1"
	done
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
# serial.log keeps earlier runs: ready_again waits for this run's ready line.
log_mark() { log_from=$(($(stat -c %s "$(rundir arm)/serial.log" 2>/dev/null || echo 0) + 1)); }
ready_again() { tail -c +"$log_from" "$(rundir arm)/serial.log" | grep -q 'qemu-tui-guest: ready'; }
orphan_text='orphaned (supervisor gone; `qemu-tui start arm` adopts it)'

qt start arm >/dev/null || fail "start"
wait_for 240 guest_ready arm || fail "guest never printed ready: $(tail -5 "$(rundir arm)/serial.log")"
qpid=$(json_field arm pid)
dead=$(kill_super)

st=$(qt status arm)
echo "$st"
state_is arm orphaned || fail "not orphaned after kill -9 of the supervisor"
grep -qF "arm: $orphan_text" <<<"$st" || fail "status does not say orphaned: $st"
grep -q "pid *$qpid (supervisor gone)" <<<"$st" || fail "status shows no QEMU pid or a supervisor"
! grep -q "$dead" <<<"$st" || fail "status still shows the dead supervisor's pid $dead"
[ -z "$(json_field arm supervisor_pid)" ] || fail "--json still has a supervisor_pid"
qt list | grep -q '^arm  *orphaned (supervisor gone' || fail "list: $(qt list)"
out=$(qt console arm 2>&1) && fail "console on an orphan took QEMU's own socket: $out"
grep -qF "arm is $orphan_text" <<<"$out" || fail "console said: $out"
ok "an orphan: status, list and console say so, with QEMU's pid and no dead supervisor"

open_dashboard
see "$orphan_text" || fail "the dashboard does not show the orphan"
tm send-keys -t qt c
see "arm is orphaned" || fail "the console pane did not say orphaned"
t0=$SECONDS
state_is arm orphaned || fail "status with a dashboard open"
[ $((SECONDS - t0)) -lt 3 ] || fail "status took $((SECONDS - t0)) s with a dashboard open"
ok "the dashboard shows it (list, details, console key) and holds none of QEMU's sockets"

out=$(qt start arm) || fail "start did not adopt: $out"
echo "$out"
grep -q "^arm adopted (QEMU pid $qpid" <<<"$out" || fail "start said: $out"
[ "$(json_field arm pid)" = "$qpid" ] || fail "QEMU's pid changed"
[ "$(super_pid)" != "$dead" ] && ! gone "$(super_pid)" || fail "no new supervisor"
st=$(qt status arm)
echo "$st"
grep -q '^arm: running' <<<"$st" || fail "status after adoption"
grep -q 'qmp *running, QEMU 7' <<<"$st" || fail "status has no QMP facts after adoption"
grep -q "pid *$qpid (supervisor $(super_pid))" <<<"$st" || fail "status: wrong pids"
see "running" 15 || fail "the dashboard does not show it running again"
ok "start adopts the orphan: same QEMU, a new supervisor, status answers with QMP facts"

tok=adopted-$RANDOM
feeder() {
	file_has "$T/p.out" -F 'qemu-tui-guest: ready' >/dev/null || return
	printf 'echo %s\r' "$tok"
	file_has "$T/p.out" -x "$tok" >/dev/null || return
	printf '\035'
	sleep 30
}
: > "$T/p.out"
feeder | timeout 60 "$QEMU_TUI" --profiles "$T/profiles" console arm > "$T/p.out" 2> "$T/p.err" &
pcons=$!
file_has "$T/p.out" -F 'qemu-tui-guest: ready' || fail "the adopted VM's console history is not served"
file_has "$T/p.out" -x "$tok" || fail "typed keys did not reach the adopted guest"
wait $pcons || fail "console ended with $?: $(cat "$T/p.err")"
ok "qemu-tui console: the history from boot and live keys after adoption"

# Again, and this time the dashboard's start key adopts it.
dead=$(kill_super)
see "$orphan_text" 15 || fail "the dashboard did not notice the orphan"
tm send-keys -t qt s
see "running" 30 || fail "the dashboard's start key did not adopt it"
[ "$(json_field arm pid)" = "$qpid" ] || fail "QEMU's pid changed (dashboard)"
state_is arm running || fail "status after the dashboard's adoption"
ok "the dashboard's start key adopts an orphan"

out=$(qt stop arm --timeout 60) || fail "stop: $out"
echo "$out"
grep -q "arm stopped by powerdown" <<<"$out" || fail "stop was not a clean powerdown: $out"
wait_for 10 gone "$qpid" || fail "QEMU still runs"
no_stale "the stop of an adopted VM"
state_is arm stopped || fail "state after stop: $(qt status arm)"
st=$(qt status arm --json)
echo "$st"
[ "$(json_field arm state_detail)" = "stopped (powerdown; exit status unknown)" ] ||
	fail "state detail: $(json_field arm state_detail)"
[ "$(json_field arm exit_status)" = unknown ] && [ -z "$(json_field arm exit_code)" ] ||
	fail "an exit code was made up"
[ "$(json_field arm shutdown_reason)" = guest-shutdown ] || fail "no SHUTDOWN reason kept"
see "stopped (powerdown" 15 || fail "the dashboard does not show it stopped"
ok "stop after adoption: powerdown, no stale files, stopped without a made-up exit code"
tm kill-server

# An orphan stopped without adopting it first: the stop records the end and tidies.
log_mark
qt start arm >/dev/null || fail "start (2)"
wait_for 120 ready_again || fail "guest (2) never printed ready"
qpid=$(json_field arm pid)
kill_super >/dev/null
state_is arm orphaned || fail "not orphaned (2)"
out=$(qt stop arm --timeout 60) || fail "stop of an orphan: $out"
echo "$out"
grep -q "arm stopped by powerdown" <<<"$out" || fail "orphan stop was not a powerdown: $out"
wait_for 10 gone "$qpid" || fail "QEMU (2) still runs"
no_stale "the stop of an orphan"
[ "$(json_field arm state_detail)" = "stopped (powerdown; exit status unknown)" ] ||
	fail "state detail (2): $(json_field arm state_detail)"
ok "stop of an orphan: powerdown, no stale sockets or supervisor.pid"

# An adopted QEMU killed: no SHUTDOWN event, so a crash with an unknown exit status.
qt start arm >/dev/null || fail "start (3)"
qpid=$(json_field arm pid)
kill_super >/dev/null
# Someone else holds QEMU's one QMP connection: the adoption gives up, QEMU runs on.
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(4096)
open(sys.argv[2], "w").close(); time.sleep(120)' "$(rundir arm)/qemu-qmp.sock" "$T/held" &
holder=$!
wait_for 10 test -e "$T/held" || fail "could not hold QEMU's QMP socket"
out=$(qt start arm 2>&1) && fail "adopted although QEMU's QMP was held: $out"
grep -q "did not answer within 30 s" <<<"$out" || fail "failed adoption said: $out"
state_is arm orphaned || fail "not orphaned after a failed adoption: $(qt status arm)"
! gone "$qpid" && [ -e "$(rundir arm)/qemu-qmp.sock" ] && [ -e "$(rundir arm)/qemu.pid" ] ||
	fail "a failed adoption harmed QEMU or its files"
kill "$holder"
wait "$holder" 2>/dev/null || true
ok "a failed adoption leaves QEMU running and orphaned"
qt start arm | grep -q "^arm adopted (QEMU pid $qpid" || fail "adoption (3)"
kill -9 "$qpid"
wait_for 15 state_is arm crashed || fail "not crashed: $(qt status arm)"
qt status arm | grep -q '^arm: crashed (exit status unknown)' || fail "crash text: $(qt status arm)"
wait_for 10 test ! -e "$(rundir arm)/supervisor.pid" || fail "the supervisor did not tidy up"
no_stale "an adopted QEMU's end"
ok "an adopted QEMU killed: crashed (exit status unknown)"

qt start arm | grep -q "arm started" || fail "start after the crash"
state_is arm running || fail "not running after the restart"
ok "a normal start follows"
