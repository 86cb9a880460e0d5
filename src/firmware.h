/*
 * "firmware": "uefi": which EDK2 build runs a guest of an arch, found the way
 * QEMU's own tools find it (the firmware descriptors of QEMU's interop spec,
 * docs/interop/firmware.json) and then in the places distributions put it;
 * and each VM's own copy of the variables file, in its state directory.
 */
#ifndef QT_FIRMWARE_H
#define QT_FIRMWARE_H

#include <stdbool.h>

#include "util.h"

/* The word a profile's "firmware" field holds for this lookup. */
#define FIRMWARE_UEFI "uefi"

struct fw_image {
	char *code;		/* the code image, attached read-only */
	char *vars;		/* the variables template; NULL: none (the copy starts as zeros) */
	char *source;		/* the descriptor it came from, or "known path" */
};

/* Where to look: descriptor directories, highest priority first (a file name in
 * an earlier one hides the same name in later ones), then known code|vars pairs.
 * root prefixes every known path and directory (tests: a fake tree; else ""). */
struct fw_search {
	const char *const *descriptor_dirs;
	const char *root;
};

/* The search QEMU's tools do: $XDG_CONFIG_HOME/qemu/firmware, /etc/qemu/firmware,
 * /usr/share/qemu/firmware; then Debian's, Fedora's, Arch's, Homebrew's and QEMU's
 * own share directory's file names. */
const struct fw_search *firmware_default_search(void);

/*
 * The EDK2 build for arch (x86_64, aarch64, riscv64) and machine (NULL: any):
 * a descriptor's split flash image in raw format, without Secure Boot, enrolled
 * keys or SMM (a plain -machine pc or virt boots it), whose code file is there.
 * -1 with an error naming the package to install.
 */
int firmware_find(const char *arch, const char *machine, const struct fw_search *s,
    struct fw_image *out, qt_error *err);
void firmware_image_free(struct fw_image *fw);
/* "sudo apt-get install ovmf" and the others' names, for messages. */
const char *firmware_install_hint(const char *arch);

/* The VM's state directory, $XDG_STATE_HOME/qemu-tui/NAME (~/.local/state/...): what
 * outlives its runs and belongs to it alone (vmfile.c deletes and renames it with the
 * VM; clean leaves it). NULL with err. */
char *firmware_state_dir(const char *name, qt_error *err);
/* Its variables file: the state directory's efi-vars.fd, or NULL with err. */
char *firmware_vars_path(const char *name, qt_error *err);
/*
 * The VM's variables file at path: kept when it is there (a regular file of
 * ours), else made from the template (zeros of the code's size without one),
 * mode 0600, written beside it and renamed. *created says which.
 */
int firmware_vars_prepare(const char *path, const struct fw_image *fw, bool *created,
    qt_error *err);
/* Both for one VM (name, arch, machine as the profile has them): the firmware,
 * its variables file's path, and with create the file made when missing (start). */
int firmware_for_vm(const char *name, const char *arch, const char *machine, bool create,
    struct fw_image *fw, char **vars_path, bool *created, qt_error *err);

#endif
