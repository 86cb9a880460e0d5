#!/bin/sh
# Windows 11 under UEFI (OVMF code read-only, its own vars file), virtio disk, USB tablet.
exec qemu-system-x86_64 \
  -machine q35,accel=kvm -cpu host -smp 4 -m 8G \
  -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
  -drive if=pflash,format=raw,file=win11_VARS.fd \
  -drive file=win11.qcow2,if=virtio \
  -cdrom Win11_23H2_English_x64.iso \
  -device qemu-xhci -device usb-tablet \
  -nic user,model=virtio-net-pci \
  -vga std
