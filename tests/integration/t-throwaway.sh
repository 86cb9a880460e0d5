#!/usr/bin/env bash
# Throwaway runs: start --throwaway gives this run QEMU's -snapshot (the guest's writes
# never reach the disk) and records it, so status, list and the dashboard say
# "throwaway"; a plain start writes the disk; a "snapshot": true profile is throwaway
# in list and in the dashboard; the dashboard's T starts a throwaway run.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
dd if=/dev/zero of="$T/disk.raw" bs=1M count=4 status=none
guest_profile tw aarch64 "\"drives\": [ { \"file\": \"$T/disk.raw\", \"format\": \"raw\", \"if\": \"virtio\" } ]"
guest_profile snap aarch64 '"snapshot": true'
export HOME=$T
sum=$(md5sum < "$T/disk.raw")
write_disk() {
	wait_for 240 guest_ready tw || fail "guest not ready: $(tail -n 5 "$(rundir tw)/serial.log")"
	qt wait tw --for ssh --timeout 240 || fail "no ssh"
	qt ssh tw -- 'echo MARK | dd of=/dev/vda conv=fsync' >/dev/null 2>"$T/err" ||
		fail "write from the guest: $(cat "$T/err")"
}

qt start --throwaway tw >"$T/out" || fail "start --throwaway: $(cat "$T/out")"
write_disk
[ "$(json_field tw throwaway)" = True ] || fail "status --json: $(qt status tw --json)"
grep -q "throwaway" <<<"$(qt status tw)" || fail "status text: $(qt status tw)"
grep -q "^tw .*throwaway" <<<"$(qt list)" || fail "list: $(qt list)"
qt stop tw >/dev/null || fail "stop"
[ "$(md5sum < "$T/disk.raw")" = "$sum" ] || fail "--throwaway: the disk changed"
ok "start --throwaway: status and list say throwaway, the guest's write left the disk as it was"

qt start tw >/dev/null || fail "plain start"
write_disk
[ "$(json_field tw throwaway)" = False ] || fail "a plain run says throwaway"
grep -q "^tw .*throwaway" <<<"$(qt list)" && fail "list: a plain run shown as throwaway"
qt stop tw >/dev/null || fail "stop"
[ "$(md5sum < "$T/disk.raw")" != "$sum" ] || fail "a plain start did not write the disk"
ok "a plain start writes the disk and is not throwaway"

grep -q "^snap .*throwaway" <<<"$(qt list)" || fail "list: snapshot profile: $(qt list)"
[ "$(json_field snap throwaway)" = True ] || fail "status --json of a snapshot profile"
ok "a \"snapshot\": true profile is throwaway in list and status, stopped"

tmux_setup
tm new-session -d -s qt -x 120 -y 35 \
	"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
see "VMs (2)" || fail "dashboard did not open"
screen | grep -qE "snap +throwaway stopped" || fail "dashboard: snapshot profile not marked: $(screen)"
screen | grep -qE "tw +throwaway" && fail "dashboard: tw marked before a throwaway run"
tm send-keys -t qt j T
wait_for 60 sh -c "tmux -L $sock capture-pane -p -t qt | grep -qE 'tw +throwaway (starting|running)'" ||
	fail "dashboard: T did not start a throwaway run: $(screen)"
wait_for 60 state_is tw running || fail "tw not running after T"
[ "$(json_field tw throwaway)" = True ] || fail "status --json after T: $(qt status tw --json)"
ok "the dashboard's T starts a throwaway run, marked in the VM list"
qt stop tw >/dev/null || fail "stop"
