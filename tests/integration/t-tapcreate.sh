#!/usr/bin/env bash
# network.create: true, inside a network namespace of our own. An unprivileged user's
# start fails before QEMU with the exact sudo line and creates nothing; root's start makes
# the tap (persistent, host address, up) and the guest answers SSH over it; once a tap is
# ready (net up --user), the user's start uses it without needing any right; a user with
# CAP_NET_ADMIN and nothing else makes it too.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
[ "$(id -u)" = 0 ] || skip "needs root (a namespace and a test user)"
command -v ip >/dev/null && command -v runuser >/dev/null || skip "no ip or runuser"
id qtnet >/dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin qtnet || fail "useradd"
ns=qtc$$
ip netns add "$ns" || skip "cannot create a network namespace here"
trap 'cleanup; ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link set lo up
chmod 711 "$T"
U=$T/user
install -d -o qtnet -m 700 "$U" "$U/profiles" "$U/run" "$U/asan"
cat > "$U/profiles/tapc.json" <<JSON
{
  "name": "tapc", "arch": "aarch64", "accel": "tcg", "memory": "256M",
  "kernel": "$GUEST/aarch64/vmlinuz", "initrd": "$GUEST/aarch64/initrd.img",
  "append": "console=ttyAMA0 quiet qt_ip=172.16.8.2/24 qt_gw=172.16.8.1",
  "network": { "mode": "tap", "ifname": "qttap8", "host_addr": "172.16.8.1/24", "create": true },
  "ssh": { "user": "root", "host": "172.16.8.2" }
}
JSON
chown qtnet "$U/profiles/tapc.json"
as_root() { ip netns exec "$ns" "$QEMU_TUI" --profiles "$U/profiles" "$@"; }
as_user() {
	ip netns exec "$ns" runuser -u qtnet -- env QEMU_TUI_RUNDIR="$U/run" HOME="$U" \
		ASAN_OPTIONS="log_path=$U/asan/asan" UBSAN_OPTIONS="log_path=$U/asan/ubsan" \
		"$QEMU_TUI" --profiles "$U/profiles" "$@"
}
guest_ssh() {
	ip netns exec "$ns" ssh -i "$GUEST/id_ed25519" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=20 root@172.16.8.2 \
		'echo guest-$((6*7))'
}

out=$(as_user start tapc 2>&1) && fail "an unprivileged start with network.create succeeded: $out"
grep -q "network.create: .*needs root or CAP_NET_ADMIN; run once: sudo qemu-tui net up tapc" <<<"$out" ||
	fail "no sudo line: $out"
ip -n "$ns" link show qttap8 >/dev/null 2>&1 && fail "a device was created"
[ -e "$U/run/tapc/qemu.pid" ] && fail "QEMU was started"
out=$(as_user doctor tapc) && fail "doctor passed: $out"
grep -q "^FAIL tap .*qttap8 does not exist, and network.create needs root or CAP_NET_ADMIN" <<<"$out" ||
	fail "doctor as the user: $out"
grep -q "fix: sudo qemu-tui net up tapc" <<<"$out" || fail "doctor's fix: $out"
ok "as the user: start fails before QEMU with the sudo line and creates nothing; doctor says so"

out=$(as_root doctor tapc | grep "tap ") || true
grep -q "^ok   tap .*qttap8 does not exist yet: network.create makes it at start" <<<"$out" ||
	fail "doctor as root: $out"
as_root start tapc > "$T/start.out" 2>&1 || fail "root's start: $(cat "$T/start.out")"
ip -n "$ns" -d link show qttap8 | grep -q "tun type tap .*persist on" || fail "no persistent tap"
ip -n "$ns" addr show qttap8 | grep -q "inet 172.16.8.1/24" || fail "no host address"
ip -n "$ns" link show qttap8 | grep -q "[<,]UP[,>]" || fail "the tap is not up"
wait_for 240 grep -q 'qemu-tui-guest: ready' "$QEMU_TUI_RUNDIR/tapc/serial.log" || fail "guest not ready"
# Until the guest is ready the supervisor's knocks share dropbear's pre-auth slots.
gs() { [ "$(guest_ssh 2>/dev/null)" = guest-42 ]; }
wait_for 120 gs || fail "ssh over the created tap"
as_root stop tapc --force >/dev/null || fail "stop"
ok "as root: start makes qttap8 (persistent, 172.16.8.1/24, up); the guest answers SSH on 172.16.8.2"

# CAP_NET_ADMIN alone is the right too: the user with only that capability (ambient,
# so it survives exec) makes the tap, owned by the user QEMU runs as.
as_root net down tapc >/dev/null || fail "net down"
ip netns exec "$ns" setpriv --reuid qtnet --regid "$(id -g qtnet)" --clear-groups \
	--inh-caps +net_admin --ambient-caps +net_admin \
	env QEMU_TUI_RUNDIR="$U/run" HOME="$U" ASAN_OPTIONS="log_path=$U/asan/asan" \
	UBSAN_OPTIONS="log_path=$U/asan/ubsan" "$QEMU_TUI" --profiles "$U/profiles" start tapc \
	> "$T/start-cap.out" 2>&1 || fail "start with CAP_NET_ADMIN: $(cat "$T/start-cap.out")"
ip -n "$ns" -d link show qttap8 | grep -q "tun type tap .*persist on user qtnet" ||
	fail "not a tap of qtnet: $(ip -n "$ns" -d link show qttap8)"
as_user stop tapc --force >/dev/null || fail "stop (cap)"
as_root net down tapc >/dev/null || fail "net down (cap)"
ok "with CAP_NET_ADMIN and no root: start makes the tap, owned by the user"

as_root net up tapc --user qtnet >/dev/null || fail "net up --user"
as_user start tapc > "$T/start2.out" 2>&1 || fail "the user's start on a ready tap: $(cat "$T/start2.out")"
wait_for 240 grep -q 'qemu-tui-guest: ready' "$U/run/tapc/serial.log" || fail "guest not ready (user)"
wait_for 120 gs || fail "ssh as the user's guest"
as_user stop tapc --force >/dev/null || fail "stop (user)"
as_root net down tapc >/dev/null || fail "net down"
ok "a tap that is ready needs no right: the user's start with network.create runs on it"
reports=$(ls "$U"/asan/* 2>/dev/null || true)
[ -z "$reports" ] || { head -n 30 $reports; fail "sanitizer reports"; }
