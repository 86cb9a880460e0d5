#!/usr/bin/env bash
# TAP networking for real, inside a network namespace of our own (never the host's interfaces).
. "$(dirname "$0")/lib.sh"
need_guest x86_64
[ "$(id -u)" = 0 ] || skip "TAP in a network namespace needs root"
command -v ip >/dev/null || skip "no ip (iproute2)"
ns=qtt$$
ip netns add "$ns" || skip "cannot create a network namespace here"
trap 'cleanup; ip netns del "$ns" 2>/dev/null || true' EXIT
inns() { ip netns exec "$ns" "$@"; }
ip -n "$ns" link set lo up

cat > "$T/profiles/tapvm.json" <<JSON
{
  "name": "tapvm", "arch": "x86_64", "accel": "tcg", "memory": "256M",
  "kernel": "$GUEST/x86_64/vmlinuz", "initrd": "$GUEST/x86_64/initrd.img",
  "append": "console=ttyS0 quiet qt_ip=172.16.0.2/24 qt_gw=172.16.0.1",
  "network": { "mode": "tap", "ifname": "qttap0", "model": "e1000",
               "mac": "08:00:27:40:f1:1e", "host_addr": "172.16.0.1/24" },
  "ssh": { "user": "root", "host": "172.16.0.2", "identity": "$GUEST/id_ed25519" }
}
JSON

# Without the device, start refuses and says how to create it.
if out=$(inns "$QEMU_TUI" --profiles "$T/profiles" start tapvm 2>&1); then fail "started without a tap device"; fi
grep -q 'ip tuntap add dev qttap0 mode tap' <<<"$out" || fail "missing-tap error does not say how: $out"
ok "a missing TAP device is an error that says how to create it"

ip -n "$ns" tuntap add dev qttap0 mode tap
ip -n "$ns" addr add 172.16.0.1/24 dev qttap0
ip -n "$ns" link set qttap0 up
inns "$QEMU_TUI" --profiles "$T/profiles" start tapvm >/dev/null || fail "start with tap"
inns "$QEMU_TUI" --profiles "$T/profiles" cmdline tapvm 2>/dev/null |
	grep -q -- '-netdev tap,id=net0,ifname=qttap0,script=no,downscript=no' || fail "tap netdev missing"
wait_for 240 guest_ready tapvm || fail "guest not ready: $(tail -5 "$(rundir tapvm)/serial.log")"
# "ready" is dropbear listening; the e1000's link can come up later under a loaded TCG.
tap_ssh() { inns ssh -i "$GUEST/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o BatchMode=yes -o ConnectTimeout=20 root@172.16.0.2 "$@"; }
wait_for 120 tap_ssh true || fail "no SSH on the TAP address: $(tap_ssh true 2>&1)"
out=$(inns ssh -i "$GUEST/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o BatchMode=yes -o ConnectTimeout=20 root@172.16.0.2 'cat /sys/class/net/eth0/address')
[ "$out" = 08:00:27:40:f1:1e ] || fail "ssh over tap: $out"
ok "the guest answers SSH on its TAP address"
# qemu-tui's own ssh takes the target from the profile: ssh.host, port 22.
mkdir -p "$T/home"
out=$(inns env HOME="$T/home" "$QEMU_TUI" --profiles "$T/profiles" --set ssh.host_key_check=accept-new \
	ssh tapvm -- 'cat /sys/class/net/eth0/address; exit 4'; echo "rc=$?")
[ "$out" = "08:00:27:40:f1:1e
rc=4" ] || fail "qemu-tui ssh over tap: $out"
grep -q '^172.16.0.2 ssh-ed25519 ' "$T/home/.ssh/known_hosts" || fail "known_hosts: $(cat "$T/home/.ssh/known_hosts")"
inns env HOME="$T/home" "$QEMU_TUI" --profiles "$T/profiles" ssh-config tapvm | grep -qx '    HostName 172.16.0.2' ||
	fail "ssh-config over tap"
ok "qemu-tui ssh reaches the guest's TAP address from the profile (exit status kept, known_hosts entry 172.16.0.2)"
inns "$QEMU_TUI" --profiles "$T/profiles" stop tapvm --timeout 60 | grep -q 'stopped by powerdown' || fail "stop"
ok "stopped by powerdown"
echo "PASS: t-tap"
