#!/usr/bin/env bash
# Host keys against a real sshd (the host's dropbear on loopback, no QEMU): a server
# whose key changed type is explained with the line to remove, not "Socket error";
# a changed key is refused.
. "$(dirname "$0")/lib.sh"
command -v dropbear >/dev/null && command -v dropbearkey >/dev/null || skip "dropbear is not installed"
cd "$T"
dropbearkey -t rsa -f rsa_host >/dev/null 2>&1 && dropbearkey -t ed25519 -f ed_host >/dev/null 2>&1 ||
	fail "dropbearkey"
pub() { dropbearkey -y -f "$1" 2>/dev/null | grep -E '^ssh-' | cut -d' ' -f1,2; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dropbear -F -E -p "127.0.0.1:$port" -r ed_host -P "$T/dropbear.pid" 2> "$T/dropbear.log" &
dpid=$!
trap 'kill $dpid 2>/dev/null; cleanup' EXIT
wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" || fail "dropbear did not listen"
mkdir -p "$T/home/.ssh"
cat > "$T/profiles/hk.json" <<JSON
{ "name": "hk", "arch": "x86_64", "network": { "mode": "none" },
  "ssh": { "host": "127.0.0.1", "port": $port, "user": "root", "connect_timeout": 5 } }
JSON
hk() { HOME=$T/home timeout 30 "$QEMU_TUI" --profiles "$T/profiles" ssh hk -- true 2>&1; }

# known_hosts holds an RSA key; the server has only ed25519.
echo "[127.0.0.1]:$port $(pub rsa_host)" > "$T/home/.ssh/known_hosts"
out=$(hk) && fail "ssh succeeded: $out"
echo "$out"
grep -q "Socket error" <<<"$out" && ! grep -q "host key has changed type" <<<"$out" &&
	fail "a bare socket error"
grep -q "offers no host key of the type line 1 of $T/home/.ssh/known_hosts holds" <<<"$out" ||
	fail "the key type change is not explained"
grep -qF "ssh-keygen -f $T/home/.ssh/known_hosts -R '[127.0.0.1]:$port'" <<<"$out" ||
	fail "no ssh-keygen -R line"
ok "a host key of another type: explained, with the line to remove"

# The same type, another key: CHANGED.
dropbearkey -t ed25519 -f other_host >/dev/null 2>&1
echo "[127.0.0.1]:$port $(pub other_host)" > "$T/home/.ssh/known_hosts"
out=$(hk) && fail "ssh succeeded: $out"
grep -q "has CHANGED" <<<"$out" || fail "changed key: $out"
ok "a changed key of the same type is refused as CHANGED"
