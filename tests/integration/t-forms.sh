#!/usr/bin/env bash
# Getting VMs in: the dashboard's new-VM form (driven through tmux) makes a profile for
# the aarch64 test guest that starts and reaches its shell, and a bad answer shows the
# schema's error and writes nothing; `new`; a clone runs beside its original and writes
# only to its own overlay; rename and delete (with and without --disks) do what they
# say, and refuse a running VM; clone and rename keep a commented profile's comments, and
# delete names the state directory that goes with the VM.
. "$(dirname "$0")/lib.sh"
need_guest aarch64
command -v tmux >/dev/null || skip "tmux is not installed"
command -v qemu-img >/dev/null && command -v qemu-io >/dev/null || skip "qemu-img/qemu-io are not installed"
G=$GUEST/aarch64

# ---- the form ----
tmux_setup
guest_profile seed aarch64
tm new-session -d -s qt -x 160 -y 45 \
	"env QEMU_TUI_RUNDIR=$QEMU_TUI_RUNDIR XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=xterm-256color $QEMU_TUI --profiles $T/profiles; echo dashboard-exited; sleep 30"
see "VMs (1)" || fail "dashboard did not open"
tm send-keys -t qt n
see "New VM" || fail "n did not open the form"
see "a name is needed" || fail "an empty name is not flagged"
# Field order: Name Arch Memory CPUs Accel New-disk Disk-file ISO Kernel Initrd Append Network SSH-user
tm send-keys -t qt -l seed
see "a profile named seed exists" || fail "a name taken is not flagged"
tm send-keys -t qt BSpace BSpace BSpace BSpace
tm send-keys -t qt -l formvm
tm send-keys -t qt Tab; tm send-keys -t qt -l aarch64
tm send-keys -t qt Tab; tm send-keys -t qt -l 12Q
see '"12Q" is not a size' || fail "memory 12Q: no error beside the field"
tm send-keys -t qt Enter
see '"12Q" is not a size' || fail "Enter with 12Q"
[ ! -e "$T/profiles/formvm.json" ] || fail "a profile was written with memory 12Q"
ls "$T/profiles" | grep -qv '^seed.json$' && fail "something was written: $(ls "$T/profiles")"
ok "memory 12Q: the schema's error beside the field, Enter writes nothing"

tm send-keys -t qt BSpace BSpace BSpace; tm send-keys -t qt -l 256M
tm send-keys -t qt Tab Tab; tm send-keys -t qt -l tcg
tm send-keys -t qt Tab; tm send-keys -t qt -l 64M
tm send-keys -t qt Tab Tab Tab; tm send-keys -t qt -l "$G/vmlinuz"
tm send-keys -t qt Tab; tm send-keys -t qt -l "$G/initrd.img"
tm send-keys -t qt Tab; tm send-keys -t qt -l "console=ttyAMA0 quiet"
tm send-keys -t qt Tab Tab; tm send-keys -t qt -l root
screen | grep -q "does not exist" && fail "a guest file is refused: $(screen)"
tm send-keys -t qt Enter
wait_for 30 test -f "$T/profiles/formvm.json" || { screen; fail "the form wrote no profile"; }
see "▶ formvm" || fail "the new VM is not selected"
python3 - "$T/profiles/formvm.json" <<'PY' || fail "profile: $(cat "$T/profiles/formvm.json")"
import json, re, sys
t = re.sub(r'^//.*$', '', open(sys.argv[1]).read(), flags=re.M)
p = json.loads(t)
assert p["name"] == "formvm" and p["arch"] == "aarch64" and p["memory"] == "256M", p
assert p["accel"] == "tcg" and p["kernel"].endswith("/vmlinuz") and p["ssh"]["user"] == "root", p
assert p["drives"] == [{"file": "formvm.qcow2", "format": "qcow2"}], p
PY
qemu-img info "$T/profiles/formvm.qcow2" | grep -q "virtual size: 64 MiB" || fail "the form's new disk"
ok "the form writes the profile and selects the new VM"

tm send-keys -t qt s
wait_for 240 guest_ready formvm || fail "the form's VM did not reach its shell: $(tail -5 "$(rundir formvm)/serial.log")"
ok "the form's VM starts and reaches its shell"
qt stop formvm >/dev/null 2>&1 || true
wait_for 60 state_is formvm stopped || fail "formvm did not stop"

# Clone, rename and delete from the dashboard.
tm send-keys -t qt C
see "Clone formvm" || fail "C did not ask for a name"
tm send-keys -t qt -l formvm2
tm send-keys -t qt Enter
wait_for 30 test -f "$T/profiles/formvm2.json" || { screen; fail "no clone from the dashboard"; }
see "▶ formvm2" || fail "the clone is not selected"
head -2 "$T/profiles/formvm2.json" | grep -q "^// cloned from formvm by qemu-tui clone" &&
	grep -q "^// made by qemu-tui new" "$T/profiles/formvm2.json" ||
	fail "the clone's comments: $(cat "$T/profiles/formvm2.json")"
tm send-keys -t qt N
see "Rename formvm2" || fail "N did not ask for a name"
tm send-keys -t qt -l formvm3
tm send-keys -t qt Enter
wait_for 10 test -f "$T/profiles/formvm3.json" || fail "rename from the dashboard"
wait_for 10 test ! -e "$T/profiles/formvm2.json" || fail "the old name stayed"
see "▶ formvm3" || fail "the renamed VM is not selected"
grep -q "^// cloned from formvm by qemu-tui clone" "$T/profiles/formvm3.json" ||
	fail "rename lost the comments: $(cat "$T/profiles/formvm3.json")"
# A state directory (as a UEFI VM's): named in delete's question, gone with the VM.
mkdir -p "$XDG_STATE_HOME/qemu-tui/formvm3" && echo vars > "$XDG_STATE_HOME/qemu-tui/formvm3/efi-vars.fd"
tm send-keys -t qt D
see "Delete formvm3's profile?" || fail "D did not ask"
tm send-keys -t qt y
see "Delete formvm3's disks too?" || fail "no question about the disks"
see "delete state $XDG_STATE_HOME/qemu-tui/formvm3" || fail "the state directory is not named: $(screen)"
tm send-keys -t qt n
wait_for 10 test ! -e "$T/profiles/formvm3.json" || fail "delete from the dashboard"
see "deleted formvm3 (its disks stay)" || fail "delete's message"
[ -f "$T/profiles/formvm2-formvm.qcow2" ] || fail "n deleted the disk"
[ ! -e "$XDG_STATE_HOME/qemu-tui/formvm3" ] || fail "the state directory stayed"
ok "C, N, D: clone, rename (comments kept), delete from the dashboard (the disks asked about apart, the state named)"
# No disks to ask about: the state directory is named and asked about alone.
guest_profile nodisk aarch64 '"smp": 1'
mkdir -p "$XDG_STATE_HOME/qemu-tui/nodisk" && echo vars > "$XDG_STATE_HOME/qemu-tui/nodisk/efi-vars.fd"
tm send-keys -t qt R
see "nodisk" || fail "R did not load nodisk"
tm send-keys -t qt /; tm send-keys -t qt -l nodisk; tm send-keys -t qt Enter
see "▶ nodisk" || fail "the filter did not select nodisk: $(screen)"
# The filter cleared again (the status line shows it instead of messages); the
# selection stays.
tm send-keys -t qt /; tm send-keys -t qt Escape
see "VMs (3)" || fail "the filter did not clear: $(screen)"
see "▶ nodisk" || fail "nodisk is not selected any more: $(screen)"
tm send-keys -t qt D
see "Delete nodisk's profile?" || fail "D did not ask"
tm send-keys -t qt y
see "Delete nodisk and its state?" || fail "no question naming the state: $(screen)"
see "delete state $XDG_STATE_HOME/qemu-tui/nodisk" || fail "the state directory is not named: $(screen)"
tm send-keys -t qt n
see "nothing was deleted" || fail "n: $(screen)"
[ -f "$T/profiles/nodisk.json" ] && [ -d "$XDG_STATE_HOME/qemu-tui/nodisk" ] || fail "n deleted something"
tm send-keys -t qt D
see "Delete nodisk's profile?" || fail "D did not ask again"
tm send-keys -t qt y
see "Delete nodisk and its state?" || fail "no question naming the state, again"
tm send-keys -t qt y
wait_for 10 test ! -e "$T/profiles/nodisk.json" || fail "y did not delete nodisk"
[ ! -e "$XDG_STATE_HOME/qemu-tui/nodisk" ] || fail "nodisk's state directory stayed"
see "deleted nodisk and its state directory" || fail "delete's message: $(screen)"
ok "D on a VM without disks: its state directory named first; n keeps everything, y deletes both"
tm send-keys -t qt q
see "dashboard-exited" || fail "the dashboard did not quit"

# ---- new on the command line ----
out=$(qt new bad --memory 12Q 2>&1) && fail "new with memory 12Q"
grep -q '"12Q" is not a size' <<<"$out" || fail "said: $out"
out=$(qt new cli --arch aarch64 --memory 256M --accel tcg --disk 64M --kernel "$G/vmlinuz" \
	--initrd "$G/initrd.img" --append "console=ttyAMA0 quiet" 2>&1) || fail "new: $out"
qemu-img info "$T/profiles/cli.qcow2" | grep -q "virtual size: 64 MiB" || fail "new's disk"
qt cmdline cli | grep -q "file=$T/profiles/cli.qcow2,format=qcow2" || fail "new's drive"
out=$(qt new cli --memory 1G 2>&1) && fail "new over an existing profile"
grep -q "cli.json exists" <<<"$out" || fail "said: $out"
ok "new: a profile and its disk; 12Q and an existing name refused"

# ---- clone: both run, each writes its own overlay ----
qemu-img create -q -f qcow2 "$T/profiles/data.qcow2" 64M
# An example-style profile: long // comments, blank lines, tabs, a comment in drives[].
cat > "$T/profiles/orig.json" <<JSON
// The project's aarch64 test guest with a data disk, written as profiles/*.json are:
// where the seed came from and how to build its images.
//   tests/guest/build.sh        (writes tests/guest/out/)
{
	"name": "orig",
	"arch": "aarch64",

	// TCG on purpose: guests hang under KVM on some test machines.
	"accel": "tcg",
	"memory": "256M",
	"kernel": "$GUEST/aarch64/vmlinuz",
	"initrd": "$GUEST/aarch64/initrd.img",
	"append": "console=ttyAMA0 quiet",	// "name": "not-this-one"
	"drives": [
		// The data disk: clone makes it the base of two overlays.
		{ "file": "data.qcow2", "format": "qcow2" },
	],
	"ssh": { "user": "root", "identity": "$GUEST/id_ed25519", "host_key_check": "off" },
}
JSON
cp "$T/profiles/orig.json" "$T/orig.before"
# has_comments FILE: every comment line of orig.before is in FILE, unchanged.
has_comments() {
	local line
	while IFS= read -r line; do
		grep -qxF -- "$line" "$1" || { echo "lost: $line"; return 1; }
	done < <(grep -E '^[[:space:]]*//' "$T/orig.before")
	grep -qF '"append": "console=ttyAMA0 quiet",	// "name": "not-this-one"' "$1" || { echo "lost the append line"; return 1; }
}
qt clone orig twin > "$T/clone.out" 2>&1 || fail "clone: $(cat "$T/clone.out")"
out=$(has_comments "$T/profiles/orig.json") || fail "clone rewrote orig's comments away ($out): $(cat "$T/profiles/orig.json")"
out=$(has_comments "$T/profiles/twin.json") || fail "the clone lost the comments ($out): $(cat "$T/profiles/twin.json")"
head -1 "$T/profiles/twin.json" | grep -qx "// cloned from orig by qemu-tui clone" || fail "twin.json: $(head -3 "$T/profiles/twin.json")"
grep -q '"name": "twin"' "$T/profiles/twin.json" && grep -q '"name": "orig"' "$T/profiles/orig.json" || fail "the names"
grep -qF "\"backing\": \"$T/profiles/data.qcow2\"" "$T/profiles/twin.json" ||
	fail "the clone's drive does not name its base: $(cat "$T/profiles/twin.json")"
ok "clone: the source's and the clone's comments, blank lines and layout kept"
base_md5=$(md5sum < "$T/profiles/data.qcow2")
qemu-img info "$T/profiles/twin-data.qcow2" | grep -q "backing file: $T/profiles/data.qcow2" ||
	fail "the clone's disk is no overlay on data.qcow2"
qemu-img info "$T/profiles/orig-data.qcow2" | grep -q "backing file: $T/profiles/data.qcow2" ||
	fail "the original's disk is no overlay on data.qcow2"
qt cmdline orig | grep -q "file=$T/profiles/orig-data.qcow2" || fail "orig does not use its overlay"
qt cmdline twin | grep -q "file=$T/profiles/twin-data.qcow2" || fail "twin does not use its overlay"
qt start orig >/dev/null 2>&1 || fail "start orig"
qt start twin >/dev/null 2>&1 || fail "start twin (beside orig)"
wait_for 240 guest_ready orig || fail "orig did not boot"
wait_for 240 guest_ready twin || fail "twin did not boot"
p1=$(cat "$(rundir orig)/ssh-port"); p2=$(cat "$(rundir twin)/ssh-port")
[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ] || fail "ssh ports: orig $p1, twin $p2"
ok "original and clone run at once, ssh ports $p1 and $p2"

twin_before=$(md5sum < "$T/profiles/twin-data.qcow2")
orig_before=$(md5sum < "$T/profiles/orig-data.qcow2")
out=$(qt ssh twin -- 'echo clone-was-here | dd of=/dev/vda bs=512 seek=100 2>/dev/null; sync; echo wrote' 2>&1) ||
	fail "ssh twin: $out"
grep -q wrote <<<"$out" || fail "ssh twin said: $out"
qt stop twin >/dev/null 2>&1 || fail "stop twin"
wait_for 60 state_is twin stopped || fail "twin did not stop"
[ "$(md5sum < "$T/profiles/twin-data.qcow2")" != "$twin_before" ] || fail "the clone's overlay did not change"
[ "$(md5sum < "$T/profiles/data.qcow2")" = "$base_md5" ] || fail "the base changed"
[ "$(md5sum < "$T/profiles/orig-data.qcow2")" = "$orig_before" ] || fail "the original's overlay changed"
# qemu-io's dump shows '-' as '.'.
qemu-io -r -f qcow2 -c 'read -v 51200 16' "$T/profiles/twin-data.qcow2" | grep -q "clone.was.here" ||
	fail "the marker is not in the clone's disk"
ok "a write in the clone's guest changed only the clone's overlay (base and original's md5 unchanged)"

# ---- delete and rename refuse a running VM ----
out=$(qt delete orig --yes 2>&1) && fail "deleted a running VM"
grep -q "orig is running" <<<"$out" || fail "said: $out"
out=$(qt rename orig other 2>&1) && fail "renamed a running VM"
grep -q "orig is running" <<<"$out" || fail "said: $out"
[ -f "$T/profiles/orig.json" ] || fail "orig.json is gone"
qt stop orig >/dev/null 2>&1 || fail "stop orig"
wait_for 60 state_is orig stopped || fail "orig did not stop"
ok "delete and rename refuse a running VM"

# ---- rename: the profile and the run directory follow ----
cp "$T/profiles/twin.json" "$T/twin.before"
qt rename twin twin2 > "$T/rename.out" 2>&1 || fail "rename: $(cat "$T/rename.out")"
diff <(sed 's/"name": "twin"/"name": "twin2"/' "$T/twin.before") "$T/profiles/twin2.json" ||
	fail "rename changed more than the name"
[ -f "$T/profiles/twin2.json" ] && [ ! -e "$T/profiles/twin.json" ] || fail "rename: $(ls "$T/profiles")"
[ -d "$(rundir twin2)" ] && [ ! -e "$(rundir twin)" ] || fail "the run directory did not follow"
grep -q "clone-was-here\|qemu-tui-guest: ready" "$(rundir twin2)/serial.log" || fail "twin2's serial.log"
qt cmdline twin2 | grep -q -- "-name twin2" || fail "cmdline of twin2"
out=$(qt rename twin2 orig 2>&1) && fail "renamed onto an existing name"
ok "rename: profile and run directory move; an existing name is refused"

# ---- delete: without and with --disks ----
out=$(qt delete twin2 </dev/null 2>&1) && fail "deleted without a terminal or --yes"
grep -q "add --yes" <<<"$out" || fail "said: $out"
qt delete twin2 --yes > "$T/del1.out" 2>&1 || fail "delete: $(cat "$T/del1.out")"
[ ! -e "$T/profiles/twin2.json" ] && [ -f "$T/profiles/twin-data.qcow2" ] || fail "delete without --disks"
[ ! -e "$(rundir twin2)" ] || fail "the run directory stayed"
qt delete orig --disks --yes > "$T/del2.out" 2>&1 || fail "delete --disks: $(cat "$T/del2.out")"
grep -q "disk $T/profiles/orig-data.qcow2" "$T/del2.out" || fail "delete --disks did not list: $(cat "$T/del2.out")"
[ ! -e "$T/profiles/orig.json" ] && [ ! -e "$T/profiles/orig-data.qcow2" ] || fail "delete --disks"
[ -f "$T/profiles/data.qcow2" ] || fail "the base (no disk of orig's any more) was deleted"
# A disk outside the profile directory, and one another profile uses, are kept.
qemu-img create -q -f qcow2 "$T/outside.qcow2" 1M
guest_profile far aarch64 "\"drives\": [ { \"file\": \"$T/outside.qcow2\" } ]"
guest_profile near aarch64 '"drives": [ { "file": "cli.qcow2" } ]'
qt delete far --disks --yes > "$T/del3.out" 2>&1 || fail "delete far"
grep -q "kept: $T/outside.qcow2 (not in the profile's directory" "$T/del3.out" || fail "said: $(cat "$T/del3.out")"
[ -f "$T/outside.qcow2" ] || fail "a disk outside the profile directory was deleted"
qt delete near --disks --yes > "$T/del4.out" 2>&1 || fail "delete near"
grep -q "(used by cli)" "$T/del4.out" && [ -f "$T/profiles/cli.qcow2" ] || fail "a disk cli uses: $(cat "$T/del4.out")"
ok "delete: the profile and run directory; --disks only the profile's own disks no other uses"
