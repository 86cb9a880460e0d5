# The x86_64-elf write-up's `make qemu` recipe on Linux (tests/import: import golden).
qemu:
	sudo qemu-system-x86_64 \
	    -m 8G -smp 4 \
	    -drive file=$(HOST_IMAGE)/boot.qcow2,format=qcow2,if=floppy,media=disk,if=ide \
	    -drive file=$(HOST_IMAGE)/data.qcow2,format=qcow2,media=disk,if=ide \
	    -netdev tap,id=vmnet,ifname=$(TAP_NAME),script=no,downscript=no \
	    -device e1000,netdev=vmnet,mac=08:00:27:40:f1:1e \
	    -accel kvm \
	    -cpu SandyBridge
