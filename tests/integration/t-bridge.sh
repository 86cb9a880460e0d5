#!/usr/bin/env bash
# mode bridge through qemu-bridge-helper, inside a network namespace of our own with a
# bridge made there. Each thing the helper needs is taken away for real and explained
# with its fix, to an unprivileged user: the helper missing, not setuid, bridge.conf
# missing, without `allow BR`, denying BR. Then root boots the guest on the bridge and
# reaches it over SSH on the bridge's address. bridge.conf is never written to the
# host's /etc: each run gets a private mount namespace with an overlay on /etc (and
# binds over the helper), so the host sees none of it.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
[ "$(id -u)" = 0 ] || skip "needs root (namespaces and a test user)"
command -v ip >/dev/null && command -v runuser >/dev/null && command -v unshare >/dev/null ||
	skip "no ip, runuser or unshare"
helper=/usr/lib/qemu/qemu-bridge-helper
[ -x "$helper" ] || skip "no $helper (qemu-system-common)"
id qtnet >/dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin qtnet || fail "useradd"
etc_qemu_before=$(ls -d /etc/qemu 2>/dev/null || true)
ns=qtb$$
ip netns add "$ns" || skip "cannot create a network namespace here"
trap 'cleanup; ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link set lo up
ip -n "$ns" link add qtbr9 type bridge
ip -n "$ns" addr add 172.16.9.1/24 dev qtbr9
ip -n "$ns" link set qtbr9 up
chmod 711 "$T"
U=$T/user
install -d -o qtnet -m 700 "$U" "$U/profiles" "$U/run" "$U/asan"
cat > "$U/profiles/brvm.json" <<JSON
{
  "name": "brvm", "arch": "aarch64", "accel": "tcg", "memory": "256M",
  "kernel": "$GUEST/aarch64/vmlinuz", "initrd": "$GUEST/aarch64/initrd.img",
  "append": "console=ttyAMA0 quiet qt_ip=172.16.9.2/24 qt_gw=172.16.9.1",
  "network": { "mode": "bridge", "bridge": "qtbr9" },
  "ssh": { "user": "root", "host": "172.16.9.2" }
}
JSON
chown qtnet "$U/profiles/brvm.json"
install -m 0755 "$helper" "$T/helper-plain"
install -m 4755 "$helper" "$T/helper-suid"

# world HELPER CONF CMD...: CMD in the namespace with a private mount namespace where
# the helper is HELPER (plain, suid, none) and /etc/qemu/bridge.conf holds CONF ("-": absent).
world() {
	local h=$1 conf=$2 e
	shift 2
	e=$(mktemp -d "$T/etc.XXXXXX")	# a fresh upper layer each time (calls run in subshells)
	mkdir -p "$e/u" "$e/w"
	if [ "$conf" != - ]; then mkdir -p "$e/u/qemu"; printf '%b' "$conf" > "$e/u/qemu/bridge.conf"; fi
	ip netns exec "$ns" unshare -m --propagation private bash -c '
		set -e
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/u,workdir=$1/w" /etc
		case $2 in
		none) mount -t tmpfs none /usr/lib/qemu ;;
		*) mount --bind "$3/helper-$2" /usr/lib/qemu/qemu-bridge-helper ;;
		esac
		shift 3
		exec "$@"' _ "$e" "$h" "$T" "$@"
}
as_user() {
	local h=$1 conf=$2
	shift 2
	world "$h" "$conf" runuser -u qtnet -- env QEMU_TUI_RUNDIR="$U/run" HOME="$U" \
		ASAN_OPTIONS="log_path=$U/asan/asan" UBSAN_OPTIONS="log_path=$U/asan/ubsan" \
		"$QEMU_TUI" --profiles "$U/profiles" "$@"
}
# expect HELPER CONF WHAT FIX: start and doctor refuse, saying WHAT and FIX; no QEMU ran.
expect() {
	local out
	out=$(as_user "$1" "$2" start brvm 2>&1) && fail "start succeeded with helper $1, conf '$2': $out"
	grep -qF -- "$3" <<<"$out" || fail "start does not say \"$3\": $out"
	grep -qF -- "fix: $4" <<<"$out" || fail "start does not give the fix \"$4\": $out"
	[ -e "$U/run/brvm/qemu.pid" ] && fail "QEMU was started"
	out=$(as_user "$1" "$2" doctor brvm) && fail "doctor passed: $out"
	grep -qF -- "$3" <<<"$out" || fail "doctor does not say \"$3\": $out"
	grep -qF -- "fix: $4" <<<"$out" || fail "doctor does not give the fix \"$4\": $out"
}

out=$(as_user plain - cmdline brvm 2>/dev/null) || fail "cmdline"
grep -qF -- "-netdev bridge,id=net0,br=qtbr9,helper=$helper" <<<"$out" || fail "cmdline: $out"
grep -qE -- "-device virtio-net-pci,netdev=net0,mac=52:54:00:" <<<"$out" || fail "cmdline nic: $out"
ok "cmdline: -netdev bridge,br=qtbr9 through $helper, the NIC with the name's MAC"

expect none - "qemu-bridge-helper is not installed" "sudo apt-get install qemu-system-common"
expect plain 'allow qtbr9\n' "$helper is not setuid root, so it cannot attach the guest to qtbr9" \
	"sudo chmod u+s $helper (or start the VM as root)"
expect suid - "/etc/qemu/bridge.conf does not exist, so qemu-bridge-helper refuses every bridge" \
	"sudo mkdir -p /etc/qemu && echo 'allow qtbr9' | sudo tee -a /etc/qemu/bridge.conf"
expect suid 'allow br0\n' "/etc/qemu/bridge.conf has no \`allow\` line for qtbr9" \
	"echo 'allow qtbr9' | sudo tee -a /etc/qemu/bridge.conf"
expect suid 'allow all\ndeny qtbr9\n' "/etc/qemu/bridge.conf denies qtbr9" \
	"remove the deny line for qtbr9"
out=$(as_user suid '# ours\ninclude /etc/qemu/more.conf\n' doctor brvm) && fail "an include of a missing file allowed it"
printf 'allow qtbr9\n' > "$T/more.conf"
chmod 644 "$T/more.conf"
out=$(as_user suid "# ours\ninclude $T/more.conf\n" doctor brvm) || fail "an included allow line was not followed: $out"
out=$(as_user suid 'allow qtbr9\n' doctor brvm) || fail "doctor with everything in place: $out"
grep -q "^ok   bridge  *qtbr9 through $helper" <<<"$out" || fail "doctor: $out"
ok "as a user: no helper, a helper not setuid, no bridge.conf, no allow line, a deny line: each refused before QEMU with its fix"

cat > "$U/profiles/nobr.json" <<JSON
{ "name": "nobr", "arch": "aarch64", "accel": "tcg", "kernel": "$GUEST/aarch64/vmlinuz",
  "network": { "mode": "bridge", "bridge": "qtbr0none" } }
JSON
out=$(world plain 'allow all\n' "$QEMU_TUI" --profiles "$U/profiles" start nobr 2>&1) && fail "started on a missing bridge"
grep -qF "there is no network device qtbr0none" <<<"$out" || fail "missing bridge: $out"
grep -qF "fix: sudo ip link add qtbr0none type bridge" <<<"$out" || fail "missing bridge fix: $out"
rm "$U/profiles/nobr.json"
ok "a bridge that does not exist is named with the command that makes it"

world plain 'allow qtbr9\n' "$QEMU_TUI" --profiles "$U/profiles" start brvm > "$T/start.out" 2>&1 ||
	fail "root's start on the bridge: $(cat "$T/start.out")"
wait_for 240 grep -q 'qemu-tui-guest: ready' "$QEMU_TUI_RUNDIR/brvm/serial.log" || fail "guest not ready"
ip -n "$ns" link show master qtbr9 | grep -q "tap" || fail "no tap joined qtbr9: $(ip -n "$ns" link show master qtbr9)"
br_ssh() { ip netns exec "$ns" ssh -i "$GUEST/id_ed25519" -o StrictHostKeyChecking=no -o LogLevel=ERROR \
	-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=20 root@172.16.9.2 "$@"; }
# Until the guest is ready the supervisor's knocks share dropbear's pre-auth slots.
wait_for 120 br_ssh true || fail "no SSH on 172.16.9.2: $(br_ssh true 2>&1)"
out=$(br_ssh 'echo guest-$((6*7))')
[ "$out" = guest-42 ] || fail "ssh over the bridge: $out"
"$QEMU_TUI" --profiles "$U/profiles" stop brvm --force >/dev/null || fail "stop"
ok "as root: the guest joins qtbr9 through the helper and answers SSH on 172.16.9.2"
[ "$(ls -d /etc/qemu 2>/dev/null || true)" = "$etc_qemu_before" ] || fail "the host's /etc/qemu changed"
reports=$(ls "$U"/asan/* 2>/dev/null || true)
[ -z "$reports" ] || { head -n 30 $reports; fail "sanitizer reports"; }
