#!/usr/bin/env bash
# Serial console panes in the dashboard, driven through tmux against the real guest.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
guest_profile arm aarch64
guest_profile arm2 aarch64

tmux_setup
open_dashboard() {
	tm new-session -d -s qt -x 150 -y 45 \
		"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 60"
	see "VMs (2)" || fail "dashboard did not open"
}

qt start arm >/dev/null && qt start arm2 >/dev/null || fail "start"
wait_for 240 guest_ready arm && wait_for 240 guest_ready arm2 || fail "guests not ready"
open_dashboard
tm send-keys -t qt c
see "arm: serial" || fail "c did not open a console pane"
see "qemu-tui-guest: ready" || fail "the console was not refilled with what the guest wrote before"
ok "c opens the console, refilled with the output from before it was opened"

token="hello-$RANDOM-token"
tm send-keys -t qt "echo $token" Enter
see "$token" 10 || fail "typed command not echoed"
[ "$(screen | grep -c "$token")" -ge 2 ] || see "$token" 5
ok "keys reach the guest and its output is drawn"

tm send-keys -t qt "printf '\\033[31mred-cell\\033[0m\\n'" Enter
sleep 1.5
# The cell's SGR: red foreground (31), possibly with other attributes around it.
tm capture-pane -e -p -t qt | grep -qP '\e\[(?:[0-9;]*;)?31m(?:\e\[[0-9;]*m)*red-cell' ||
	{ tm capture-pane -e -p -t qt | grep red-cell | cat -v | cut -c1-400; fail "red-cell is not red"; }
ok "SGR colours reach the screen (capture-pane -e shows red)"

# Two consoles at once: the second VM's beside the first, both live.
tm send-keys -t qt C-b Left
tm send-keys -t qt j c
see "arm2: serial" || fail "second console"
tok2="second-$RANDOM"
tm send-keys -t qt "echo $tok2" Enter
see "$tok2" 10 || fail "second console not live"
tm send-keys -t qt C-b Left    # back to the first console (left of the second)
tok3="first-again-$RANDOM"
tm send-keys -t qt "echo $tok3" Enter
see "$tok3" 10 || fail "first console not live beside the second"
ok "two consoles open at once, each live"

# Quit and reopen: the console comes back with the earlier lines.
tm send-keys -t qt C-b q
see "Quit?" && tm send-keys -t qt y
see "dashboard-exited" || fail "quit"
tm kill-session -t qt
open_dashboard
tm send-keys -t qt c
see "arm: serial" && see "$token" 10 || fail "earlier lines lost after reopening"
ok "closing and reopening the dashboard keeps the console's earlier lines"

# Scrollback: prefix PgUp scrolls back, / searches.
# Wait for the output's end, not for the typed command's echo (which says 3000 too).
tm send-keys -t qt 'seq 1 3000; echo seq-done-$((1+1))' Enter
see "seq-done-2" 30 || fail "seq output"
tm send-keys -t qt C-b PPage
see "scroll -" || fail "prefix PgUp did not scroll back"
tm send-keys -t qt / "$token" Enter
see "$token" 5 || fail "search did not find the earlier line"
tm send-keys -t qt q
sleep 0.3
screen | grep -q "scroll -" && fail "q did not leave scroll mode"
ok "prefix PgUp scrolls back; / finds a line far back"

# A flood never freezes the dashboard: keys that move the selection keep working.
flood_start=$SECONDS
# The end marker is computed by the guest, so the echoed command line cannot match it.
tm send-keys -t qt "yes 'flood flood flood flood flood flood flood' | head -c 20000000; echo flood-\$((6*7))-done" Enter
tm send-keys -t qt C-b Left    # focus the list (left of the console column)
sleep 1
worst=0
for i in $(seq 1 10); do
	key=j; want="▶ arm2"
	[ $((i % 2)) = 0 ] && { key=k; want="▶ arm "; }
	t0=$(date +%s%N)
	tm send-keys -t qt $key
	until screen | grep -q "$want"; do
		# A loaded 2-core CI box stalls tmux itself now and then: 3 s for any one
		# key, 1 s for the median below.
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ] || fail "key $i took over 3 s during the flood"
		sleep 0.02
	done
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $ms -gt $worst ] && worst=$ms
	all="${all:-} $ms"
	sleep 0.3
done
echo "slowest selection key during the flood: ${worst} ms"
median=$(printf '%s\n' $all | sort -n | sed -n 5p)
echo "median: ${median} ms"
[ "$median" -lt 1000 ] || fail "the median key took ${median} ms during the flood"
ok "keys stay responsive while the guest floods its console"
wait_for 600 grep -q flood-42-done "$(rundir arm)/serial.log" || fail "flood did not finish"
sz=$(stat -c %s "$(rundir arm)/serial.log")
echo "flood: serial.log is $sz bytes after $((SECONDS - flood_start)) s"
[ "$sz" -gt 20000000 ] || fail "the guest wrote less than 20 MB"
see "flood-42-done" 30 || fail "the console pane did not keep up to the end of the flood"
ok "the pane kept up with 20 MB and is still live"

qt stop arm --force >/dev/null; qt stop arm2 --force >/dev/null
echo "PASS: t-console"
