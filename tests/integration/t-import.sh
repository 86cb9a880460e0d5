#!/usr/bin/env bash
# qemu-tui import: every launch line of the seeds' write-ups and four from elsewhere
# (tests/import/) become profiles whose `cmdline` is the same QEMU invocation, option by
# option (tests/import/compare.py); sudo and variables are reported; the command line
# form, an existing profile and a bad name; at the end an imported aarch64 line boots
# the test guest to its shell.
. "$(dirname "$0")/lib.sh"
src=$top_srcdir/tests/import
n=0
for f in "$src"/*.sh "$src"/*.mk "$src"/*.log; do
	name=$(basename "$f"); name=${name%.*}
	qt import "$name" --from-file "$f" > "$T/$name.out" 2>&1 || fail "import $name: $(cat "$T/$name.out")"
	qt cmdline "$name" > "$T/$name.cmd" 2>/dev/null || fail "cmdline $name"
	python3 "$src/compare.py" "$f" "$T/$name.cmd" "$src" || { cat "$T/$name.out"; fail "$name differs"; }
	n=$((n + 1))
done
[ $n -ge 8 ] || fail "only $n lines"
ok "$n command lines import; each cmdline gives the same options (compare.py)"

grep -q "note: sudo dropped" "$T/x86-elf-linux.out" || fail "sudo not reported"
grep -q 'note: "tap,id=vmnet,ifname=$(TAP_NAME),script=no,downscript=no" holds a variable' \
	"$T/x86-elf-linux.out" || fail "the variable is not reported"
grep -q "note: -serial unix:ubuntu/ubuntu-serial.socket,server,nowait: dropped; qemu-tui provides it" \
	"$T/quickemu.out" || fail "-serial dropped silently"
grep -q '"ifname": "$(TAP_NAME)"' "$T/profiles/x86-elf-linux.json" || fail "tap ifname"
grep -q '"firmware": "/usr/share/OVMF/OVMF_CODE_4M.fd"' "$T/profiles/windows-uefi.json" || fail "firmware"
grep -q '"port": 10023' "$T/profiles/buildroot-runner.json" || fail "buildroot ssh port"
ok "sudo, variables and dropped options are each reported; fields land where they belong"

# The command line form, and a profile that validates at once.
touch "$T/kernel" "$T/disk.qcow2"
(cd "$T" && "$QEMU_TUI" --profiles "$T/profiles" import direct -- qemu-system-aarch64 -M virt \
	-m 512 -kernel kernel -drive file=disk.qcow2,format=qcow2,if=virtio -snapshot \
	-nic user,hostfwd=tcp:127.0.0.1:2299-:22 > "$T/direct.out") || fail "direct: $(cat "$T/direct.out")"
grep -q "warning" "$T/direct.out" && fail "the profile does not validate: $(cat "$T/direct.out")"
out=$(qt cmdline direct)
grep -q -- "-m 512M" <<<"$out" && grep -q -- "-snapshot" <<<"$out" &&
	grep -q "hostfwd=tcp:127.0.0.1:2299-:22" <<<"$out" &&
	grep -q -- "-kernel $T/kernel" <<<"$out" || fail "direct cmdline: $out"
ok "import NAME -- qemu-system-aarch64 ...: a valid profile, its cmdline the same"

out=$(qt import direct -- qemu-system-aarch64 -M virt 2>&1) && fail "overwrote direct"
grep -q "direct.json exists; nothing was written" <<<"$out" || fail "said: $out"
out=$(qt import 'a/b' -- qemu-system-aarch64 2>&1) && fail "a name with a slash"
out=$(qt import x -- /bin/true 2>&1) && fail "not a QEMU binary"
grep -q "must begin with a qemu-system-ARCH binary" <<<"$out" || fail "said: $out"
out=$(printf 'echo nothing here\n' > "$T/empty.sh"; qt import y --from-file "$T/empty.sh" 2>&1) &&
	fail "a script without QEMU"
grep -q "no qemu-system-\* command in it" <<<"$out" || fail "said: $out"
ok "an existing profile, a bad name, no QEMU binary, a script without QEMU: refused"

# An imported seed-style line (the learner's aarch64 direct-kernel boot, for the test
# guest) starts and reaches the guest's shell.
need_guest aarch64
G=$GUEST/aarch64
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
qt import seedguest -- qemu-system-aarch64 -M virt -cpu max -accel tcg -m 256 -smp 1 \
	-kernel "$G/vmlinuz" -initrd "$G/initrd.img" -append "console=ttyAMA0 quiet" -nographic \
	-nic user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$port-:22 > "$T/seedguest.out" 2>&1 ||
	fail "import seedguest: $(cat "$T/seedguest.out")"
grep -q "warning" "$T/seedguest.out" && fail "seedguest does not validate: $(cat "$T/seedguest.out")"
qt start seedguest > "$T/seedguest.start" 2>&1 || fail "start seedguest: $(cat "$T/seedguest.start")"
wait_for 240 guest_ready seedguest || fail "the imported guest did not reach its shell: $(tail -5 "$(rundir seedguest)/serial.log")"
[ "$(cat "$(rundir seedguest)/ssh-port")" = "$port" ] || fail "ssh port: $(cat "$(rundir seedguest)/ssh-port")"
qt stop seedguest > /dev/null 2>&1 || fail "stop seedguest"
ok "an imported qemu-system-aarch64 line starts the test guest (shell reached, ssh on the imported hostfwd)"
