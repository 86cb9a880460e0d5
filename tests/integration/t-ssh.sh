#!/usr/bin/env bash
# SSH panes in the dashboard against the real x86_64 test guest's dropbear (through QEMU's
# hostfwd): a key made for the user, the host key asked and saved, a password when no key
# is accepted yet, the key installed through that shell and used by a second pane, a console
# beside them, pty size following a resize, the shell's exit, a VM that stops under a pane,
# and an unreachable sshd (opened by ssh.auto_open) failing in time while keys still work.
. "$(dirname "$0")/lib.sh"
need_guest x86_64
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
command -v ssh-keygen >/dev/null || skip "ssh-keygen is not installed"

# A private HOME: libssh reads and writes $HOME/.ssh.
export HOME=$T/home
mkdir -p "$HOME"
cat > "$T/profiles/x86.json" <<JSON
{ "name": "x86", "arch": "x86_64", "accel": "tcg", "memory": "256M",
  "kernel": "$GUEST/x86_64/vmlinuz", "initrd": "$GUEST/x86_64/initrd.img",
  "append": "console=ttyS0 quiet", "ssh": { "user": "root" } }
JSON
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$T/profiles/zdead.json" <<JSON
{ "name": "zdead", "arch": "aarch64", "accel": "tcg", "memory": "128M",
  "kernel": "$GUEST/aarch64/vmlinuz", "initrd": "$GUEST/aarch64/initrd.img",
  "append": "console=ttyAMA0 quiet",
  "network": { "mode": "none" },
  "ssh": { "host": "127.0.0.1", "port": $closed_port, "connect_timeout": 3,
           "auto_open": true, "identity": "$GUEST/wrong_ed25519" } }
JSON

tmux_setup
tm new-session -d -s qt -x 150 -y 44 \
	"env HOME=$HOME QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
see "VMs (2)" || fail "dashboard did not open"
t0=$SECONDS

tm send-keys -t qt s
see "x86 " && wait_for 240 guest_ready x86 || fail "x86 never got ready: $(tail -5 "$(rundir x86)/serial.log")"
port=$(cat "$(rundir x86)/ssh-port")

# No key yet: the pane offers to make one.
tm send-keys -t qt h
see "There is no SSH key in ~/.ssh yet" || fail "no offer to make a key"
tm send-keys -t qt y
see "Made ~/.ssh/id_ed25519" || fail "key not made"
[ "$(stat -c %a "$HOME/.ssh/id_ed25519")" = 600 ] || fail "id_ed25519 mode $(stat -c %a "$HOME/.ssh/id_ed25519")"
pub=$(cat "$HOME/.ssh/id_ed25519.pub")
case $pub in ssh-ed25519\ *) ;; *) fail "bad .pub: $pub";; esac
ssh-keygen -y -f "$HOME/.ssh/id_ed25519" | grep -qF "$(echo "$pub" | cut -d' ' -f2)" ||
	fail "the .pub does not match the private key"
see "mkdir -p ~/.ssh && echo" || fail "no line to install the key"
ok "no key: made ~/.ssh/id_ed25519 (0600, .pub beside it) and showed how to install it"

# The unknown host key: its fingerprint, then accept and save.
fp=$(sed -n 2p "$GUEST/hostkey.pub.txt")
see "is not known yet" 60 || fail "no host key question"
screen | tr -d '\n│ ' | grep -qF "$(echo "$fp" | tr -d ' ')" || fail "fingerprint $fp not shown"
[ ! -e "$HOME/.ssh/known_hosts" ] || fail "known_hosts written before the answer"
tm send-keys -t qt s
see "root@127.0.0.1's password:" 30 || fail "no password prompt (no key is authorized yet)"
grep -qxF "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$GUEST/hostkey.pub.txt")" "$HOME/.ssh/known_hosts" ||
	fail "known_hosts: $(cat "$HOME/.ssh/known_hosts")"
ok "unknown host key: its SHA256 fingerprint asked, accept-and-save wrote [127.0.0.1]:$port"

tm send-keys -t qt -l qemu-tui
sleep 0.5
! screen | grep -q "> *qemu-tui" || fail "the password is on the screen"
tm send-keys -t qt Enter
see "qtguest:~#" 30 || fail "password login failed"
tok=ssh-ok-$RANDOM
tm send-keys -t qt "echo $tok" Enter
see "$tok" || fail "echo in the SSH pane"
ok "no accepted key: the password prompt logs in; typed text reaches the shell; the password is not shown"

# Install the new key through this shell, and keep the pane busy for the liveness check.
tm send-keys -t qt -l "echo '$pub' >> /root/.ssh/authorized_keys; while sleep 1; do echo tick-\$(date +%s); done &"
tm send-keys -t qt Enter
see "tick-" || fail "no ticks"

tm send-keys -t qt C-b H
see "x86: ssh root@127.0.0.1:$port  [connecting]" 10 || see "qtguest:~#" || fail "no second pane"
# The second pane gets in with the new key. Input before the shell runs is dropped, so
# the command is typed again until it answers; were a password asked instead, the
# typing would go into its prompt and never come back.
tok2=second-$RANDOM
second_answers() {
	tm send-keys -t qt "echo $tok2 > /dev/ttyS0; echo $tok2-done" Enter
	see "$tok2-done" 3
}
wait_for 40 second_answers || fail "second pane did not log in with the key: $(screen)"
ok "a second SSH pane (below) logs in with the key installed through the first"

tm send-keys -t qt C-b c
see "x86: serial" || fail "console pane"
see "$tok2" || fail "the console did not show what the SSH pane wrote to ttyS0"
t1=$(screen | grep -o 'tick-[0-9]*' | tail -1)
sleep 2.5
t2=$(screen | grep -o 'tick-[0-9]*' | tail -1)
[ -n "$t1" ] && [ "$t1" != "$t2" ] || fail "the first SSH pane stopped updating ($t1 / $t2)"
tok3=console-$RANDOM
tm send-keys -t qt "echo $tok3" Enter
see "$tok3" || fail "console input"
ok "two SSH panes and the console live at once"

# pty size: stty size in the first SSH pane (below the console), before and after the
# window grows. Its ticker stops first, so the last "R C" line is stty's.
tm send-keys -t qt C-b Down
tm send-keys -t qt 'kill $!; clear; stty size' Enter
# The last "R C" line of any pane (the others never print one).
last_size() { screen | grep -oE '│[0-9]+ [0-9]+ *│' | tail -1 | grep -oE '[0-9]+ [0-9]+'; }
wait_for 15 last_size || fail "no stty size output: $(screen)"
before=$(last_size)
tm resize-window -t qt -x 190 -y 54
sleep 1
tm send-keys -t qt "clear; stty size" Enter
size_changed() { [ -n "$(last_size)" ] && [ "$(last_size)" != "$before" ]; }
wait_for 15 size_changed || fail "stty size did not follow the resize ($before -> $(last_size))"
after=$(last_size)
[ "${after#* }" -gt "${before#* }" ] || fail "columns did not grow ($before -> $after)"
ok "the pane's pty follows a resize (stty size $before -> $after)"

# Hide the list: the panes get the width.
tm send-keys -t qt C-b b
sleep 0.5
! screen | grep -q "VMs (2)" || fail "list not hidden"
tm send-keys -t qt C-b b
see "VMs (2)" || fail "list not back"
ok "the VM list hides and comes back"

# exit in the focused SSH pane: it says so, and a key closes it.
tm send-keys -t qt "exit 3" Enter
see "the shell exited (status 3)" || fail "no exit line"
n=$(screen | grep -c "x86: ssh")
tm send-keys -t qt Space
sleep 0.5
[ "$(screen | grep -c "x86: ssh")" -lt "$n" ] || fail "the ended pane did not close on a key"
ok "the remote shell's exit is shown (status 3) and a key closes the pane"

# Unreachable sshd, opened by auto_open when zdead starts: it fails in time, keys work
# meanwhile. Prefix + key is a dashboard key whichever pane has the focus.
tm send-keys -t qt C-b j
see "▶ zdead" || fail "select zdead"
start=$SECONDS
tm send-keys -t qt C-b s
see "zdead: ssh root@127.0.0.1:$closed_port" 30 || fail "auto_open did not open an SSH pane"
see "waiting for sshd on 127.0.0.1:$closed_port" 10 || fail "no waiting line"
# Keys still work while it waits: C-b j / C-b k move the list selection.
tm send-keys -t qt C-b k
see "▶ x86" 2 || fail "keys stuck while connecting"
tm send-keys -t qt C-b j
see "▶ zdead" 2 || fail "keys stuck while connecting"
see "no sshd answered on 127.0.0.1:$closed_port within 3 s" 15 || fail "no timeout error"
took=$((SECONDS - start))
[ $took -le 12 ] || fail "the unreachable sshd took $took s to be reported"
ok "unreachable sshd (auto_open): waiting, then the error in $took s; keys answered meanwhile"
qt stop zdead --force >/dev/null || fail "stop zdead"

# The VM stops under the first SSH pane: shown in the pane, the dashboard lives on.
qt stop x86 --timeout 60 >/dev/null || fail "stop x86"
see "connection lost" 30 || see "the shell ended" 5 || fail "the pane did not say the connection went"
see "VMs (2)" || fail "dashboard gone"
x86_listed_stopped() { screen | grep -qE '^│[ ▶] x86 +stopped'; }
wait_for 10 x86_listed_stopped || fail "x86 not listed as stopped: $(screen)"
ok "a VM stopping under an SSH pane: shown in the pane, not a crash"

tm send-keys -t qt C-b q
see "dashboard-exited" 10 || fail "quit"
echo "PASS: t-ssh ($((SECONDS - t0)) s)"
