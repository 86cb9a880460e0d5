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
qt forward fw list --json > "$T/fw.json" || fail "list --json"
python3 - "$T/fw.json" "$port" "$(qt forward fw list)" <<'PY' || fail "list --json: $(cat "$T/fw.json")"
import json, sys
fws, port, text = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
added = [f for f in fws if f["from"] == "added"]
assert added == [{"proto": "tcp", "host_addr": "127.0.0.1", "host_port": port,
                  "guest_port": 22, "from": "added"}], fws
assert any(f["from"] == "ssh" and f["guest_port"] == 22 for f in fws), fws
# One object for each line of the text form, in its order.
lines = ["%s %s:%d -> guest %d  (%s)" % (f["proto"], f["host_addr"], f["host_port"],
         f["guest_port"], f["from"]) for f in fws]
assert lines == text.splitlines(), (lines, text)
PY
ok "an added forward to the guest's sshd takes a login; list, list --json and status show it"

qt forward fw remove "$port:22" | grep -q "removed" || fail "remove"
sshg "$port" true 2>/dev/null && fail "the port still forwards after remove"
qt forward fw list | grep -q ":$port " && fail "list still shows it"
qt forward fw list --json | python3 -c 'import json,sys; assert not [f for f in json.load(sys.stdin) if f["from"] == "added"]' ||
	fail "list --json still shows it"
out=$(qt forward fw add "$port:22" --json 2>&1) && fail "--json taken by add"
grep -q "\-\-json is for list" <<<"$out" || fail "said: $out"
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
