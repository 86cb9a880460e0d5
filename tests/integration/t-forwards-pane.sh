#!/usr/bin/env bash
# The dashboard's forwards and doctor panes against the real aarch64 test guest (user
# networking): the pane lists the SSH forward and the guest's listeners (sshd's 22 and
# a busybox httpd started over `qemu-tui ssh`) read over SSH; one key forwards the
# listener to a host port, which then serves the guest's page; d removes it and the
# port refuses; a listener whose host port is busy goes to the next free one; a
# forward typed at the prompt onto a busy port names its holder; a port below 1024
# is explained to a dashboard without CAP_NET_BIND_SERVICE. A restarted dashboard shows the added
# forwards (the run directory keeps them). The doctor pane shows a missing kernel
# with its fix line, r checks again, and PgDn/PgUp scroll its checks.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"

guest_profile fw aarch64
cat > "$T/profiles/nokernel.json" <<JSON
{ "name": "nokernel", "arch": "aarch64", "accel": "tcg",
  "kernel": "$T/nosuch-vmlinuz", "initrd": "$GUEST/aarch64/initrd.img" }
JSON
# The profile is broken at load (a missing kernel): the doctor pane shows that, and
# the check of the kernel itself, each with its fix line.
qt start fw >/dev/null || fail "start fw"
wait_for 240 guest_ready fw || fail "fw never got ready: $(tail -5 "$(rundir fw)/serial.log")"
sshport=$(cat "$(rundir fw)/ssh-port")

# page PORT: what the web server behind 127.0.0.1:PORT serves (fails when it refuses).
page() { python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=float(sys.argv[2])).read().decode())' "$1" "${2:-20}"; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# first_free PORT: the first port from PORT up that 127.0.0.1 can bind now.
first_free() { python3 -c '
import socket,sys
p=int(sys.argv[1])
while True:
    s=socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",p)); print(p); break
    except OSError: p+=1
    finally: s.close()' "$1"; }

# Web servers in the guest on 8080 and on a port free on the host, each serving one
# page (busybox httpd forks to the background itself and answers from /tmp/www).
same=$(freeport)
while [ "$same" -le 8080 ]; do same=$(freeport); done
qt ssh fw -- "mkdir -p /tmp/www && echo guest-page-\$((6*7)) > /tmp/www/index.html && busybox httpd -p 8080 -h /tmp/www && busybox httpd -p $same -h /tmp/www" ||
	fail "could not start httpd in the guest"
# They listen on tcp6 wildcard sockets, a moment after they forked.
hexsame=$(printf %04X "$same")
httpd_listens() { qt ssh fw -- 'cat /proc/net/tcp /proc/net/tcp6' > "$T/tcp"; grep -q ":1F90 0*:0000 0A" "$T/tcp" && grep -q ":$hexsame 0*:0000 0A" "$T/tcp"; }
wait_for 60 httpd_listens || fail "no httpd listening in the guest: $(cat "$T/tcp")"

tmux_setup
# The port holders end with the test, whatever happens.
holder= bholder=
trap 'kill $holder $bholder 2>/dev/null || true; tm kill-server 2>/dev/null || true; cleanup' EXIT
# Hold host port 8080 (when nothing else does), so that listener goes to the next free one.
if python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",8080))' 2>/dev/null; then
	python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',8080)); s.listen(); time.sleep(600)" &
	holder=$!
	wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', 8080))" || fail "holder"
fi

# The dashboard without the right to bind ports below 1024, as a user has it, even
# when the test runs as root. dash again: a new dashboard in the same tmux pane (a
# tmux server killed and started again at once may refuse the client).
dashcmd="setpriv --bounding-set -net_bind_service env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
dash() {
	if tm has-session -t qt 2>/dev/null; then
		tm respawn-pane -k -t qt "$dashcmd"
	else
		tm new-session -d -s qt -x 160 -y 44 "$dashcmd"
	fi
	see "VMs (2)" || fail "dashboard did not open"
}
pane_closed() { wait_for 10 sh -c "! tmux -L $sock capture-pane -p -t qt | grep -qF '$1'"; }
dash
# fw is first in the list (natural order: fw, nokernel).
tm send-keys -t qt f
see "fw: forwards" || fail "no forwards pane"
see "tcp 127.0.0.1:$sshport -> 22  (ssh)" || fail "the SSH forward is not listed"
see "guest port 22    forwarded from 127.0.0.1:$sshport" 120 || fail "sshd's 22 not listed as a forwarded listener"
see "guest port 8080  not forwarded" || fail "httpd's 8080 not listed"
see "guest port $same not forwarded" || fail "httpd's $same not listed"
ok "the forwards pane lists the SSH forward and the guest's listeners (22 forwarded, 8080 and $same not)"

# Rows: the ssh forward, then the listeners 22, 8080, $same. The last one's port is
# free on the host: the forward takes the same port.
tm send-keys -t qt g j j j f
see "guest port $same forwarded from 127.0.0.1:$same" 30 || fail "$same not forwarded to the same host port"
see "tcp 127.0.0.1:$same -> $same  (added)" || fail "the added forward is not in the list"
[ "$(page "$same")" = guest-page-42 ] || fail "no page through $same"
# Rows now: ssh, the added one, then 22, 8080, $same. 8080 is busy on the host.
want=$(first_free 8080)
[ "$want" -gt 8080 ] || fail "8080 is free on the host after all"
tm send-keys -t qt g j j j f
see "guest port 8080  forwarded from 127.0.0.1:$want" 30 || fail "8080 not forwarded to the next free port $want"
see "tcp 127.0.0.1:$want -> 8080  (added)" || fail "the added forward is not in the list"
[ "$(page "$want")" = guest-page-42 ] || fail "no page through $want"
qt forward fw list | grep -q "tcp 127.0.0.1:$want -> guest 8080  (added)" || fail "the CLI does not see it"
ok "f forwards a listener to the same host port ($same), or the next free one when that is busy (8080 -> $want); the pages come through"

# A restarted dashboard shows them: the run directory keeps them. (q closes the pane
# first, then quits.)
tm send-keys -t qt q
pane_closed "fw: forwards" || fail "q did not close the pane"
tm send-keys -t qt q
see "keeps running" || fail "no quit question"
tm send-keys -t qt y
see "dashboard-exited" || fail "no quit"
dash
tm send-keys -t qt f
see "tcp 127.0.0.1:$want -> 8080  (added)" || fail "a restarted dashboard lost the forward"
see "tcp 127.0.0.1:$same -> $same  (added)" || fail "a restarted dashboard lost the forward"
ok "a restarted dashboard shows the added forwards"

# Remove the 8080 one (the third row): the port refuses.
tm send-keys -t qt g j j d
see "forward tcp 127.0.0.1:$want removed" || fail "no remove"
refuses() { ! page "$1" 2; }
wait_for 20 refuses "$want" || fail "$want still answers"
see "guest port 8080  not forwarded" || fail "8080 still shown as forwarded"
qt forward fw list | grep -q ":$want " && fail "the CLI still lists it"
[ "$(page "$same")" = guest-page-42 ] || fail "the other forward went too"
# The SSH forward is not the pane's to remove.
tm send-keys -t qt g d
see "this forward comes from the SSH port" || fail "no word on removing the SSH forward"
ok "d removes an added forward: the port refuses, the pane and the CLI forget it; the SSH one stays"

# A busy host port typed at the prompt: the holder is named in the status line.
busy=$(freeport)
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$busy)); s.listen(); time.sleep(600)" &
bholder=$!
wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $busy))" || fail "busy holder"
tm send-keys -t qt a
see "HOSTPORT:GUESTPORT" || fail "no prompt"
tm send-keys -t qt "$busy:80" Enter
see "port 127.0.0.1:$busy is busy: python3 (pid $bholder) holds it" || fail "busy port not explained"
kill $bholder
bholder=
ok "a busy host port at the prompt names its holder"

# Below 1024 without the right to bind it.
tm send-keys -t qt a
see "HOSTPORT:GUESTPORT" || fail "no prompt"
tm send-keys -t qt "80:80" Enter
see "port 80 is below 1024, which needs root or CAP_NET_BIND_SERVICE" || fail "privileged port not explained"
ok "a port below 1024 is explained"
tm send-keys -t qt q
pane_closed "fw: forwards" || fail "q did not close the pane"

# The doctor pane for the profile with the missing kernel.
tm send-keys -t qt j d
see "nokernel: doctor" || fail "no doctor pane"
see "nosuch-vmlinuz: No such file or directory" 30 || fail "the missing kernel is not shown"
see "fix: fix the path in the profile, or create the file" || fail "no fix line"
see "something blocks its start" || fail "no verdict"
ok "the doctor pane shows the missing kernel with its fix line"
# r checks again: the kernel file made meanwhile is found (the version probe runs again).
: > "$T/nosuch-vmlinuz"
tm send-keys -t qt r
see "ok   kernel" 30 || fail "r did not check again"
see "ok   qemu-system-aarch64" || fail "no QEMU version after the second probe"
ok "r in the doctor pane checks again"
# PgDn scrolls the checks five at a time, never past the last one (else PgUp would
# come back to an empty view); PgUp comes back to the first.
tm send-keys -t qt NPage
pane_closed "ok   qemu-system-aarch64" || fail "PgDn did not scroll the checks"
see "ok   initrd" || fail "PgDn scrolled past the initrd check"
tm send-keys -t qt NPage NPage NPage PPage
see "ok   qemu-system-aarch64" || fail "PgUp after PgDn past the end"
ok "PgDn and PgUp scroll the doctor pane's checks"

if [ -n "$holder" ]; then kill $holder; holder=; fi
tm send-keys -t qt q
pane_closed "nokernel: doctor" || fail "q did not close the doctor pane"
tm send-keys -t qt q
see "keeps running" || fail "no quit question"
tm send-keys -t qt y
see "dashboard-exited" || fail "dashboard did not quit"
