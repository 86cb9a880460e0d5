#!/usr/bin/env bash
# Install everything qemu-tui builds, tests and runs with, from Debian 12's packages (run as root).
set -euo pipefail
# clang and libclang-rt-dev (libFuzzer, only recommended by clang) build tests/fuzz.
# procps and gdb: a hung integration test shows what ran and where (lib.sh's watchdog).
pkgs=(build-essential autoconf automake pkg-config
      libncurses-dev libvterm-dev libjson-c-dev libssh-dev check
      qemu-system-x86 qemu-system-arm qemu-utils
      busybox-static dropbear-bin cpio linux-image-amd64 openssh-client
      iproute2 tmux socat python3 valgrind clang libclang-rt-dev
      ovmf qemu-efi-aarch64 procps gdb)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages: ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
