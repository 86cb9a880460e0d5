#!/usr/bin/env bash
# qemu-tui net up|down|check, for real inside a network namespace of our own: root makes
# a tap owned by an unprivileged user, who then starts the guest on it without root and
# is reached over SSH on the tap address; down removes it; the user alone cannot make one.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
[ "$(id -u)" = 0 ] || skip "net up needs root (a namespace and a test user)"
command -v ip >/dev/null && command -v runuser >/dev/null || skip "no ip or runuser"
id qtnet >/dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin qtnet || fail "useradd"
ns=qtn$$
ip netns add "$ns" || skip "cannot create a network namespace here"
trap 'cleanup; ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link set lo up
chmod 711 "$T"
U=$T/user
install -d -o qtnet -m 700 "$U" "$U/profiles" "$U/run" "$U/asan"
cat > "$U/profiles/tapvm.json" <<JSON
{
  "name": "tapvm", "arch": "aarch64", "accel": "tcg", "memory": "256M",
  "kernel": "$GUEST/aarch64/vmlinuz", "initrd": "$GUEST/aarch64/initrd.img",
  "append": "console=ttyAMA0 quiet qt_ip=172.16.7.2/24 qt_gw=172.16.7.1",
  "network": { "mode": "tap", "ifname": "qttap7", "host_addr": "172.16.7.1/24" },
  "ssh": { "user": "root", "host": "172.16.7.2" }
}
JSON
chown qtnet "$U/profiles/tapvm.json"
as_root() { ip netns exec "$ns" "$QEMU_TUI" --profiles "$U/profiles" "$@"; }
as_user() {
	ip netns exec "$ns" runuser -u qtnet -- env QEMU_TUI_RUNDIR="$U/run" HOME="$U" \
		ASAN_OPTIONS="log_path=$U/asan/asan" UBSAN_OPTIONS="log_path=$U/asan/ubsan" \
		"$QEMU_TUI" --profiles "$U/profiles" "$@"
}

out=$(as_user net up tapvm 2>&1) && fail "an unprivileged net up succeeded: $out"
echo "$out"
grep -q "needs root or CAP_NET_ADMIN; nothing was created. Run: sudo qemu-tui net up tapvm" <<<"$out" ||
	fail "no sudo line: $out"
ip -n "$ns" link show qttap7 >/dev/null 2>&1 && fail "a device was created"
out=$(as_user net check tapvm) && fail "check passed without a device"
grep -q "does not exist; create it: sudo qemu-tui net up tapvm" <<<"$out" || fail "check said: $out"
out=$(as_user net check tapvm --json) && fail "check --json passed without a device"
python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["ifname"]=="qttap7" and o["exists"] is False and o["owner"] is None and o["addresses"]==[] and o["usable"] is False, o' "$out" ||
	fail "check --json without a device: $out"
ok "as the user: net up fails with the sudo line and creates nothing; check says so"

as_root net up tapvm --user qtnet || fail "net up"
ip -n "$ns" -d link show qttap7 | grep -q "tun type tap .*persist on user qtnet" ||
	fail "not a persistent tap of qtnet: $(ip -n "$ns" -d link show qttap7)"
ip -n "$ns" addr show qttap7 | grep -q "inet 172.16.7.1/24" || fail "no host address"
as_user net check tapvm | grep -q "owner qtnet (uid $(id -u qtnet)), 172.16.7.1/24" || fail "check"
out=$(as_user net check tapvm --json) || fail "check --json: $out"
python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o=={"name":"tapvm","ifname":"qttap7","exists":True,"tap":True,"persistent":True,"up":True,"owner":int(sys.argv[2]),"owner_name":"qtnet","usable":True,"addresses":["172.16.7.1/24"]}, o' \
	"$out" "$(id -u qtnet)" || fail "check --json: $out"
out=$(as_root net up tapvm --json 2>&1) && fail "--json taken by up"
grep -q "\-\-json is for check" <<<"$out" || fail "said: $out"
ok "net up as root: a persistent tap owned by qtnet, 172.16.7.1/24, up"

as_user start tapvm > "$T/start.out" 2>&1 || fail "the user could not start on the tap: $(cat "$T/start.out")"
pgrep -u qtnet -f "qemu-system-aarch64 .*ifname=qttap7" >/dev/null || fail "QEMU does not run as qtnet"
wait_for 120 grep -q 'qemu-tui-guest: ready' "$U/run/tapvm/serial.log" || fail "guest not ready"
tap_ssh() { ip netns exec "$ns" ssh -i "$GUEST/id_ed25519" -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=20 root@172.16.7.2 "$@"; }
# The supervisor's readiness knocks share dropbear's few pre-auth slots with us until
# the guest is ready, and a loaded e1000 link can come up late: retry until it answers.
wait_for 120 tap_ssh true || fail "no SSH on 172.16.7.2: $(tap_ssh true 2>&1)"
out=$(tap_ssh 'echo guest-$((6*7))')
[ "$out" = guest-42 ] || fail "ssh over the tap: $out"
ok "the user runs QEMU on it without root; the guest answers SSH on 172.16.7.2"

out=$(as_root net down tapvm 2>&1) && fail "net down removed a tap in use"
grep -q "in use" <<<"$out" || fail "down said: $out"
as_user stop tapvm --force >/dev/null || fail "stop"
as_root net down tapvm | grep -q "tap qttap7 removed" || fail "net down"
ip -n "$ns" link show qttap7 >/dev/null 2>&1 && fail "the device is still there"
ok "net down: refused while a VM uses it, removes it after"
reports=$(ls "$U"/asan/* 2>/dev/null || true)
[ -z "$reports" ] || { head -n 30 $reports; fail "sanitizer reports"; }
