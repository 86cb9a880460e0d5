#!/usr/bin/env bash
# The dashboard driven the way a person uses it: tmux types keys, capture-pane reads the screen.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
guest_profile arm aarch64
cat > "$T/profiles/zbroken.json" <<'JSON'
{ "name": "zbroken", "arch": "aarch64", "smp": "four" }
JSON

tmux_setup
# The "editor": a script that applies $T/edit.sed to the file it is given.
cat > "$T/editor" <<'SH'
#!/bin/sh
sed -i -f "$(dirname "$0")/edit.sed" "$1"
SH
chmod +x "$T/editor"
open_dashboard() {
	tm new-session -d -s qt -x "${1:-120}" -y "${2:-35}" \
		"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color EDITOR=$T/editor $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
	see "VMs (2)" || fail "dashboard did not open"
}

open_dashboard
see "zbroken" && screen | grep -q "zbroken .*broken" || fail "broken profile not shown as broken"
ok "the dashboard lists every profile; a broken one shows as broken"

tm send-keys -t qt j    # select zbroken: its reason is in the details
see 'smp: expected' || fail "broken reason not in the details"
tm send-keys -t qt k
see "▶ arm" || fail "selection"
# A mouse click (SGR 1006 report: button 0 at column 6, row 3) selects zbroken.
tm send-keys -t qt -l $'\e[<0;6;3M\e[<0;6;3m'
see "▶ zbroken" || fail "a mouse click did not select"
ok "keys and mouse clicks move the selection"

tm send-keys -t qt / z b Enter
see "VMs 1/2 /zb" || fail "filter"
screen | grep -q "▶ zbroken" && ! screen | grep -q " arm " || fail "filter did not hide arm"
# A kept filter stays in the list's title: the status line still shows what a key says.
tm send-keys -t qt s
u=$((SECONDS + 10))
until screen | tail -n 2 | grep -q 'smp'; do
	[ $SECONDS -lt $u ] || { screen; fail "a message was hidden by the kept filter"; }
	sleep 0.1
done
tm send-keys -t qt Escape
see "VMs (2)" || fail "Esc did not clear the filter"
ok "/ filters the list; Esc clears it"

# e opens $EDITOR on the profile and reloads it on return; a broken edit says why.
echo 's/"smp": "four"/"smp": 2/' > "$T/edit.sed"
tm send-keys -t qt e
see "zbroken.json reloaded" 10 || fail "edit did not reload"
screen | grep -q "zbroken .*stopped" || fail "fixed profile not usable: $(screen)"
echo 's/"smp": 2/"smp": 0/' > "$T/edit.sed"
tm send-keys -t qt e
see "smp:" 10 && screen | grep -q "zbroken .*broken" || fail "a broken edit is not reported"
ok "e edits the profile in \$EDITOR, reloads and validates it"
tm send-keys -t qt k
see "▶ arm" || fail "selection back to arm"
tm send-keys -t qt s
see "QMP running" 30 || fail "start from the dashboard"
screen | grep -q "arm .*running" || fail "list does not say running"
see "Accel" && see "tcg" || fail "details lack the accelerator"
ok "s starts the VM; the list and details show running with QMP facts"

wait_for 240 guest_ready arm || fail "guest not ready"
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

tm send-keys -t qt r
see "Hard reset arm" || fail "reset asks first"
tm send-keys -t qt n
sleep 0.3
screen | grep -q "RESET" && fail "reset happened after no"
tm send-keys -t qt r
see "Hard reset arm" && tm send-keys -t qt y
see "RESET" 5 || fail "reset after yes: no RESET event"
# The guest boots again; its power button works once it is up.
rebooted() { [ "$(grep -c 'qemu-tui-guest: ready' "$(rundir arm)/serial.log")" -ge 2 ]; }
wait_for 90 rebooted || fail "guest did not come back after reset"
ok "r resets behind a confirmation (n keeps the VM, y resets it)"

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
# The box is as wide as its longest line (within the screen): no line is cut.
see "stop gracefully: powerdown, then quit, SIGTERM, SIGKILL" || fail "a help line is cut"
tm send-keys -t qt Escape
sleep 0.2
tm send-keys -t qt S
see "stopped (powerdown)" 30 || fail "graceful stop from the dashboard"
ok "S stops the VM gracefully (powerdown)"

tm send-keys -t qt s
see "QMP running" 30 || fail "restart"
tm send-keys -t qt K
see "Force stop arm" || fail "force stop asks first"
tm send-keys -t qt y
see "stopped (quit)" 15 || fail "force stop"
ok "K force-stops (QMP quit) behind a confirmation"

# An error in the status line says what to do: the profile's fixed ssh port is busy.
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' > "$T/port" &
busy=$!
wait_for 5 test -s "$T/port"
port=$(cat "$T/port")
sed -i "s/\"ssh\": {/\"ssh\": { \"port\": $port,/" "$T/profiles/arm.json"
tm send-keys -t qt R
tm send-keys -t qt s
see "port 127.0.0.1:$port is busy" 10 || fail "busy port not explained"
kill $busy
sed -i "s/ \"port\": $port,//" "$T/profiles/arm.json"
tm send-keys -t qt R
ok "a start that cannot work says why in the status line (busy port)"

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

# Terminal panes get the room: at 80x24 a console has at least 55 columns and 10 rows
# inside, the event log keeps a few lines, the list is as wide as its lines need.
tm resize-window -t qt -x 80 -y 24
tm send-keys -t qt c
see "arm: serial" || fail "c did not open the console"
screen > "$T/screen"
python3 - "$T/screen" <<'PY' || fail "room: $(cat "$T/screen")"
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
def box(title):
    y = next(i for i, r in enumerate(rows) if title in r)
    x = rows[y].index(title)
    w = rows[y].index("┐", x) - x + 1
    h = next(i for i in range(y + 1, len(rows)) if rows[i][x:x + 1] == "└") - y + 1
    return w, h
cw, ch = box("┌─ arm: serial")
ew, eh = box("┌─ QMP events")
lw, lh = box("┌─ VMs")
print(f"console {cw}x{ch}, events {ew}x{eh}, list {lw}x{lh}")
sys.exit(0 if cw - 2 >= 55 and ch - 2 >= 10 and eh <= 6 and lw <= 30 else 1)
PY
gone() { ! screen | grep -qF -- "$1"; }
tm send-keys -t qt C-b l
wait_for 5 gone "QMP events" || fail "l did not fold the event log away"
tm send-keys -t qt C-b l
see "QMP events" || fail "l did not bring the event log back"
tm send-keys -t qt C-b x
wait_for 5 gone "arm: serial" || fail "C-b x did not close the console"
tm resize-window -t qt -x 120 -y 35
ok "a console gets the room at 80x24; the event log folds to a few lines; l and C-b x work"

# The list is ordered by the profiles' names, naturally: vm2 before vm10.
guest_profile vm10 aarch64
guest_profile vm2 aarch64
tm send-keys -t qt R
see "VMs (4)" || fail "reload did not list the new profiles"
screen | grep -oE "^│[ ▶] [a-z0-9]+" | tr -d '│▶ ' | tr '\n' ' ' | grep -q "^arm vm2 vm10 zbroken $" ||
	fail "list order: $(screen | grep -oE "^│[ ▶] [a-z0-9]+" | tr '\n' ' ')"
ok "the list is in natural order of the profile names (vm2 before vm10)"
tm send-keys -t qt q
see "Quit?" && tm send-keys -t qt y
qt stop arm --force >/dev/null
echo "PASS: t-dashboard"
