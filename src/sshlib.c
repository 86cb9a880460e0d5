/*
 * libssh through dlopen (see sshlib.h for why). Every libssh function ssh.c calls is
 * named once, in SSHLIB_FUNCS, with its parameters; from that one list come the table
 * of pointers dlsym fills, the names to look up, and a trampoline of the same name as
 * libssh's function. Same-named trampolines keep ssh.c's call sites exactly what
 * libssh's documentation shows, and since this file includes libssh's headers, a
 * trampoline whose signature differs from libssh's declaration does not compile.
 * They are not exported (nothing linked with qemu-tui refers to them, and the
 * binary is not linked with -rdynamic), so libssh's calls to its own functions never
 * land here.
 */
#include "sshlib.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#ifndef QT_LIBSSH_SONAME
#define QT_LIBSSH_SONAME "libssh.so.4"
#endif

/* F: returns a value; V: returns void. (return type, name, parameters, arguments) */
#define SSHLIB_FUNCS(F, V)							\
	F(int, ssh_channel_change_pty_size, (ssh_channel c, int cols, int rows),	\
	    (c, cols, rows))							\
	V(ssh_channel_free, (ssh_channel c), (c))				\
	F(int, ssh_channel_get_exit_status, (ssh_channel c), (c))		\
	F(int, ssh_channel_is_closed, (ssh_channel c), (c))			\
	F(int, ssh_channel_is_eof, (ssh_channel c), (c))			\
	F(ssh_channel, ssh_channel_new, (ssh_session s), (s))			\
	F(int, ssh_channel_open_session, (ssh_channel c), (c))			\
	F(int, ssh_channel_poll, (ssh_channel c, int is_stderr), (c, is_stderr))	\
	F(int, ssh_channel_request_exec, (ssh_channel c, const char *cmd), (c, cmd)) \
	F(int, ssh_channel_request_pty_size, (ssh_channel c, const char *term,	\
	    int cols, int rows), (c, term, cols, rows))				\
	F(int, ssh_channel_request_shell, (ssh_channel c), (c))			\
	F(int, ssh_channel_send_eof, (ssh_channel c), (c))			\
	F(int, ssh_channel_write, (ssh_channel c, const void *data, uint32_t len),	\
	    (c, data, len))							\
	V(ssh_clean_pubkey_hash, (unsigned char **hash), (hash))		\
	F(int, ssh_connect, (ssh_session s), (s))				\
	V(ssh_disconnect, (ssh_session s), (s))					\
	V(ssh_free, (ssh_session s), (s))					\
	F(const char *, ssh_get_error, (void *error), (error))			\
	F(socket_t, ssh_get_fd, (ssh_session s), (s))				\
	F(char *, ssh_get_fingerprint_hash, (enum ssh_publickey_hash_type type,	\
	    unsigned char *hash, size_t len), (type, hash, len))		\
	F(int, ssh_get_poll_flags, (ssh_session s), (s))			\
	F(int, ssh_get_publickey_hash, (const ssh_key key,			\
	    enum ssh_publickey_hash_type type, unsigned char **hash, size_t *hlen), \
	    (key, type, hash, hlen))						\
	F(int, ssh_get_server_publickey, (ssh_session s, ssh_key *key), (s, key)) \
	F(const char *, ssh_get_serverbanner, (ssh_session s), (s))		\
	F(int, ssh_is_connected, (ssh_session s), (s))				\
	V(ssh_key_free, (ssh_key key), (key))					\
	F(enum ssh_keytypes_e, ssh_key_type, (const ssh_key key), (key))	\
	F(const char *, ssh_key_type_to_char, (enum ssh_keytypes_e type), (type)) \
	F(ssh_session, ssh_new, (void), ())					\
	F(int, ssh_options_set, (ssh_session s, enum ssh_options_e type,	\
	    const void *value), (s, type, value))				\
	F(int, ssh_pki_export_privkey_file, (const ssh_key privkey,		\
	    const char *passphrase, ssh_auth_callback auth_fn, void *auth_data,	\
	    const char *filename), (privkey, passphrase, auth_fn, auth_data, filename)) \
	F(int, ssh_pki_export_pubkey_base64, (const ssh_key key, char **b64_key), \
	    (key, b64_key))							\
	F(int, ssh_pki_generate, (enum ssh_keytypes_e type, int parameter,	\
	    ssh_key *pkey), (type, parameter, pkey))				\
	F(enum ssh_known_hosts_e, ssh_session_is_known_server, (ssh_session s), (s)) \
	F(int, ssh_session_update_known_hosts, (ssh_session s), (s))		\
	V(ssh_set_blocking, (ssh_session s, int blocking), (s, blocking))	\
	F(int, ssh_set_callbacks, (ssh_session s, ssh_callbacks cb), (s, cb))	\
	F(int, ssh_set_channel_callbacks, (ssh_channel c, ssh_channel_callbacks cb), \
	    (c, cb))								\
	V(ssh_string_free_char, (char *str), (str))				\
	F(int, ssh_userauth_kbdint, (ssh_session s, const char *user,		\
	    const char *submethods), (s, user, submethods))			\
	F(int, ssh_userauth_kbdint_getnprompts, (ssh_session s), (s))		\
	F(const char *, ssh_userauth_kbdint_getprompt, (ssh_session s,		\
	    unsigned int i, char *echo), (s, i, echo))				\
	F(int, ssh_userauth_kbdint_setanswer, (ssh_session s, unsigned int i,	\
	    const char *answer), (s, i, answer))				\
	F(int, ssh_userauth_list, (ssh_session s, const char *username), (s, username)) \
	F(int, ssh_userauth_none, (ssh_session s, const char *username), (s, username)) \
	F(int, ssh_userauth_password, (ssh_session s, const char *username,	\
	    const char *password), (s, username, password))			\
	F(int, ssh_userauth_publickey_auto, (ssh_session s, const char *username, \
	    const char *passphrase), (s, username, passphrase))

/* The pointers dlsym fills. */
static struct sshlib_fns {
#define PTR(ret, name, params, args)	ret (*name) params;
#define PTR_V(name, params, args)	void (*name) params;
	SSHLIB_FUNCS(PTR, PTR_V)
#undef PTR
#undef PTR_V
} fns;

static const struct {
	const char *name;
	size_t off;
} syms[] = {
#define SYM(ret, name, params, args)	{ #name, offsetof(struct sshlib_fns, name) },
#define SYM_V(name, params, args)	{ #name, offsetof(struct sshlib_fns, name) },
	SSHLIB_FUNCS(SYM, SYM_V)
#undef SYM
#undef SYM_V
};

static void *lib;

/* A call before sshlib_load is a bug in the path that made it: say which function. */
static void __attribute__((noreturn))
not_loaded(const char *name)
{
	fatal("internal error: libssh's %s called before sshlib_load", name);
}

#define TRAMP(ret, name, params, args)					\
ret name params								\
{									\
	if (fns.name == NULL)						\
		not_loaded(#name);					\
	return fns.name args;						\
}
#define TRAMP_V(name, params, args)					\
void name params							\
{									\
	if (fns.name == NULL)						\
		not_loaded(#name);					\
	fns.name args;							\
}
SSHLIB_FUNCS(TRAMP, TRAMP_V)
#undef TRAMP
#undef TRAMP_V

int
sshlib_load(qt_error *err)
{
	struct sshlib_fns got;
	void *h, *sym;
	const char *why;
	size_t i;

	if (lib != NULL)
		return 0;
	if ((h = dlopen(QT_LIBSSH_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		err_set(err, "SSH needs libssh, which cannot be loaded (%s): install it "
		    "with `sudo apt-get install libssh-4`", why != NULL ? why : QT_LIBSSH_SONAME);
		return -1;
	}
	memset(&got, 0, sizeof got);
	for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		if ((sym = dlsym(h, syms[i].name)) == NULL) {
			err_set(err, "%s has no %s: it is older than the libssh qemu-tui "
			    "was built with; install libssh-4 %d.%d or newer", QT_LIBSSH_SONAME,
			    syms[i].name, LIBSSH_VERSION_MAJOR, LIBSSH_VERSION_MINOR);
			dlclose(h);
			return -1;
		}
		/* A data pointer into a function pointer: POSIX's dlsym idiom. */
		memcpy((char *)&got + syms[i].off, &sym, sizeof sym);
	}
	fns = got;
	lib = h;
	return 0;
}
