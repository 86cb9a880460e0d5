#!/usr/bin/env bash
# Files that are not files: a FIFO or a symlink to /dev/zero named like a profile is
# one broken entry with a clear reason, never a hang or the machine's memory, and
# never hides the other profiles. No QEMU needed.
. "$(dirname "$0")/lib.sh"
cp "$top_srcdir"/tests/unit/profiles-good/forwards.json "$T/profiles/"
mkfifo "$T/profiles/fifo.json"
ln -s /dev/zero "$T/profiles/zero.json"
mkdir "$T/profiles/dir.json"
head -c 5000000 /dev/zero | tr '\0' ' ' > "$T/profiles/huge.json"

out=$(timeout 20 "$QEMU_TUI" --profiles "$T/profiles" list 2>&1) || fail "list failed or hung: $out"
echo "$out"
grep -q "^forwards .*stopped" <<<"$out" || fail "the good profile is hidden"
grep -q "fifo.json: not a regular file (a FIFO)" <<<"$out" || fail "no reason for the FIFO"
grep -q "zero.json: not a regular file (a device)" <<<"$out" || fail "no reason for /dev/zero"
grep -q "huge.json: larger than 4096 KiB" <<<"$out" || fail "no reason for the huge file"
ok "list: a FIFO, /dev/zero and a 5 MB file are broken entries; the good one is listed"

for cmd in "cmdline forwards" "status"; do
	timeout 20 "$QEMU_TUI" --profiles "$T/profiles" $cmd >/dev/null 2>&1
	[ $? -ne 124 ] || fail "$cmd hung"
done
ok "cmdline and status do not hang on them"
