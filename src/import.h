/*
 * A working QEMU command line into a profile. Known options become profile
 * fields; what has no field goes to extra_args; what qemu-tui does itself
 * (serial, monitor, QMP, pid file, daemonizing) is dropped with a note.
 * Nothing is dropped silently: every note is for the user to read. Pure: no
 * I/O but realpath-free path joining.
 */
#ifndef QT_IMPORT_H
#define QT_IMPORT_H

#include <json-c/json.h>

#include "strvec.h"
#include "util.h"

/*
 * argv[0] is the QEMU binary (qemu-system-ARCH or a path to one). Relative
 * file paths are made absolute against cwd. Returns the profile as a JSON
 * object (name set), or NULL with err; notes gets one line per thing the
 * user should know.
 */
struct json_object *import_argv(const char *name, char *const *argv, int argc,
    const char *cwd, struct strvec *notes, qt_error *err);

/*
 * The QEMU line in a shell script, a Makefile recipe or a runner's log
 * ("spawning "qemu-system-aarch64" "-m" ...): backslash continuations joined,
 * the words split as a shell would (quotes, escapes), everything before the
 * qemu-system-* word dropped (sudo with a note), $VAR and $(VAR) left as they
 * are and reported. Fills words (argv[0] the binary).
 */
int import_split_script(const char *text, struct strvec *words, struct strvec *notes,
    qt_error *err);

#endif
