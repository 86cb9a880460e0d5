#!/usr/bin/env bash
# vmnet-shared, vmnet-host and vmnet-bridged on Linux: cmdline still shows the macOS
# argv, but start and doctor NAME stop before QEMU with the Linux alternatives and what
# macOS needs. No guest boots; the QEMU binary must exist so the check is the network's.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
[ "$(uname -s)" = Linux ] || skip "the vmnet error is Linux's"
for mode in vmnet-shared vmnet-host vmnet-bridged; do
	name=${mode#vmnet-}
	ifname='' want="$mode,id=net0"
	if [ $mode = vmnet-bridged ]; then ifname=', "ifname": "en0"' want="$want,ifname=en0"; fi
	guest_profile "$name" aarch64 "\"network\": { \"mode\": \"$mode\"$ifname }"
	qt cmdline "$name" | grep -q -- "-netdev $want" || fail "cmdline $mode: $(qt cmdline "$name")"
	out=$(qt start "$name" 2>&1) && fail "$mode started on Linux: $out"
	for w in "network.mode: $mode is macOS only" "root or the com.apple.vm.networking entitlement" \
		socket_vmnet '"user"' '"tap"' "sudo qemu-tui net up $name" '"bridge"'; do
		grep -qF -- "$w" <<<"$out" || fail "$mode: start does not say \"$w\": $out"
	done
	[ -e "$(rundir "$name")/qemu.pid" ] && fail "$mode: QEMU was started"
	pgrep -f "qemu-system-aarch64 -name $name " >/dev/null && fail "$mode: a QEMU runs"
	out=$(qt doctor "$name" 2>&1) && fail "doctor $name passed: $out"
	grep -q "^FAIL network mode .*$mode is macOS only" <<<"$out" || fail "doctor $mode: $out"
	out=$(qt doctor "$name" --json) || true
	python3 -c 'import json,sys; o=json.loads(sys.argv[1]); c=[x for x in o if x["check"]=="network mode"]; assert c and c[0]["level"]=="FAIL" and "macOS only" in c[0]["detail"], o' "$out" ||
		fail "doctor --json $mode: $out"
done
ok "vmnet-shared, vmnet-host, vmnet-bridged: argv kept; start and doctor refuse before QEMU, naming user, tap, bridge and the macOS needs"
grep -q "com.apple.vm.networking" "$top_srcdir/README.md" || fail "README does not say what vmnet needs"
