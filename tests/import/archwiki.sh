# The Arch wiki's QEMU page: install from the ISO onto a raw disk.
qemu-system-x86_64 -enable-kvm -m 2048 -cdrom archlinux-x86_64.iso -boot order=d -drive file=disk.img,format=raw
