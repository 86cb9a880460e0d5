#!/usr/bin/env bash
# A hostile guest: console bytes that once crashed (too many CSI parameters) or hung
# (REP before any glyph) libvterm 0.1.4 under the dashboard. They are the guest's very
# first output, so every attach replays them from the history; the dashboard must
# open the console before and after, live and answering keys, in console and SSH panes.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
guest_profile bad aarch64 '"append": "console=ttyAMA0 quiet loglevel=0 qt_hostile=1"'
guest_profile good aarch64

tmux_setup
open_dashboard() {
	tm new-session -d -s qt -x 150 -y 45 \
		"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config HOME=$T LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 60"
	see "VMs (2)" || fail "dashboard did not open"
}
# The selection answers prefix j and k (the list is bad, good).
answers_keys() {
	tm send-keys -t qt C-b j
	see "▶ good" 5 || return 1
	tm send-keys -t qt C-b k
	see "▶ bad" 5
}

qt start bad >/dev/null || fail "start"
wait_for 240 guest_ready bad || fail "guest not ready"
head -c 12 "$(rundir bad)/serial.log" | od -c | head -n 2
[ "$(head -c 3 "$(rundir bad)/serial.log")" = $'\033[b' ] ||
	fail "the guest's first console bytes are not the hostile ones"
ok "the guest's console begins with REP and a 32-separator CSI"

open_dashboard
tm send-keys -t qt c
see "bad: serial" || fail "c did not open a console pane"
see "qemu-tui-guest: ready" 10 || fail "the history was not replayed"
tok="tok-$RANDOM"
tm send-keys -t qt "echo $tok-\$((6*7))" Enter
see "$tok-42" 10 || fail "the console pane is not live after the hostile history"
ok "the console opens over the hostile history and stays live"

# Live, while the pane is open: each sequence, then text that must land.
tm send-keys -t qt "printf 'A\\033[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;mB\\033[99999999999999999999999CC\\033[1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18HD\\033[bE-%s\\n' \$((6*7))" Enter
see "ABCDDE-42" 10 || fail "hostile sequences printed live broke the pane"
ok "hostile sequences printed live are dropped, the text around them lands"

answers_keys || fail "the dashboard does not answer keys"
ok "the dashboard answers keys"

# Close the pane and open it again: the history (with the sequences) is replayed.
tm send-keys -t qt C-b x
sleep 0.3
tm send-keys -t qt c
see "bad: serial" && see "ABCDDE-42" 10 || fail "reopening the console"
ok "the console reopens over the same history"

# A new dashboard replays it once more.
tm send-keys -t qt C-b q
see "Quit?" && tm send-keys -t qt y
see "dashboard-exited" || fail "quit"
tm kill-session -t qt
open_dashboard
tm send-keys -t qt c
see "bad: serial" && see "ABCDDE-42" 10 || fail "a new dashboard's console"
answers_keys || fail "the new dashboard does not answer keys"
ok "a new dashboard opens the console and answers keys"

# The SSH pane feeds the same terminal.
tm send-keys -t qt C-b h
see "bad: ssh root@" 10 || fail "no ssh pane"
# Keys typed before the shell is up are dropped: ask until it answers.
until=$((SECONDS + 90))
until tm send-keys -t qt "echo ssh-up-\$((6*7))" Enter && see "ssh-up-42" 3 >/dev/null; do
	[ $SECONDS -lt $until ] || { screen; fail "the ssh pane's shell never answered"; }
done
tm send-keys -t qt "printf '\\033[b\\033[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;mssh-%s\\n' \$((6*7))" Enter
see "ssh-42" 10 || fail "hostile sequences broke the ssh pane"
answers_keys || fail "keys after the ssh pane's sequences"
ok "an SSH pane drops them too"
tm send-keys -t qt C-b q
see "Quit?" && tm send-keys -t qt y
see "dashboard-exited" || fail "quit"
