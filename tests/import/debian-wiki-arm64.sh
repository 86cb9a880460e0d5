# The Debian wiki's arm64 guest: UEFI from qemu-efi-aarch64, virtio-mmio disk and NIC, ssh on 5555.
qemu-system-aarch64 -M virt -cpu cortex-a57 -m 2G -bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd \
  -drive if=none,file=debian-arm64.qcow2,id=hd0 -device virtio-blk-device,drive=hd0 \
  -netdev user,id=net0,hostfwd=tcp::5555-:22 -device virtio-net-device,netdev=net0 -nographic
