/* The user's configuration directory and the build's source tree. */
#include "xdg.h"

#include <stdlib.h>

#include "util.h"

/* Set by the build (Makefile.am) to configure's absolute top_srcdir. */
#ifndef QT_SOURCE_DIR
#define QT_SOURCE_DIR "."
#endif

char *
xdg_config_path(const char *rel)
{
	const char *e;

	if ((e = getenv("XDG_CONFIG_HOME")) != NULL && *e == '/')
		return xasprintf("%s/qemu-tui/%s", e, rel);
	/* A relative or empty HOME would make the path depend on the cwd. */
	if ((e = getenv("HOME")) != NULL && *e == '/')
		return xasprintf("%s/.config/qemu-tui/%s", e, rel);
	return NULL;
}

char *
xdg_source_path(const char *rel)
{
	return path_join(QT_SOURCE_DIR, rel);
}
