#!/usr/bin/env bash
# Build the small Linux test guests used by qemu-tui's integration tests.
#
#   tests/guest/build.sh [--out DIR] [--new-host-key] [x86_64|aarch64|all]
#
# Outputs (OUT defaults to tests/guest/out under the repo root, or $GUEST_OUT):
#   OUT/x86_64/{vmlinuz,initrd.img}   OUT/aarch64/{vmlinuz,initrd.img}
#   OUT/id_ed25519{,.pub}             client key authorized for root in the guests
#   OUT/wrong_ed25519{,.pub}          a key that is NOT authorized
#   OUT/hostkey.pub.txt               the guests' dropbear host key (public line + SHA256 fingerprint)
#   OUT/hostkey.dropbear              the host key itself (dropbear format, 0600)
#   OUT/.cache/                       unpacked base trees, so re-packing is quick
# See tests/guest/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT_PATH="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

OUT=${GUEST_OUT:-$REPO_ROOT/tests/guest/out}
NEW_HOST_KEY=0
TARGET=all

usage() {
    sed -n '2,14p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --out) [[ $# -ge 2 ]] || { echo "build.sh: --out needs a directory" >&2; exit 2; }
               OUT=$2; shift 2 ;;
        --out=*) OUT=${1#--out=}; shift ;;
        --new-host-key) NEW_HOST_KEY=1; shift ;;
        -h|--help) usage; exit 0 ;;
        x86_64|aarch64|all) TARGET=$1; shift ;;
        *) echo "build.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

case $TARGET in
    all) ARCHES=(x86_64 aarch64) ;;
    *) ARCHES=("$TARGET") ;;
esac

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# The root password is "qemu-tui"; this is `openssl passwd -6 -salt qemutuiguest qemu-tui`
# (used as is when neither openssl nor python3's crypt is around).
ROOT_PASSWORD=qemu-tui
ROOT_HASH_FALLBACK='$6$qemutuiguest$rATxUaJOwEqEyIGzZAFKWHgvtlyKN9nZk/WJOuYCAIw.fcmAI4Kz/UF1hJuVlugbCmVkk9css25Vo19xsfFCP/'

# Modules wanted per architecture (their dependencies are added automatically;
# built-in ones are skipped).
MODULES_x86_64="virtio_net virtio_pci virtio_blk e1000 button evdev"
MODULES_aarch64="virtio_net virtio_pci virtio_blk gpio_pl061 gpio_keys evdev"

# ---------------------------------------------------------------------------
# Fast path: everything present and up to date -> do nothing.

stamp_for() {  # ARCH -> the stamp an up-to-date build of ARCH carries
    local sums
    sums=$(sha256sum "$SCRIPT_PATH" "$OUT/hostkey.pub.txt" "$OUT/id_ed25519.pub" | awk '{print $1}')
    printf '%s\n' "$1" "$sums"
}

arch_is_current() {
    local a=$1
    [[ -s $OUT/$a/vmlinuz && -s $OUT/$a/initrd.img && -f $OUT/$a/.stamp ]] || return 1
    [[ $(cat "$OUT/$a/.stamp") == "$(stamp_for "$a")" ]]
}

keys_present() {
    [[ -s $OUT/id_ed25519 && -s $OUT/id_ed25519.pub && -s $OUT/wrong_ed25519 && -s $OUT/wrong_ed25519.pub \
       && -s $OUT/hostkey.dropbear && -s $OUT/hostkey.pub.txt ]]
}

if [[ $NEW_HOST_KEY == 0 ]] && keys_present; then
    all_current=1
    for a in "${ARCHES[@]}"; do arch_is_current "$a" || { all_current=0; break; }; done
    [[ $all_current == 1 ]] && exit 0
fi

# ---------------------------------------------------------------------------
# Slow path.

exec 9>"$OUT/.lock"
flock 9

TMPDIRS=()
cleanup() { local d; for d in "${TMPDIRS[@]}"; do rm -rf "$d"; done; }
trap cleanup EXIT
# mktemp_dir: make a temporary directory (removed on exit), its path in $REPLY
mktemp_dir() { REPLY=$(mktemp -d "$OUT/.cache/tmp.XXXXXX"); TMPDIRS+=("$REPLY"); chmod 0755 "$REPLY"; }
mkdir -p "$OUT/.cache"

HOST_DEB_ARCH=$(dpkg --print-architecture)
APT_UPDATED=0

apt_update() {
    [[ $APT_UPDATED == 1 ]] && return 0
    log "apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
    APT_UPDATED=1
}

# ensure_pkgs PKG... : install (host architecture) packages that are not installed.
ensure_pkgs() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) == 0 ]] || die "need root to install: ${missing[*]}"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
        apt_update
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
    fi
}

# apt_download DIR PKG... : apt-get download into DIR (update the lists once if that fails).
apt_download() {
    local dir=$1; shift
    chmod 0755 "$dir"
    if id _apt >/dev/null 2>&1; then chown _apt "$dir"; fi
    if ! (cd "$dir" && apt-get download -qq "$@" >&2); then
        apt_update
        (cd "$dir" && apt-get download -qq "$@" >&2) || die "apt-get download $* failed"
    fi
}

# kernel_pkg_for DEBARCH : the versioned linux-image package the meta package depends on
kernel_pkg_for() {
    local debarch=$1 meta=linux-image-$1 dep
    dep=$(apt-cache show --no-all-versions "$meta:$debarch" 2>/dev/null \
          | sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -n1)
    if [[ -z $dep ]]; then
        apt_update
        dep=$(apt-cache show --no-all-versions "$meta:$debarch" 2>/dev/null \
              | sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -n1)
    fi
    [[ -n $dep ]] || die "cannot find the kernel package that $meta:$debarch depends on"
    printf '%s\n' "$dep"
}

ensure_foreign_arch() {
    local debarch=$1
    [[ $debarch == "$HOST_DEB_ARCH" ]] && return 0
    if ! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
        log "dpkg --add-architecture $debarch"
        dpkg --add-architecture "$debarch"
        APT_UPDATED=0
        apt_update
    fi
    # (missing $debarch package lists are noticed, and fetched, by kernel_pkg_for)
}

# ---------------------------------------------------------------------------
# Keys

ensure_host_tools_for_keys() {
    command -v dropbearkey >/dev/null || ensure_pkgs dropbear-bin
}

gen_client_key() {  # PATH COMMENT
    local f=$1 comment=$2
    rm -f "$f" "$f.pub"
    if command -v ssh-keygen >/dev/null; then
        ssh-keygen -q -t ed25519 -N '' -C "$comment" -f "$f" >/dev/null
    else
        local t; mktemp_dir; t=$REPLY
        dropbearkey -t ed25519 -f "$t/key" >/dev/null 2>&1
        dropbearconvert dropbear openssh "$t/key" "$f" >/dev/null 2>&1
        dropbearkey -y -f "$t/key" 2>/dev/null | awk -v c="$comment" '/^ssh-/{print $1, $2, c}' > "$f.pub"
    fi
    chmod 0600 "$f"
    chmod 0644 "$f.pub"
}

gen_host_key() {
    local k=$OUT/hostkey.dropbear pub fp
    rm -f "$k"
    dropbearkey -t ed25519 -f "$k" >/dev/null 2>&1 || die "dropbearkey failed"
    chmod 0600 "$k"
    pub=$(dropbearkey -y -f "$k" 2>/dev/null | awk '/^ssh-ed25519 /{print $1, $2, "qtguest"}')
    fp=$(dropbearkey -y -f "$k" 2>/dev/null | sed -n 's/^Fingerprint: *//p')
    if command -v ssh-keygen >/dev/null; then
        fp=$(printf '%s\n' "$pub" | ssh-keygen -lf - | awk '{print $2}')
    fi
    [[ -n $pub && -n $fp ]] || die "could not read the new host key"
    printf '%s\n%s\n' "$pub" "$fp" > "$OUT/hostkey.pub.txt"
    log "new guest host key $fp"
}

ensure_keys() {
    ensure_host_tools_for_keys
    if [[ ! -s $OUT/id_ed25519 || ! -s $OUT/id_ed25519.pub ]]; then
        gen_client_key "$OUT/id_ed25519" qemu-tui-test
    fi
    chmod 0600 "$OUT/id_ed25519"
    if [[ ! -s $OUT/wrong_ed25519 || ! -s $OUT/wrong_ed25519.pub ]]; then
        gen_client_key "$OUT/wrong_ed25519" qemu-tui-wrong-key
    fi
    chmod 0600 "$OUT/wrong_ed25519"
    if [[ $NEW_HOST_KEY == 1 || ! -s $OUT/hostkey.dropbear || ! -s $OUT/hostkey.pub.txt ]]; then
        gen_host_key
    fi
}

root_hash() {
    local h=""
    if command -v openssl >/dev/null; then
        h=$(openssl passwd -6 -salt qemutuiguest "$ROOT_PASSWORD" 2>/dev/null || true)
    fi
    if [[ $h != '$6$'* ]] && command -v python3 >/dev/null; then
        h=$(python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], "$6$qemutuiguest$"))' \
            "$ROOT_PASSWORD" 2>/dev/null || true)
    fi
    [[ $h == '$6$'* ]] || h=$ROOT_HASH_FALLBACK
    printf '%s\n' "$h"
}

# ---------------------------------------------------------------------------
# Base tree (everything but the keys), cached in OUT/.cache/ARCH/rootfs

# resolve_in_root ROOT TRIPLET NAME -> path (inside ROOT) of a shared library
resolve_lib() {
    local root=$1 triplet=$2 name=$3 d
    for d in "lib/$triplet" "usr/lib/$triplet" lib usr/lib lib64 usr/lib64; do
        if [[ -e $root/$d/$name ]]; then printf '%s\n' "$d/$name"; return 0; fi
    done
    return 1
}

# copy_elf ROOT TRIPLET STAGE REL-PATH... : copy executables plus their shared
# libraries (transitively) and the dynamic loader from ROOT into STAGE.
copy_elf() {
    local root=$1 triplet=$2 stage=$3; shift 3
    local -a queue=()
    local -A seen=()
    local rel f n lib interp
    for rel in "$@"; do
        mkdir -p "$stage/$(dirname "$rel")"
        cp -L "$root/$rel" "$stage/$rel"
        queue+=("$root/$rel")
        interp=$(readelf -lW "$root/$rel" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
        if [[ -n $interp && -z ${seen[$interp]:-} ]]; then
            seen[$interp]=1
            if [[ -e $root$interp ]]; then f=$root$interp
            elif [[ -e $root/usr$interp ]]; then f=$root/usr$interp
            else die "dynamic loader $interp not found under $root"; fi
            mkdir -p "$stage$(dirname "$interp")"
            cp -L "$f" "$stage$interp"
        fi
    done
    while [[ ${#queue[@]} -gt 0 ]]; do
        f=${queue[0]}; queue=("${queue[@]:1}")
        for n in $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            [[ -n ${seen[$n]:-} ]] && continue
            seen[$n]=1
            mkdir -p "$stage/lib/$triplet"
            if [[ -n $interp && $n == "${interp##*/}" ]]; then
                ln -sfn "$interp" "$stage/lib/$triplet/$n"   # libc needs the loader by name
                continue
            fi
            lib=$(resolve_lib "$root" "$triplet" "$n") || die "library $n (needed by ${f#"$root"}) not found under $root"
            cp -L "$root/$lib" "$stage/lib/$triplet/$n"
            queue+=("$root/$lib")
        done
    done
}

# module_order MODDIR MODULE... : set MOD_ORDER to the module files (relative to
# MODDIR) of MODULE... and their dependencies, in load order; built-in modules
# are skipped. Returns 1 (MISSING_MODULE set) if one is neither.
module_order() {
    local moddir=$1; shift
    local -A path_of=() builtin=() done_=()
    local f name
    MOD_ORDER=() MISSING_MODULE=""
    while IFS= read -r f; do
        name=${f##*/}; name=${name%%.ko*}; name=${name//-/_}
        path_of[$name]=$f
    done < <(cd "$moddir" && find kernel -name '*.ko*')
    if [[ -f $moddir/modules.builtin ]]; then
        while IFS= read -r f; do
            name=${f##*/}; name=${name%.ko}; name=${name//-/_}
            builtin[$name]=1
        done < "$moddir/modules.builtin"
    fi
    add_mod() {
        local m=${1//-/_} deps d
        [[ -n ${done_[$m]:-} ]] && return 0
        done_[$m]=1
        if [[ -z ${path_of[$m]:-} ]]; then
            [[ -n ${builtin[$m]:-} ]] && return 0
            MISSING_MODULE=$m
            return 1
        fi
        deps=$(modinfo -F depends "$moddir/${path_of[$m]}")
        for d in ${deps//,/ }; do add_mod "$d" || return 1; done
        MOD_ORDER+=("${path_of[$m]}")
    }
    for name in "$@"; do add_mod "$name" || return 1; done
}

# copy_modules MODDIR STAGE KVER : copy the MOD_ORDER modules, write /etc/modules.load
copy_modules() {
    local moddir=$1 stage=$2 kver=$3 f
    mkdir -p "$stage/lib/modules/$kver"
    : > "$stage/etc/modules.load"
    for f in "${MOD_ORDER[@]}"; do
        mkdir -p "$stage/lib/modules/$kver/$(dirname "$f")"
        cp "$moddir/$f" "$stage/lib/modules/$kver/$f"
        printf '/lib/modules/%s/%s\n' "$kver" "$f" >> "$stage/etc/modules.load"
    done
    if [[ -f $moddir/modules.builtin ]]; then cp "$moddir/modules.builtin" "$stage/lib/modules/$kver/"; fi
    depmod -b "$stage" "$kver" 2>/dev/null || true   # only so that modprobe/lsmod are pleasant
}

# extract_kernel DEB DEST KVER MODULE... : unpack the kernel image and the
# modules wanted (+ dependencies) from a linux-image .deb. Only the module
# directories that can matter are unpacked (the full tree is ~350 MB); if a
# dependency lives elsewhere, fall back to dpkg -x of the whole package.
# Sets MOD_ORDER.
extract_kernel() {
    local deb=$1 dest=$2 kver=$3; shift 3
    local m=./lib/modules/$kver
    mkdir -p "$dest"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest" --wildcards \
        "./boot/vmlinuz-$kver" "$m/modules.builtin" \
        "$m/kernel/drivers/net/*" "$m/kernel/drivers/virtio/*" "$m/kernel/drivers/input/*" \
        "$m/kernel/drivers/gpio/*" "$m/kernel/drivers/acpi/*" "$m/kernel/net/core/*" 2>/dev/null || true
    if ! module_order "$dest/lib/modules/$kver" "$@"; then
        log "module $MISSING_MODULE not in the partial unpack; unpacking all of ${deb##*/}"
        dpkg -x "$deb" "$dest"
        module_order "$dest/lib/modules/$kver" "$@" \
            || die "kernel module $MISSING_MODULE is neither a module nor built in ($kver)"
    fi
}

write_guest_files() {  # STAGE: config, init scripts, busybox applet links
    local s=$1
    mkdir -p "$s"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,etc/acpi/PWRF,etc/dropbear,root/.ssh,dev,proc,sys,tmp,run,var/log,mnt}
    ln -sfn ../run "$s/var/run"
    chmod 0700 "$s/root" "$s/root/.ssh"
    chmod 1777 "$s/tmp"
    mknod -m 0600 "$s/dev/console" c 5 1 || die "mknod dev/console failed (run as root)"
    mknod -m 0666 "$s/dev/null" c 1 3

    # busybox and its applets
    local a
    while IFS= read -r a; do
        a=${a#/}
        [[ $a == bin/busybox || -e $s/$a || -L $s/$a ]] && continue
        mkdir -p "$s/$(dirname "$a")"
        ln -s "/bin/busybox" "$s/$a"
    done < <(busybox --list-full)
    ln -sfn bin/busybox "$s/init"

    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$s/etc/passwd"
    printf 'root:%s:19000:0:99999:7:::\n' "$(root_hash)" > "$s/etc/shadow"
    chmod 0600 "$s/etc/shadow"
    printf 'root:x:0:\ntty:x:5:\n' > "$s/etc/group"
    printf '/bin/sh\n/bin/ash\n' > "$s/etc/shells"
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > "$s/etc/nsswitch.conf"
    printf '127.0.0.1 localhost\n127.0.1.1 qtguest\n' > "$s/etc/hosts"
    printf 'qtguest\n' > "$s/etc/hostname"
    : > "$s/var/log/wtmp"; : > "$s/var/log/lastlog"

    cat > "$s/etc/profile" <<'EOF'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=${HOME:-/root}
[ "$HOME" = / ] && export HOME=/root
export PS1='\h:\w\$ '
[ -n "$TERM" ] || export TERM=vt100
EOF

    cat > "$s/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
::once:/etc/init.d/ready
::respawn:/etc/init.d/dropbear
::respawn:/etc/init.d/acpid
::respawn:/etc/init.d/console
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/init.d/shutdown
EOF

    cat > "$s/etc/init.d/rcS" <<'EOF'
#!/bin/sh
# qemu-tui test guest: early setup (run by busybox init as sysinit).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname qtguest
: > /run/utmp

# qt_hostile=1 (tests/integration/t-hostile.sh): the console's very first bytes are
# sequences that once crashed or hung a console pane (a repeat with no glyph before
# it, too many parameters), so every attach replays them from the history.
case " $(cat /proc/cmdline) " in
*" qt_hostile=1 "*) printf '\033[b\033[7b\033[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;m' >/dev/console ;;
esac

while read -r m; do
    insmod "$m" 2>/dev/null || echo "qemu-tui-guest: insmod $m failed" >/dev/console
done < /etc/modules.load

ip=10.0.2.15/24
gw=10.0.2.2
for arg in $(cat /proc/cmdline); do
    case $arg in
        qt_ip=*) ip=${arg#qt_ip=} ;;
        qt_gw=*) gw=${arg#qt_gw=} ;;
    esac
done

ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do usleep 50000; i=$((i+1)); done
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    ip addr add "$ip" dev eth0
    [ -n "$gw" ] && [ "$gw" != none ] && ip route add default via "$gw" dev eth0
else
    echo "qemu-tui-guest: no eth0" >/dev/console
fi
exit 0
EOF

    cat > "$s/etc/init.d/ready" <<'EOF'
#!/bin/sh
# Print the ready line once dropbear listens on port 22 (00000000:0016 state 0A).
i=0
while [ $i -lt 300 ]; do
    if awk '$4 == "0A" && $2 ~ /:0016$/ { f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
        echo "qemu-tui-guest: ready" >/dev/console
        : > /run/qt-ready
        exit 0
    fi
    usleep 100000
    i=$((i+1))
done
echo "qemu-tui-guest: dropbear is not listening (see /var/log/dropbear.log)" >/dev/console
: > /run/qt-ready
EOF

    cat > "$s/etc/init.d/dropbear" <<'EOF'
#!/bin/sh
/usr/sbin/dropbear -F -E -p 22 -r /etc/dropbear/dropbear_ed25519_host_key </dev/null >>/var/log/dropbear.log 2>&1
sleep 1
EOF

    cat > "$s/etc/init.d/acpid" <<'EOF'
#!/bin/sh
# Power button: ACPI button (x86) or gpio-keys (arm virt) -> evdev -> acpid -> /etc/acpi/PWRF/00000080
/sbin/acpid -f -c /etc/acpi -l /var/log/acpid.log </dev/null >/dev/null 2>&1
sleep 1
EOF

    cat > "$s/etc/init.d/console" <<'EOF'
#!/bin/sh
# Root shell with job control on the console tty (respawned by init after exit).
# qt_login=1 on the kernel line: a getty with a password prompt instead (user root,
# password qemu-tui), for tests of console scripts that log in.
i=0
while [ ! -e /run/qt-ready ] && [ $i -lt 400 ]; do usleep 100000; i=$((i+1)); done
case " $(cat /proc/cmdline) " in
*" qt_login=1 "*)
    # The console's real tty (ttyS0, ttyAMA0): the last one listed is /dev/console.
    tty=$(cat /sys/class/tty/console/active 2>/dev/null)
    tty=${tty##* }
    exec /sbin/getty -L 0 "${tty:-console}" vt100 ;;
esac
cd /root
export HOME=/root
exec /bin/cttyhack /bin/sh -l
EOF

    cat > "$s/etc/init.d/shutdown" <<'EOF'
#!/bin/sh
sync
umount -a -r 2>/dev/null
exit 0
EOF

    cat > "$s/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
printf '\nqemu-tui-guest: powering off\n' >/dev/console
sync
poweroff -f
EOF
    chmod 0755 "$s"/etc/init.d/* "$s/etc/acpi/PWRF/00000080"
}

# build_base ARCH : (re)create OUT/.cache/ARCH/rootfs and OUT/.cache/ARCH/vmlinuz
build_base() {
    local arch=$1 debarch triplet mods kpkg root kver vmlinuz moddir t stage
    local cache=$OUT/.cache/$arch
    local want; want=$(sha256sum "$SCRIPT_PATH" | awk '{print $1}')
    if [[ -f $cache/base.stamp && $(cat "$cache/base.stamp") == "$want" && -d $cache/rootfs && -s $cache/vmlinuz ]]; then
        return 0
    fi
    case $arch in
        x86_64)  debarch=amd64; triplet=x86_64-linux-gnu;  mods=$MODULES_x86_64 ;;
        aarch64) debarch=arm64; triplet=aarch64-linux-gnu; mods=$MODULES_aarch64 ;;
    esac
    log "building $arch base tree"
    ensure_pkgs busybox-static cpio kmod binutils
    mktemp_dir; t=$REPLY

    if [[ $debarch == "$HOST_DEB_ARCH" ]]; then
        ensure_pkgs dropbear-bin
        root=/
        kpkg=""
        if dpkg-query -W -f='${db:Status-Status}' "linux-image-$debarch" 2>/dev/null | grep -qx installed; then
            kpkg=$(dpkg-query -W -f='${Depends}' "linux-image-$debarch" | sed -n 's/.*\(linux-image-[0-9][^ ,]*\).*/\1/p')
        fi
        if [[ -n $kpkg && -e /boot/vmlinuz-${kpkg#linux-image-} && -d /lib/modules/${kpkg#linux-image-}/kernel ]]; then
            kver=${kpkg#linux-image-}
            vmlinuz=/boot/vmlinuz-$kver
            moddir=/lib/modules/$kver
        else
            # Not installed: take the same package's files without installing a kernel on the host.
            kpkg=$(kernel_pkg_for "$debarch")
            kver=${kpkg#linux-image-}
            log "downloading $kpkg"
            mkdir -p "$t/debs"
            apt_download "$t/debs" "$kpkg"
            extract_kernel "$t"/debs/linux-image-*.deb "$t/kroot" "$kver" $mods
            vmlinuz=$t/kroot/boot/vmlinuz-$kver
            moddir=$t/kroot/lib/modules/$kver
        fi
    else
        ensure_foreign_arch "$debarch"
        kpkg=$(kernel_pkg_for "$debarch")
        kver=${kpkg#linux-image-}
        log "downloading $debarch packages ($kpkg, busybox-static, dropbear-bin and libraries)"
        mkdir -p "$t/debs" "$t/root"
        apt_download "$t/debs" "$kpkg:$debarch" "busybox-static:$debarch" "dropbear-bin:$debarch" \
            "libtomcrypt1:$debarch" "libtommath1:$debarch" "zlib1g:$debarch" "libcrypt1:$debarch" \
            "libgmp10:$debarch" "libc6:$debarch"
        local d
        for d in "$t"/debs/*.deb; do
            case ${d##*/} in
                linux-image-*) extract_kernel "$d" "$t/root" "$kver" $mods ;;
                *) dpkg -x "$d" "$t/root" ;;
            esac
        done
        root=$t/root
        vmlinuz=$root/boot/vmlinuz-$kver
        moddir=$root/lib/modules/$kver
    fi
    [[ -s $vmlinuz ]] || die "kernel image $vmlinuz missing"
    [[ -d $moddir/kernel ]] || die "module tree $moddir missing"
    if [[ $root == / && $moddir == /lib/modules/* ]]; then
        module_order "$moddir" $mods || die "kernel module $MISSING_MODULE is neither a module nor built in ($kver)"
    fi

    stage=$t/stage
    mkdir -p "$stage"
    write_guest_files "$stage"
    mkdir -p "$stage/bin"
    cp -L "$root/bin/busybox" "$stage/bin/busybox"
    copy_elf "$root" "$triplet" "$stage" usr/sbin/dropbear
    copy_modules "$moddir" "$stage" "$kver"
    printf '%s\n' "$kver" > "$stage/etc/qt-kernel-version"

    rm -rf "$cache"
    mkdir -p "$cache"
    cp "$vmlinuz" "$cache/vmlinuz"
    mv "$stage" "$cache/rootfs"
    printf '%s\n' "$want" > "$cache/base.stamp"
}

build_arch() {
    local arch=$1 rootfs tmp
    build_base "$arch"
    rootfs=$OUT/.cache/$arch/rootfs
    install -m 0600 "$OUT/hostkey.dropbear" "$rootfs/etc/dropbear/dropbear_ed25519_host_key"
    install -m 0600 "$OUT/id_ed25519.pub" "$rootfs/root/.ssh/authorized_keys"
    mkdir -p "$OUT/$arch"
    tmp=$OUT/$arch/initrd.img.tmp
    (cd "$rootfs" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n > "$tmp"
    mv -f "$tmp" "$OUT/$arch/initrd.img"
    rm -f "$OUT/$arch/vmlinuz.tmp"
    ln "$OUT/.cache/$arch/vmlinuz" "$OUT/$arch/vmlinuz.tmp" 2>/dev/null \
        || cp "$OUT/.cache/$arch/vmlinuz" "$OUT/$arch/vmlinuz.tmp"
    mv -f "$OUT/$arch/vmlinuz.tmp" "$OUT/$arch/vmlinuz"
    stamp_for "$arch" > "$OUT/$arch/.stamp"
    log "$arch: $(du -h "$OUT/$arch/vmlinuz" | cut -f1) vmlinuz, $(du -h "$OUT/$arch/initrd.img" | cut -f1) initrd.img (kernel $(cat "$rootfs/etc/qt-kernel-version"))"
}

ensure_keys

BUILD=("${ARCHES[@]}")
if [[ $NEW_HOST_KEY == 1 ]]; then
    # The host key is baked into every initrd: rebuild the other arch too if it was built.
    for a in x86_64 aarch64; do
        [[ " ${BUILD[*]} " == *" $a "* ]] && continue
        [[ -s $OUT/$a/initrd.img ]] && BUILD+=("$a")
    done
fi
for a in "${BUILD[@]}"; do
    if [[ $NEW_HOST_KEY == 1 ]] || ! arch_is_current "$a"; then
        build_arch "$a"
    fi
done
