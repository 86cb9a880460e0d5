#!/usr/bin/env bash
# The x86_64 guest: boots under TCG, answers SSH on the forwarded port, stops by ACPI powerdown.
. "$(dirname "$0")/lib.sh"
need_guest x86_64
command -v ssh >/dev/null || skip "no ssh client"
guest_profile x86 x86_64 '"network": { "mode": "user", "model": "e1000", "mac": "08:00:27:40:f1:1e" }'

qt cmdline x86 2>/dev/null | grep -q -- "-device e1000,netdev=net0,mac=08:00:27:40:f1:1e" || fail "cmdline: $(qt cmdline x86)"
qt start x86 >/dev/null || fail start
port=$(qt status x86 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["forwards"][0]["host_port"])')
wait_for 240 guest_ready x86 || fail "x86 guest not ready: $(tail -5 "$(rundir x86)/serial.log")"
x86_ssh() { ssh -i "$GUEST/id_ed25519" -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o BatchMode=yes -o ConnectTimeout=20 root@127.0.0.1 "$@"; }
# Until the guest is ready the supervisor's knocks share dropbear's pre-auth slots.
wait_for 120 x86_ssh true || fail "no SSH on port $port: $(x86_ssh true 2>&1)"
out=$(x86_ssh 'uname -m; cat /sys/class/net/eth0/address')
echo "$out"
grep -q x86_64 <<<"$out" || fail "ssh uname: $out"
grep -q 08:00:27:40:f1:1e <<<"$out" || fail "MAC not applied: $out"
ok "ssh through the forwarded port reaches the guest with the profile's MAC"
out=$(qt stop x86 --timeout 60)
grep -q "stopped by powerdown" <<<"$out" || fail "x86 stop: $out"
ok "x86_64 guest powers off on ACPI powerdown"
echo "PASS: t-x86-ssh"
