#!/usr/bin/env bash
# qemu-tui forward on a running guest (user networking, real QEMU): a forward added to
# its sshd takes a login, shows in list and status, and refuses connections once
# removed; a busy host port names the process holding it.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
guest_profile fw aarch64
qt start fw >/dev/null || fail "start"
wait_for 240 guest_ready fw || fail "guest not ready"
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(freeport)
qt forward fw add "$port:22" | grep -q "forwarding tcp 127.0.0.1:$port to the guest's port 22" || fail "add"
sshg() {
	ssh -i "$GUEST/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=10 -p "$1" root@127.0.0.1 "$2"
}
[ "$(sshg "$port" 'echo via-$((6*7))')" = via-42 ] || fail "no login through the added forward"
qt forward fw list | grep -q "tcp 127.0.0.1:$port -> guest 22  (added)" || fail "list: $(qt forward fw list)"
qt status fw | grep -q "forward    tcp 127.0.0.1:$port -> guest 22 (added)" || fail "status: $(qt status fw)"
ok "an added forward to the guest's sshd takes a login; list and status show it"

qt forward fw remove "$port:22" | grep -q "removed" || fail "remove"
sshg "$port" true 2>/dev/null && fail "the port still forwards after remove"
qt forward fw list | grep -q ":$port " && fail "list still shows it"
ok "removed: the port refuses, list forgets it"

busy=$(freeport)
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$busy)); s.listen(); time.sleep(60)" &
holder=$!
wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $busy))" || fail "listener"
out=$(qt forward fw add "$busy:80" 2>&1) && fail "added a forward on a busy port"
kill $holder
echo "$out"
grep -q "port 127.0.0.1:$busy is busy: python3 (pid $holder) holds it" <<<"$out" || fail "said: $out"
out=$(qt forward fw add "nonsense" 2>&1) && fail "a nonsense spec"
grep -q "is not a forward: \[tcp|udp:\]\[HOSTADDR:\]HOSTPORT:GUESTPORT" <<<"$out" || fail "said: $out"
ok "a busy port names its holder; a bad spec says the form"
qt stop fw --force >/dev/null
out=$(qt forward fw add "$port:22" 2>&1) && fail "added to a stopped VM"
grep -q "put them in the profile's network.forwards" <<<"$out" || fail "said: $out"
ok "a stopped VM takes no forward, and says where they go instead"
