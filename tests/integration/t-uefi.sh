#!/usr/bin/env bash
# "firmware": "uefi": the aarch64 test guest boots through the host's EDK2 build
# (qemu-efi-aarch64, found from QEMU's firmware descriptors; QEMU's virt machine hands
# -kernel to the firmware) to its shell. Its variables file is its own, in its state
# directory (0600, never the shared template); a second VM gets another; a restart
# keeps the same file in place, with what the firmware stored in it. clean leaves the
# file, rename moves it and delete removes it. The x86_64 guest boots through OVMF
# (-kernel reaches the firmware through fw_cfg) and its kernel runs on EFI.
. "$(dirname "$0")/lib.sh"
need_guest aarch64 x86_64
[ -f /usr/share/qemu/firmware/60-edk2-aarch64.json ] || skip "qemu-efi-aarch64 is not installed"
[ -f /usr/share/qemu/firmware/60-edk2-x86_64.json ] || skip "ovmf is not installed"
export XDG_STATE_HOME=$T/state
guest_profile efi aarch64 '"firmware": "uefi"'
guest_profile efi2 aarch64 '"firmware": "uefi"'
vars=$XDG_STATE_HOME/qemu-tui/efi/efi-vars.fd
vars2=$XDG_STATE_HOME/qemu-tui/efi2/efi-vars.fd
tmpl=$(python3 -c 'import json; print(json.load(open("/usr/share/qemu/firmware/60-edk2-aarch64.json"))["mapping"]["nvram-template"]["filename"])')
tmpl_sum=$(sha256sum < "$tmpl")
code=$(python3 -c 'import json; print(json.load(open("/usr/share/qemu/firmware/60-edk2-aarch64.json"))["mapping"]["executable"]["filename"])')

out=$(qt cmdline efi 2>&1) || fail "cmdline: $out"
grep -qF -- "-drive if=pflash,format=raw,unit=0,readonly=on,file=$code" <<<"$out" || fail "no code pflash: $out"
grep -qF -- "-drive if=pflash,format=raw,unit=1,file=$vars" <<<"$out" || fail "no vars pflash: $out"
grep -q "made from the template at the first start" <<<"$out" || fail "cmdline: $out"
[ -e "$vars" ] && fail "cmdline made the variables file"
out=$(qt doctor efi) || fail "doctor efi: $out"
grep -qF "ok   firmware             uefi: $code (/usr/share/qemu/firmware/60-edk2-aarch64.json)" <<<"$out" ||
	fail "doctor: $out"
ok "cmdline and doctor: the descriptor's code image read-only, the VM's own variables file"

qt start efi >/dev/null || fail "start"
[ "$(stat -c %a "$vars")" = 600 ] || fail "vars mode $(stat -c %a "$vars")"
[ "$(stat -c %a "$(dirname "$vars")")" = 700 ] || fail "state dir mode"
[ "$(stat -c %s "$vars")" = "$(stat -c %s "$tmpl")" ] || fail "vars size"
wait_for 240 guest_ready efi || fail "no shell through UEFI: $(tail -c 800 "$(rundir efi)/serial.log")"
grep -aq "UEFI firmware" "$(rundir efi)/serial.log" || fail "the firmware did not boot it"
pgrep -f "qemu-system-aarch64 -name efi .*file=$vars" >/dev/null || fail "QEMU does not use $vars"
ok "boots to its shell through UEFI; $vars is 0600 in a 0700 state directory"

qt start efi2 >/dev/null || fail "start efi2"
[ -f "$vars2" ] || fail "efi2 has no variables file"
[ "$(stat -c %i "$vars2")" != "$(stat -c %i "$vars")" ] || fail "one file for two VMs"
state_is efi2 running || fail "efi2: $(qt status efi2)"
qt stop efi2 --force >/dev/null || fail "stop efi2"
ok "a second VM runs at the same time on a variables file of its own"

qt stop efi --timeout 60 >/dev/null || fail "stop"
cmp -s "$vars" "$tmpl" && fail "the firmware stored nothing in the VM's file"
ino=$(stat -c %i "$vars")
sum=$(sha256sum < "$vars")
# A start that gets as far as QEMU and no further (a QEMU that exits at once) shows what
# start itself does to the file: nothing.
qt start efi --set qemu=/bin/false >/dev/null 2>&1 && fail "a start with /bin/false as QEMU succeeded"
[ "$(sha256sum < "$vars")" = "$sum" ] || fail "start changed the variables file"
[ "$(stat -c %i "$vars")" = "$ino" ] || fail "start replaced the variables file"
qt start efi >/dev/null || fail "restart"
[ "$(stat -c %i "$vars")" = "$ino" ] || fail "the variables file was replaced"
wait_for 240 guest_ready efi || fail "no shell after the restart"
qt stop efi --force >/dev/null || fail "stop"
cmp -s "$vars" "$tmpl" && fail "the variables were reset to the template"
[ "$(stat -c %i "$vars")" = "$ino" ] || fail "the variables file was replaced"
[ "$(sha256sum < "$tmpl")" = "$tmpl_sum" ] || fail "the shared template changed"
ok "a restart keeps the same file in place, byte for byte until the firmware runs; the template is untouched"

# The variables are the VM's alone: clean leaves them, rename takes them along (the VM
# keeps its boot entries), delete removes them with the profile and says so; a name
# with variables left by an earlier VM is refused, not taken over.
sum=$(sha256sum < "$vars")
qt clean efi >/dev/null || fail "clean"
[ ! -e "$(rundir efi)" ] || fail "clean left the run directory"
[ -f "$vars" ] && [ "$(sha256sum < "$vars")" = "$sum" ] || fail "clean touched the variables file"
qt rename efi efi3 >/dev/null || fail "rename"
vars3=$XDG_STATE_HOME/qemu-tui/efi3/efi-vars.fd
[ ! -e "$(dirname "$vars")" ] || fail "rename left $(dirname "$vars")"
[ "$(sha256sum < "$vars3")" = "$sum" ] || fail "rename did not move the variables file"
out=$(qt cmdline efi3 2>&1) || fail "cmdline efi3: $out"
grep -qF -- "-drive if=pflash,format=raw,unit=1,file=$vars3" <<<"$out" || fail "efi3's vars: $out"
grep -q "made from the template" <<<"$out" && fail "efi3 would start from the template: $out"
rm "$T/profiles/efi2.json"	# efi2's variables stay behind, as an older delete left them
out=$(qt rename efi3 efi2 2>&1) && fail "rename onto efi2's variables"
grep -qF "$(dirname "$vars2") exists: the state (UEFI variables) of an earlier VM named efi2" <<<"$out" ||
	fail "said: $out"
[ -f "$vars3" ] && [ -f "$T/profiles/efi3.json" ] || fail "a refused rename changed something"
out=$(qt delete efi3 --yes 2>&1) || fail "delete: $out"
grep -qF "state $(dirname "$vars3") (its UEFI variables" <<<"$out" || fail "delete did not say: $out"
[ ! -e "$(dirname "$vars3")" ] || fail "delete left $(dirname "$vars3")"
[ -f "$vars2" ] || fail "delete removed another VM's variables"
ok "clean keeps the variables, rename moves them, delete removes them (and says so)"

# x86_64 through OVMF under TCG: about 15-30 s to ready on a loaded 2-core machine.
guest_profile efix86 x86_64 '"firmware": "uefi"'
varsx=$XDG_STATE_HOME/qemu-tui/efix86/efi-vars.fd
ovmf=$(python3 -c 'import json; print(json.load(open("/usr/share/qemu/firmware/60-edk2-x86_64.json"))["mapping"]["executable"]["filename"])')
out=$(qt cmdline efix86 2>&1) || fail "cmdline efix86: $out"
grep -qF -- "-drive if=pflash,format=raw,unit=0,readonly=on,file=$ovmf" <<<"$out" || fail "no OVMF code pflash: $out"
grep -qF -- "-drive if=pflash,format=raw,unit=1,file=$varsx" <<<"$out" || fail "no OVMF vars pflash: $out"
began=$SECONDS
qt start efix86 >/dev/null || fail "start efix86"
qt wait efix86 --for ready --timeout 240 >/dev/null ||
	fail "x86_64 through OVMF not ready: $(tail -c 800 "$(rundir efix86)/serial.log")"
echo "x86_64 through OVMF: ready in $((SECONDS - began)) s"
[ "$(stat -c %a "$varsx")" = 600 ] || fail "efix86's vars mode $(stat -c %a "$varsx")"
out=$(qt ssh efix86 -- 'test -d /sys/firmware/efi && dmesg' 2>&1) || fail "efix86 ssh: $out"
grep -q "efi: EFI v[0-9.]* by EDK II" <<<"$out" || fail "the kernel did not boot on EFI: $(grep -i efi <<<"$out")"
qt stop efix86 --force >/dev/null || fail "stop efix86"
ok "an x86_64 guest boots through OVMF (its kernel through fw_cfg) and runs on EFI (EDK II)"
