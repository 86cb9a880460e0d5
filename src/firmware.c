/*
 * UEFI firmware for "firmware": "uefi". The descriptors (QEMU's interop spec)
 * say which file is what, for which arch and with which features; distributions
 * without them still ship the files under known names. The variables file is
 * the VM's own: the template is shared and read-only, and a guest's boot
 * entries must outlive its runs, so a copy lives in the VM's state directory.
 */
#include "firmware.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const default_dirs[] = {
	"$XDG_CONFIG_HOME/qemu/firmware",	/* expanded in firmware_find */
	"/etc/qemu/firmware",
	"/usr/share/qemu/firmware",
	NULL,
};

static const struct fw_search default_search = { default_dirs, "" };

const struct fw_search *
firmware_default_search(void)
{
	return &default_search;
}

/* Known code|vars pairs per arch, in order of preference; vars may be "". */
struct known {
	const char *arch, *code, *vars;
};

static const struct known known_paths[] = {
	/* Debian and Ubuntu: ovmf, qemu-efi-aarch64 */
	{ "x86_64", "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd" },
	{ "x86_64", "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd" },
	{ "aarch64", "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd" },
	/* Fedora: edk2-ovmf, edk2-aarch64, edk2-riscv64 */
	{ "x86_64", "/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd" },
	{ "aarch64", "/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw",
	    "/usr/share/edk2/aarch64/vars-template-pflash.raw" },
	{ "riscv64", "/usr/share/edk2/riscv/RISCV_VIRT_CODE.fd",
	    "/usr/share/edk2/riscv/RISCV_VIRT_VARS.fd" },
	/* Arch Linux: edk2-ovmf, edk2-aarch64 */
	{ "x86_64", "/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd" },
	{ "aarch64", "/usr/share/edk2/aarch64/QEMU_CODE.fd", "/usr/share/edk2/aarch64/QEMU_VARS.fd" },
	/* Homebrew (Apple silicon, Intel), then QEMU's own share directory */
	{ "x86_64", "/opt/homebrew/share/qemu/edk2-x86_64-code.fd",
	    "/opt/homebrew/share/qemu/edk2-i386-vars.fd" },
	{ "aarch64", "/opt/homebrew/share/qemu/edk2-aarch64-code.fd",
	    "/opt/homebrew/share/qemu/edk2-arm-vars.fd" },
	{ "riscv64", "/opt/homebrew/share/qemu/edk2-riscv-code.fd",
	    "/opt/homebrew/share/qemu/edk2-riscv-vars.fd" },
	{ "x86_64", "/usr/local/share/qemu/edk2-x86_64-code.fd",
	    "/usr/local/share/qemu/edk2-i386-vars.fd" },
	{ "aarch64", "/usr/local/share/qemu/edk2-aarch64-code.fd",
	    "/usr/local/share/qemu/edk2-arm-vars.fd" },
	{ "riscv64", "/usr/local/share/qemu/edk2-riscv-code.fd",
	    "/usr/local/share/qemu/edk2-riscv-vars.fd" },
	{ "x86_64", "/usr/share/qemu/edk2-x86_64-code.fd", "/usr/share/qemu/edk2-i386-vars.fd" },
	{ "aarch64", "/usr/share/qemu/edk2-aarch64-code.fd", "/usr/share/qemu/edk2-arm-vars.fd" },
	{ "riscv64", "/usr/share/qemu/edk2-riscv-code.fd", "/usr/share/qemu/edk2-riscv-vars.fd" },
};

/* Features a plain -machine pc / virt does not give (SMM), or that refuse an unsigned
 * kernel. ("amd-sev" and the like say what a build can do, not what it needs.) */
static const char *const unwanted_features[] = {
	"secure-boot", "enrolled-keys", "requires-smm", NULL,
};

const char *
firmware_install_hint(const char *arch)
{
	if (strcmp(arch, "x86_64") == 0)
		return "sudo apt-get install ovmf (Fedora: edk2-ovmf; Homebrew: qemu)";
	if (strcmp(arch, "aarch64") == 0)
		return "sudo apt-get install qemu-efi-aarch64 (Fedora: edk2-aarch64; "
		    "Homebrew: qemu)";
	if (strcmp(arch, "riscv64") == 0)
		return "sudo apt-get install qemu-efi-riscv64 (Debian 13; Fedora: "
		    "edk2-riscv64; Homebrew: qemu)";
	return "install EDK2 firmware for this arch, or give \"firmware\" a path";
}

void
firmware_image_free(struct fw_image *fw)
{
	free(fw->code);
	free(fw->vars);
	free(fw->source);
	memset(fw, 0, sizeof *fw);
}

static char *
rooted(const struct fw_search *s, const char *path)
{
	return xasprintf("%s%s", s->root != NULL ? s->root : "", path);
}

static bool
readable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* QEMU's machine aliases match the versioned names descriptors list. */
static bool
machine_matches(const char *machine, const char *glob)
{
	static const char *const alias[][2] = {
		{ "pc", "pc-i440fx-99.0" }, { "q35", "pc-q35-99.0" },
		{ "virt", "virt-99.0" }, { NULL, NULL },
	};
	size_t i;

	for (i = 0; alias[i][0] != NULL; i++)
		if (strcmp(machine, alias[i][0]) == 0 &&
		    fnmatch(glob, alias[i][1], 0) == 0)
			return true;
	return fnmatch(glob, machine, 0) == 0;
}

static const char *
str_at(json_object *o, const char *a, const char *b)
{
	json_object *v;

	if (!json_object_object_get_ex(o, a, &v) || (b != NULL &&
	    !json_object_object_get_ex(v, b, &v)) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool
array_has(json_object *o, const char *key, const char *word)
{
	json_object *a;
	size_t i;

	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(a); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));

		if (s != NULL && strcmp(s, word) == 0)
			return true;
	}
	return false;
}

static bool
targets_match(json_object *d, const char *arch, const char *machine)
{
	json_object *targets, *t, *machines;
	const char *a;
	size_t i, j;

	if (!json_object_object_get_ex(d, "targets", &targets) ||
	    !json_object_is_type(targets, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(targets); i++) {
		t = json_object_array_get_idx(targets, i);
		if ((a = str_at(t, "architecture", NULL)) == NULL || strcmp(a, arch) != 0)
			continue;
		if (machine == NULL)
			return true;
		if (!json_object_object_get_ex(t, "machines", &machines) ||
		    !json_object_is_type(machines, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(machines); j++) {
			const char *g = json_object_get_string(
			    json_object_array_get_idx(machines, j));

			if (g != NULL && machine_matches(machine, g))
				return true;
		}
	}
	return false;
}

/* One descriptor: 1 and out filled when it fits, 0 when it does not. */
static int
try_descriptor(const char *path, const char *arch, const char *machine,
    const struct fw_search *s, struct fw_image *out)
{
	const char *code, *vars, *mode, *fmt;
	json_object *d;
	size_t i;
	int fits = 0;
	char *rc = NULL, *rv = NULL;

	if ((d = json_object_from_file(path)) == NULL)
		return 0;
	if (!array_has(d, "interface-types", "uefi") ||
	    (mode = str_at(d, "mapping", "device")) == NULL || strcmp(mode, "flash") != 0)
		goto out;
	/* "split" (the default): code and variables apart; combined or stateless
	 * images do not take a per-VM variables file. */
	if ((mode = str_at(d, "mapping", "mode")) != NULL && strcmp(mode, "split") != 0)
		goto out;
	for (i = 0; unwanted_features[i] != NULL; i++)
		if (array_has(d, "features", unwanted_features[i]))
			goto out;
	if (!targets_match(d, arch, machine))
		goto out;
	{
		json_object *m, *e;

		json_object_object_get_ex(d, "mapping", &m);
		if (!json_object_object_get_ex(m, "executable", &e) ||
		    (code = str_at(e, "filename", NULL)) == NULL)
			goto out;
		if ((fmt = str_at(e, "format", NULL)) != NULL && strcmp(fmt, "raw") != 0)
			goto out;
		vars = NULL;
		if (json_object_object_get_ex(m, "nvram-template", &e)) {
			vars = str_at(e, "filename", NULL);
			if ((fmt = str_at(e, "format", NULL)) != NULL && strcmp(fmt, "raw") != 0)
				goto out;
		}
	}
	rc = rooted(s, code);
	rv = vars != NULL ? rooted(s, vars) : NULL;
	if (!readable_file(rc) || (rv != NULL && !readable_file(rv)))
		goto out;
	out->code = rc;
	out->vars = rv;
	out->source = xstrdup(path);
	rc = rv = NULL;
	fits = 1;
out:
	free(rc);
	free(rv);
	json_object_put(d);
	return fits;
}

static int
cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/') + 1;
	const char *y = strrchr(*(char *const *)b, '/') + 1;

	return strcmp(x, y);
}

/* Every descriptor, a name in an earlier directory hiding it in later ones, by name. */
static size_t
descriptors(const struct fw_search *s, char ***out)
{
	char **v = NULL, *dir, *path;
	size_t n = 0, cap = 0, i, k;
	struct dirent *de;
	const char *e;
	DIR *dh;

	for (i = 0; s->descriptor_dirs[i] != NULL; i++) {
		if (strncmp(s->descriptor_dirs[i], "$XDG_CONFIG_HOME/", 17) == 0) {
			if ((e = getenv("XDG_CONFIG_HOME")) != NULL && *e == '/')
				dir = xasprintf("%s/%s", e, s->descriptor_dirs[i] + 17);
			else if ((e = getenv("HOME")) != NULL && *e == '/')
				dir = xasprintf("%s/.config/%s", e, s->descriptor_dirs[i] + 17);
			else
				continue;
		} else
			dir = rooted(s, s->descriptor_dirs[i]);
		if ((dh = opendir(dir)) == NULL) {
			free(dir);
			continue;
		}
		while ((de = readdir(dh)) != NULL) {
			size_t len = strlen(de->d_name);

			if (de->d_name[0] == '.' || len < 6 ||
			    strcmp(de->d_name + len - 5, ".json") != 0)
				continue;
			for (k = 0; k < n; k++)
				if (strcmp(strrchr(v[k], '/') + 1, de->d_name) == 0)
					break;
			if (k < n)
				continue;
			if (n == cap)
				v = xreallocarray(v, cap = cap ? cap * 2 : 16, sizeof *v);
			path = path_join(dir, de->d_name);
			v[n++] = path;
		}
		closedir(dh);
		free(dir);
	}
	if (n > 0)
		qsort(v, n, sizeof *v, cmp_base);
	*out = v;
	return n;
}

int
firmware_find(const char *arch, const char *machine, const struct fw_search *s,
    struct fw_image *out, qt_error *err)
{
	char **paths, *code, *vars;
	size_t n, i;
	struct stat st;
	int found = 0;

	memset(out, 0, sizeof *out);
	n = descriptors(s, &paths);
	for (i = 0; i < n; i++) {
		/* An empty file masks a descriptor of the same name (the spec's rule). */
		if (!found && stat(paths[i], &st) == 0 && st.st_size > 0)
			found = try_descriptor(paths[i], arch, machine, s, out);
		free(paths[i]);
	}
	free(paths);
	if (found)
		return 0;
	for (i = 0; i < sizeof known_paths / sizeof known_paths[0]; i++) {
		if (strcmp(known_paths[i].arch, arch) != 0)
			continue;
		code = rooted(s, known_paths[i].code);
		vars = rooted(s, known_paths[i].vars);
		if (readable_file(code)) {
			out->code = code;
			out->vars = readable_file(vars) ? vars : NULL;
			if (out->vars == NULL)
				free(vars);
			out->source = xstrdup("known path");
			return 0;
		}
		free(code);
		free(vars);
	}
	err_set(err, "firmware: \"uefi\" needs EDK2 firmware for %s, and none is installed "
	    "(no descriptor in /usr/share/qemu/firmware fits, no known file exists): "
	    "install it: %s; or give \"firmware\" the path of a code image", arch,
	    firmware_install_hint(arch));
	return -1;
}

char *
firmware_state_dir(const char *name, qt_error *err)
{
	const char *e;

	if ((e = getenv("XDG_STATE_HOME")) != NULL && *e == '/')
		return xasprintf("%s/qemu-tui/%s", e, name);
	if ((e = getenv("HOME")) != NULL && *e == '/')
		return xasprintf("%s/.local/state/qemu-tui/%s", e, name);
	err_set(err, "firmware: no state directory for the variables file: set HOME or "
	    "XDG_STATE_HOME to an absolute path");
	return NULL;
}

char *
firmware_vars_path(const char *name, qt_error *err)
{
	char *dir = firmware_state_dir(name, err), *path;

	if (dir == NULL)
		return NULL;
	path = xasprintf("%s/efi-vars.fd", dir);
	free(dir);
	return path;
}

/* mkdir -p of path's parents, new ones 0700 (the state is the user's alone). */
static int
make_parents(const char *path, qt_error *err)
{
	char *d = xstrdup(path), *p;

	for (p = d + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(d, 0700) == -1 && errno != EEXIST) {
			err_errno(err, "firmware: cannot create %s", d);
			free(d);
			return -1;
		}
		*p = '/';
	}
	free(d);
	return 0;
}

/* Copy src (or size zero bytes) into fd, leaving holes where src has zeros. */
static int
copy_sparse(int fd, const char *src, off_t size, qt_error *err)
{
	static const char zero[65536];
	char buf[65536];
	ssize_t n;
	off_t at = 0;
	int in = -1;

	if (src != NULL && (in = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		err_errno(err, "firmware: cannot read the variables template %s", src);
		return -1;
	}
	while (in != -1 && (n = read(in, buf, sizeof buf)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err_errno(err, "firmware: reading %s", src);
			close(in);
			return -1;
		}
		if (memcmp(buf, zero, (size_t)n) != 0 &&
		    pwrite(fd, buf, (size_t)n, at) != n) {
			err_errno(err, "firmware: writing the variables file");
			close(in);
			return -1;
		}
		at += n;
	}
	if (in != -1)
		close(in);
	if (ftruncate(fd, src != NULL ? at : size) == -1 || fsync(fd) == -1) {
		err_errno(err, "firmware: writing the variables file");
		return -1;
	}
	return 0;
}

int
firmware_vars_prepare(const char *path, const struct fw_image *fw, bool *created,
    qt_error *err)
{
	struct stat st;
	char *tmp;
	int fd;

	*created = false;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			err_set(err, "firmware: %s is not a regular file of yours: remove it "
			    "and start again (a new one is made from the template)", path);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		err_errno(err, "firmware: %s", path);
		return -1;
	}
	if (fw->vars == NULL && stat(fw->code, &st) == -1) {
		err_errno(err, "firmware: %s", fw->code);
		return -1;
	}
	if (make_parents(path, err) == -1)
		return -1;
	tmp = xasprintf("%s.new", path);
	unlink(tmp);	/* a crash's leftover; the name is ours alone */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) == -1) {
		err_errno(err, "firmware: cannot create %s", tmp);
		free(tmp);
		return -1;
	}
	if (copy_sparse(fd, fw->vars, fw->vars == NULL ? st.st_size : 0, err) == -1) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		err_errno(err, "firmware: cannot rename %s to %s", tmp, path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	*created = true;
	return 0;
}

int
firmware_for_vm(const char *name, const char *arch, const char *machine, bool create,
    struct fw_image *fw, char **vars_path, bool *created, qt_error *err)
{
	*vars_path = NULL;
	*created = false;
	if (firmware_find(arch, machine, firmware_default_search(), fw, err) == -1)
		return -1;
	if ((*vars_path = firmware_vars_path(name, err)) == NULL ||
	    (create && firmware_vars_prepare(*vars_path, fw, created, err) == -1)) {
		free(*vars_path);
		*vars_path = NULL;
		firmware_image_free(fw);
		return -1;
	}
	return 0;
}
