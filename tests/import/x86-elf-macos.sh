#!/bin/sh
# The x86_64-elf write-up's macOS line.
sudo qemu-system-x86_64 \
    -m 8G -smp 4 \
    -drive file=$HOST_IMAGE/boot.qcow2,format=qcow2,if=floppy,media=disk,if=ide \
    -drive file=$HOST_IMAGE/data.qcow2,format=qcow2,media=disk,if=ide \
    -netdev vmnet-shared,id=vmnet -device e1000,netdev=vmnet,mac=08:00:27:40:f1:1e \
    -cpu SandyBridge
