#!/usr/bin/env bash
# Broadcast input in the dashboard (tmux's synchronize-panes), driven through tmux
# against two real guests side by side, x86_64 (bc1) and aarch64 (bc2): prefix B marks
# the focused console pane as a receiver, what is typed once reaches both guests (their
# serial.log and the screen), prefix O ends it and typing goes to the focused pane
# only; prefix keys and scroll mode stay local; an SSH pane receives too.
. "$(dirname "$0")/lib.sh"
need_guest x86_64 aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
guest_profile bc1 x86_64 '"network": { "mode": "user", "model": "e1000" }'
guest_profile bc2 aarch64

tmux_setup
log() { tr -d '\r' < "$(rundir "$1")/serial.log"; }
# log_has VM GREP-ARGS...: until VM's serial.log (CRs removed) matches.
log_has() { local vm=$1; shift; log "$vm" | grep -q "$@"; }
marks() { screen | grep -o '\[broadcast\]' | wc -l; }

qt start bc1 >/dev/null && qt start bc2 >/dev/null || fail "start"
wait_for 240 guest_ready bc1 && wait_for 240 guest_ready bc2 || fail "guests not ready"
tm new-session -d -s qt -x 160 -y 40 \
	"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 60"
see "VMs (2)" || fail "dashboard did not open"

# B on the list (no terminal pane focused) says what to do.
tm send-keys -t qt B
see "broadcast: focus a console or SSH pane" || fail "B without a terminal pane"

tm send-keys -t qt c
see "bc1: serial" || fail "c did not open bc1's console"
tm send-keys -t qt C-b B
see "broadcast: bc1 receives" || fail "prefix B did not mark bc1"
[ "$(marks)" = 1 ] || fail "bc1's title has no [broadcast] mark: $(screen)"
tm send-keys -t qt C-b Left    # the list
tm send-keys -t qt j c
see "bc2: serial" || fail "c did not open bc2's console"
tm send-keys -t qt C-b B
see "broadcast: what is typed in bc1, bc2 goes to all 2" || fail "prefix B did not add bc2"
[ "$(marks)" = 2 ] || fail "not two [broadcast] marks: $(screen)"
ok "prefix B marks the focused console pane as a receiver; each shows [broadcast]"

# Typed once, in bc2's pane: both guests run it.
tm send-keys -t qt 'echo bc-$((40+2))' Enter
wait_for 30 log_has bc2 -x 'bc-42' || fail "bc2 did not run the command: $(log bc2 | tail -5)"
wait_for 30 log_has bc1 -x 'bc-42' || fail "bc1 did not get the broadcast: $(log bc1 | tail -5)"
until=$((SECONDS + 10))
while [ "$(screen | grep -o 'bc-42' | wc -l)" -lt 2 ]; do
	[ $SECONDS -lt $until ] || fail "bc-42 is not on the screen twice: $(screen)"
	sleep 0.1
done
ok "typed once, echo bc-\$((40+2)) prints bc-42 in both guests (serial.log and screen)"

# Prefix O ends broadcast; the prefix key and O never reached a guest (a stray O would
# turn the next command into "Oecho", which prints nothing).
tm send-keys -t qt C-b O
see "broadcast off" || fail "prefix O did not end broadcast"
until=$((SECONDS + 10))
while [ "$(marks)" != 0 ]; do
	[ $SECONDS -lt $until ] || fail "[broadcast] marks stay after prefix O: $(screen)"
	sleep 0.1
done
tm send-keys -t qt 'echo solo-$((40+3))' Enter
wait_for 30 log_has bc2 -x 'solo-43' || fail "bc2 did not run its command: $(log bc2 | tail -5)"
tm send-keys -t qt C-b Left    # bc1's pane, left of bc2's
tm send-keys -t qt 'echo after-$((1+1))' Enter
wait_for 30 log_has bc1 -x 'after-2' || fail "bc1 did not run its own command: $(log bc1 | tail -5)"
# Keys reach a console in order: had bc1 been sent the solo line, it would be in its log.
log bc1 | grep -q 'solo' && fail "bc1 got what was typed in bc2 after broadcast ended"
ok "prefix O ends broadcast: typing goes to the focused pane only"

# B again on a receiver takes only that pane out; scroll mode stays the pane's own.
tm send-keys -t qt C-b B
see "broadcast: bc1 receives" || fail "B did not mark bc1 again"
tm send-keys -t qt C-b Right    # bc2
tm send-keys -t qt C-b B
see "broadcast: what is typed in bc1, bc2 goes to all 2" || fail "B did not mark bc2 again"
tm send-keys -t qt C-b '['    # scroll mode in bc2: its keys are its own
see "q leaves" || fail "no scroll mode"
tm send-keys -t qt k q
tm send-keys -t qt C-b B
see "broadcast: bc1 receives" || fail "B on bc2 did not take it out"
[ "$(marks)" = 1 ] || fail "not one [broadcast] mark: $(screen)"
tm send-keys -t qt 'echo only-$((2+5))' Enter
wait_for 30 log_has bc2 -x 'only-7' || fail "bc2 did not run its command: $(log bc2 | tail -5)"
tm send-keys -t qt C-b Left
tm send-keys -t qt 'echo last-$((3+3))' Enter
wait_for 30 log_has bc1 -x 'last-6' || fail "bc1 (a receiver on its own) did not run its command"
log bc1 | grep -q 'only' && fail "bc1 got what was typed in bc2 after B took bc2 out"
log bc1 | grep -q '^kq\|^qk\|kecho\|qecho' && fail "scroll-mode keys reached bc1"
ok "B on a receiver takes only it out; scroll-mode keys stay local"

# An SSH pane is a receiver too: bc2's SSH shell and bc1's console get one line; bc2's
# own console pane, not a receiver, gets nothing (the SSH shell writes to bc2's
# /dev/console, so bc2's serial.log shows the output but never the command line).
tm send-keys -t qt C-b O
see "broadcast off" || fail "prefix O did not end broadcast"
tm send-keys -t qt C-b Right    # bc2's console
tm send-keys -t qt C-b h        # an SSH shell into bc2, beside it
see "bc2: ssh root@127.0.0.1" 30 || fail "no SSH pane: $(screen)"
until=$((SECONDS + 120))
while ! log_has bc2 -x 'ssh-up-4'; do
	# Keys typed before the shell is up are lost: type again until the guest says so.
	[ $SECONDS -lt $until ] || fail "the SSH shell never ran a command: $(screen)"
	tm send-keys -t qt 'echo ssh-up-$((2+2)) > /dev/console' Enter
	wait_for 5 log_has bc2 -x 'ssh-up-4' || true
done
tm send-keys -t qt C-b B
see "broadcast: bc2 receives" || fail "prefix B did not mark the SSH pane"
tm send-keys -t qt C-b Left C-b Left    # bc1's console
tm send-keys -t qt C-b B
see "broadcast: what is typed in bc1, bc2 goes to all 2" || fail "B did not add bc1's console"
tm send-keys -t qt 'echo mixed-$((5*5)) > /dev/console' Enter
wait_for 30 log_has bc1 -x 'mixed-25' || fail "bc1's console did not run the broadcast line"
wait_for 30 log_has bc2 -x 'mixed-25' || fail "bc2's SSH shell did not run the broadcast line"
log bc2 | grep -q 'echo mixed' && fail "bc2's console pane (not a receiver) got the typed line"
ok "an SSH pane receives as a console pane does; a pane that is no receiver gets nothing"
