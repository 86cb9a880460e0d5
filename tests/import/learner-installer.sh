# The learner's guide: the Debian arm64 installer.
$ qemu-system-aarch64 -machine virt -cpu cortex-a53 -kernel installer-linux -nographic
