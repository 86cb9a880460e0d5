/*
 * libFuzzer target for profiles as `qemu-tui cmdline NAME --set K=V...` sees
 * them: the profile text, the --set assignments applied one by one, the
 * cross-field check, then the QEMU argv built and printed shell-quoted. Like
 * cmdline, a broken profile still gets its argv built.
 *
 * Input: the profile text up to the first NUL byte; after it, NUL-separated
 * --set assignments ("memory=2G\0smp=4").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "qemu_argv.h"

/* A directory that does not exist: relative paths never reach real files. */
#define FUZZ_PATH "/nonexistent-qemu-tui-fuzz/fuzz.json"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const accels[] = { "tcg", "kvm", "hvf" };
	static FILE *devnull;
	struct argv_runtime rt = { .rundir = "/run/user/1000/qemu-tui/fuzz" };
	struct strvec av = STRVEC_INIT;
	struct profile *p;
	size_t textlen;
	char *buf, *s, *end;
	qt_error err;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	/* One more NUL ends the last assignment. */
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;
	textlen = strlen(buf);

	p = profile_parse(FUZZ_PATH, buf, textlen);
	for (s = buf + textlen + 1; s < end; s += strlen(s) + 1)
		profile_set(p, s, &err);
	profile_validate(p, &err);

	rt.accel = accels[size % 3];
	/* As cmdline (no port chosen yet) and as start (a free port chosen). */
	rt.ssh_host_port = size & 8 ? 2222 : 0;
	rt.start_paused = (int)(size & 4);
	if (qemu_argv_build(p, &rt, &av, &err) == 0)
		qemu_argv_print(devnull, av.v);
	strvec_free(&av);
	profile_free(p);
	free(buf);
	return 0;
}
