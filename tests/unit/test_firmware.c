/* firmware.c over a fake tree: QEMU's firmware descriptors (priority, masking, features,
 * arch and machine), the known paths after them, the package a missing one names, and
 * the VM's own variables file (made once from the template, 0600, kept). */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware.h"

static char root[] = "/tmp/qt-fw-XXXXXX";
static const char *const dirs[] = { "/etc/qemu/firmware", "/usr/share/qemu/firmware", NULL };
static struct fw_search search;

static void
put(const char *rel, const char *text)
{
	char *path = xasprintf("%s%s", root, rel), *p;
	FILE *f;

	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	free(path);
}

/* A descriptor as the interop spec writes one (Debian's shape). */
static void
descriptor(const char *rel, const char *arch, const char *machines, const char *code,
    const char *vars, const char *features)
{
	char *t = xasprintf("{ \"description\": \"test\", \"interface-types\": [ \"uefi\" ],\n"
	    "  \"mapping\": { \"device\": \"flash\",\n"
	    "    \"executable\": { \"filename\": \"%s\", \"format\": \"raw\" },\n"
	    "    \"nvram-template\": { \"filename\": \"%s\", \"format\": \"raw\" } },\n"
	    "  \"targets\": [ { \"architecture\": \"%s\", \"machines\": [ %s ] } ],\n"
	    "  \"features\": [ %s ], \"tags\": [] }\n", code, vars, arch, machines, features);

	put(rel, t);
	free(t);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(root));
	search.descriptor_dirs = dirs;
	search.root = root;
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/nonexistent", 1);
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void
teardown(void)
{
	ck_assert_int_eq(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	strcpy(root, "/tmp/qt-fw-XXXXXX");
}

static void
ck_found(const char *arch, const char *machine, const char *code, const char *vars,
    const char *source)
{
	struct fw_image fw;
	qt_error err;
	char *want;

	ck_assert_msg(firmware_find(arch, machine, &search, &fw, &err) == 0, "%s", err.msg);
	want = xasprintf("%s%s", root, code);
	ck_assert_str_eq(fw.code, want);
	free(want);
	if (vars == NULL)
		ck_assert_ptr_null(fw.vars);
	else {
		want = xasprintf("%s%s", root, vars);
		ck_assert_str_eq(fw.vars, want);
		free(want);
	}
	want = source[0] == '/' ? xasprintf("%s%s", root, source) : xstrdup(source);
	ck_assert_str_eq(fw.source, want);
	free(want);
	firmware_image_free(&fw);
}

START_TEST(test_descriptors)
{
	put("/fw/AAVMF_CODE.fd", "code");
	put("/fw/AAVMF_CODE.secboot.fd", "code-sb");
	put("/fw/AAVMF_VARS.fd", "vars");
	put("/fw/OVMF_CODE_4M.fd", "x86");
	put("/fw/OVMF_VARS_4M.fd", "x86vars");
	/* Debian's three: secure boot first by name, then the plain one */
	descriptor("/usr/share/qemu/firmware/40-edk2-aarch64-secure-enrolled.json", "aarch64",
	    "\"virt-*\"", "/fw/AAVMF_CODE.secboot.fd", "/fw/AAVMF_VARS.fd",
	    "\"enrolled-keys\", \"secure-boot\"");
	descriptor("/usr/share/qemu/firmware/50-edk2-aarch64-secure.json", "aarch64",
	    "\"virt-*\"", "/fw/AAVMF_CODE.secboot.fd", "/fw/AAVMF_VARS.fd", "\"secure-boot\"");
	descriptor("/usr/share/qemu/firmware/60-edk2-aarch64.json", "aarch64", "\"virt-*\"",
	    "/fw/AAVMF_CODE.fd", "/fw/AAVMF_VARS.fd", "\"verbose-static\"");
	descriptor("/usr/share/qemu/firmware/60-edk2-x86_64.json", "x86_64",
	    "\"pc-i440fx-*\", \"pc-q35-*\"", "/fw/OVMF_CODE_4M.fd", "/fw/OVMF_VARS_4M.fd",
	    "\"acpi-s3\", \"amd-sev\", \"verbose-dynamic\"");
	ck_found("aarch64", "virt", "/fw/AAVMF_CODE.fd", "/fw/AAVMF_VARS.fd",
	    "/usr/share/qemu/firmware/60-edk2-aarch64.json");
	ck_found("aarch64", NULL, "/fw/AAVMF_CODE.fd", "/fw/AAVMF_VARS.fd",
	    "/usr/share/qemu/firmware/60-edk2-aarch64.json");
	ck_found("x86_64", "pc", "/fw/OVMF_CODE_4M.fd", "/fw/OVMF_VARS_4M.fd",
	    "/usr/share/qemu/firmware/60-edk2-x86_64.json");
	ck_found("x86_64", "pc-q35-7.2", "/fw/OVMF_CODE_4M.fd", "/fw/OVMF_VARS_4M.fd",
	    "/usr/share/qemu/firmware/60-edk2-x86_64.json");

	/* an earlier directory wins, by file name first */
	put("/fw/mine.fd", "mine");
	descriptor("/etc/qemu/firmware/55-mine.json", "aarch64", "\"virt-*\"", "/fw/mine.fd",
	    "/fw/AAVMF_VARS.fd", "");
	ck_found("aarch64", "virt", "/fw/mine.fd", "/fw/AAVMF_VARS.fd",
	    "/etc/qemu/firmware/55-mine.json");
	/* ... and an empty file of the same name masks one */
	put("/etc/qemu/firmware/55-mine.json", "");
	ck_found("aarch64", "virt", "/fw/AAVMF_CODE.fd", "/fw/AAVMF_VARS.fd",
	    "/usr/share/qemu/firmware/60-edk2-aarch64.json");
	/* a descriptor whose code file is gone does not count */
	descriptor("/etc/qemu/firmware/10-gone.json", "aarch64", "\"virt-*\"", "/fw/gone.fd",
	    "/fw/AAVMF_VARS.fd", "");
	ck_found("aarch64", "virt", "/fw/AAVMF_CODE.fd", "/fw/AAVMF_VARS.fd",
	    "/usr/share/qemu/firmware/60-edk2-aarch64.json");
	/* a machine no descriptor lists: the known paths */
	put("/usr/share/AAVMF/AAVMF_CODE.fd", "c");
	ck_found("aarch64", "sbsa-ref", "/usr/share/AAVMF/AAVMF_CODE.fd", NULL, "known path");
}
END_TEST

START_TEST(test_known_paths_and_missing)
{
	struct fw_image fw;
	qt_error err;

	/* Nothing at all: the package to install, by arch */
	ck_assert_int_eq(firmware_find("aarch64", "virt", &search, &fw, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "sudo apt-get install qemu-efi-aarch64"));
	ck_assert_ptr_nonnull(strstr(err.msg, "needs EDK2 firmware for aarch64"));
	ck_assert_int_eq(firmware_find("x86_64", "pc", &search, &fw, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "sudo apt-get install ovmf"));

	/* Fedora's and Homebrew's names, without descriptors */
	put("/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw", "c");
	put("/usr/share/edk2/aarch64/vars-template-pflash.raw", "v");
	ck_found("aarch64", "virt", "/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw",
	    "/usr/share/edk2/aarch64/vars-template-pflash.raw", "known path");
	put("/opt/homebrew/share/qemu/edk2-x86_64-code.fd", "c");
	put("/opt/homebrew/share/qemu/edk2-i386-vars.fd", "v");
	ck_found("x86_64", "q35", "/opt/homebrew/share/qemu/edk2-x86_64-code.fd",
	    "/opt/homebrew/share/qemu/edk2-i386-vars.fd", "known path");
	/* Debian's comes before both */
	put("/usr/share/OVMF/OVMF_CODE_4M.fd", "c");
	put("/usr/share/OVMF/OVMF_VARS_4M.fd", "v");
	ck_found("x86_64", "pc", "/usr/share/OVMF/OVMF_CODE_4M.fd",
	    "/usr/share/OVMF/OVMF_VARS_4M.fd", "known path");
	/* QEMU's own share directory, a code image without its vars */
	put("/usr/share/qemu/edk2-riscv-code.fd", "c");
	ck_found("riscv64", "virt", "/usr/share/qemu/edk2-riscv-code.fd", NULL, "known path");
}
END_TEST

static char *
slurp(const char *path, size_t *len)
{
	qt_error err;
	char *s = file_read(path, len, &err);

	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

START_TEST(test_vars_file)
{
	struct fw_image fw = { 0 };
	struct stat st;
	qt_error err;
	bool created;
	char *state = xasprintf("%s/state", root), *path, *text, *tmpl;
	char big[200000];
	size_t len;
	FILE *f;

	setenv("XDG_STATE_HOME", state, 1);
	ck_assert_ptr_nonnull(path = firmware_vars_path("vm1", &err));
	text = xasprintf("%s/qemu-tui/vm1/efi-vars.fd", state);
	ck_assert_str_eq(path, text);
	free(text);

	/* a template with data around a long run of zeros (left as a hole) */
	memset(big, 0, sizeof big);
	memcpy(big, "HEAD", 4);
	memcpy(big + sizeof big - 4, "TAIL", 4);
	tmpl = xasprintf("%s/VARS.fd", root);
	ck_assert_ptr_nonnull(f = fopen(tmpl, "w"));
	ck_assert_uint_eq(fwrite(big, 1, sizeof big, f), sizeof big);
	fclose(f);
	fw.code = xasprintf("%s/CODE.fd", root);
	fw.vars = tmpl;
	ck_assert_msg(firmware_vars_prepare(path, &fw, &created, &err) == 0, "%s", err.msg);
	ck_assert(created);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	text = slurp(path, &len);
	ck_assert_uint_eq(len, sizeof big);
	ck_assert(memcmp(text, big, sizeof big) == 0);
	free(text);
	text = xasprintf("%s/qemu-tui/vm1", state);
	ck_assert_int_eq(stat(text, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	free(text);

	/* a guest's changes are kept: never copied over again */
	ck_assert_ptr_nonnull(f = fopen(path, "r+"));
	fputs("GUEST", f);
	fclose(f);
	ck_assert_int_eq(firmware_vars_prepare(path, &fw, &created, &err), 0);
	ck_assert(!created);
	text = slurp(path, &len);
	ck_assert(memcmp(text, "GUEST", 5) == 0);
	free(text);
	/* the template itself is untouched */
	text = slurp(tmpl, &len);
	ck_assert(memcmp(text, "HEAD", 4) == 0);
	free(text);

	/* no template: zeros the size of the code image */
	free(path);
	path = firmware_vars_path("vm2", &err);
	put("/CODE.fd", "0123456789");
	free(fw.vars);
	fw.vars = NULL;
	ck_assert_int_eq(firmware_vars_prepare(path, &fw, &created, &err), 0);
	ck_assert(created);
	text = slurp(path, &len);
	ck_assert_uint_eq(len, 10);
	ck_assert(text[0] == 0 && text[9] == 0);
	free(text);

	/* a symlink in its place is refused, not followed */
	unlink(path);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	ck_assert_int_eq(firmware_vars_prepare(path, &fw, &created, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not a regular file of yours"));

	firmware_image_free(&fw);
	free(path);
	free(state);
	unsetenv("XDG_STATE_HOME");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("firmware");
	TCase *tc = tcase_create("firmware");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);	/* a loaded machine; nothing here waits */
	tcase_add_test(tc, test_descriptors);
	tcase_add_test(tc, test_known_paths_and_missing);
	tcase_add_test(tc, test_vars_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
