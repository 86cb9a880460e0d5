#!/usr/bin/env bash
# The dashboard driven the way a person uses it: tmux types keys, capture-pane reads the screen.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
guest_profile arm aarch64
cat > "$T/profiles/zbroken.json" <<'JSON'
{ "name": "zbroken", "arch": "aarch64", "smp": "four" }
JSON

sock=qtt$$
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null || true; cleanup' EXIT
screen() { tm capture-pane -p -t qt; }
# see TEXT [SECONDS]: until the screen shows TEXT.
see() {
	local until=$((SECONDS + ${2:-10}))
	while ! screen | grep -qF -- "$1"; do
		if [ $SECONDS -ge $until ]; then
			echo "--- screen, waiting for: $1"; screen; return 1
		fi
		sleep 0.1
	done
}
open_dashboard() {
	tm new-session -d -s qt -x "${1:-120}" -y "${2:-35}" \
		"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
	see "VMs (2)" || fail "dashboard did not open"
}

open_dashboard
see "zbroken" && screen | grep -q "zbroken .*broken" || fail "broken profile not shown as broken"
ok "the dashboard lists every profile; a broken one shows as broken"

tm send-keys -t qt j    # select zbroken: its reason is in the details
see 'smp: expected' || fail "broken reason not in the details"
tm send-keys -t qt k
see "▶ arm" || fail "selection"
tm send-keys -t qt s
see "QMP running" 30 || fail "start from the dashboard"
screen | grep -q "arm .*running" || fail "list does not say running"
see "Accel" && see "tcg" || fail "details lack the accelerator"
ok "s starts the VM; the list and details show running with QMP facts"

wait_for 90 guest_ready arm || fail "guest not ready"
tm send-keys -t qt p
see "paused" 5 || fail "p did not pause"
tm send-keys -t qt p
see "QMP running" 5 || fail "p did not resume"
ok "p pauses and resumes"

# A state change made elsewhere (the CLI) shows up at once, from the QMP event.
t0=$(date +%s%N)
qt pause arm >/dev/null
see "paused" 5 || fail "CLI pause not shown"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "pause by CLI seen on screen after ${ms} ms (includes the CLI's own start-up)"
[ "$ms" -lt 1500 ] || fail "took ${ms} ms"
qt resume arm >/dev/null
see "QMP running" 5 || fail "CLI resume not shown"
see "STOP" && see "RESUME" || fail "event log lacks STOP/RESUME"
ok "changes made by another client appear at once; the event log shows them"

tm resize-window -t qt -x 40 -y 10
sleep 0.5
screen | grep -q "VMs" || { screen; fail "not drawn at 40x10"; }
tm resize-window -t qt -x 20 -y 6
sleep 0.3
tm resize-window -t qt -x 120 -y 35
see "QMP events" || fail "not redrawn after resizing back"
ok "resizing to 40x10 (and 20x6) and back keeps the screen drawn"

tm send-keys -t qt '?'
see "keys (any key closes)" || fail "no help overlay"
tm send-keys -t qt Escape
sleep 0.2
tm send-keys -t qt S
see "stopped (powerdown)" 30 || fail "graceful stop from the dashboard"
ok "S stops the VM gracefully (powerdown)"

tm send-keys -t qt s
see "QMP running" 30 || fail "restart"
tm send-keys -t qt q
see "Quit? 1 VM keeps running" || fail "quit did not warn about running VMs"
tm send-keys -t qt y
see "dashboard-exited" || fail "dashboard did not quit"
screen | grep -q "1 VM keeps running: arm" || fail "no note on exit"
state_is arm running || fail "VM did not survive the dashboard"
tm kill-session -t qt
ok "quitting says the VM keeps running, and it does"

open_dashboard
see "QMP running" 10 || fail "reopened dashboard does not show the VM running"
ok "a new dashboard finds the running VM"
tm send-keys -t qt q
see "Quit?" && tm send-keys -t qt y
qt stop arm --force >/dev/null
echo "PASS: t-dashboard"
