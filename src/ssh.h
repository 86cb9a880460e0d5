/*
 * SSH sessions to a VM with libssh, driven by the one poll loop and never blocking it:
 * non-blocking connect with our own deadline and one-second retries while sshd is not
 * up yet, host keys checked against the user's ~/.ssh/known_hosts ([host]:port entries),
 * authentication agent -> profile identity -> default keys -> password/kbd-interactive
 * (answered later by the caller through a hook), then a shell with a pty or one command.
 */
#ifndef QT_SSH_H
#define QT_SSH_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"
#include "profile.h"
#include "util.h"
#include "vm.h"

enum ssh_hkc {
	SSH_HKC_ASK,		/* unknown key: ask through the hostkey hook */
	SSH_HKC_ACCEPT_NEW,	/* unknown key: save it and go on */
	SSH_HKC_OFF,		/* never check, never save */
};

/* Where and as whom to connect. */
struct ssh_target {
	char *host;		/* an IP literal; NULL for a name, which the session
				 * looks up off the loop (ST_RESOLVE) */
	char *host_name;	/* as written (for messages and ssh-config); may equal host */
	int port;
	char *user;
	char *identity;		/* NULL: default keys only */
	enum ssh_hkc hkc;
	int connect_timeout;	/* seconds */
	bool port_from_run;	/* the port was chosen at start (changes each start) */
};

/*
 * Resolve the target of a profile: user networking without ssh.host -> 127.0.0.1 and
 * ssh.port, or the running VM's forwarded port (run may be NULL: then ssh.port or an
 * error); TAP/other -> ssh.host and ssh.port (default 22). host/port (NULL/0 = none)
 * win over both. Never blocks: an IP literal is taken as is (AI_NUMERICHOST), a host
 * name is left for ssh_sess_open to look up in a child process.
 */
int ssh_target_resolve(const struct profile *p, const struct vm_run *run,
    const char *host, int port, struct ssh_target *t, qt_error *err);
void ssh_target_free(struct ssh_target *t);
/* "[127.0.0.1]:2222" or "10.0.0.5" (port 22): the known_hosts spelling. */
char *ssh_target_hostport(const struct ssh_target *t);

enum ssh_hostkey_answer {
	SSH_HOSTKEY_REJECT,
	SSH_HOSTKEY_ONCE,
	SSH_HOSTKEY_SAVE,
};

struct ssh_sess;

/* All optional except closed and failed. After closed or failed the session is finished
 * (nothing more is called); free it with ssh_sess_free, which may be called from a hook. */
struct ssh_hooks {
	/* Progress: "connecting to ...", "waiting for sshd on HOST:PORT…", "authenticating". */
	void (*status)(void *arg, const char *msg);
	/* Unknown host key with "ask": answer with ssh_sess_hostkey_answer (now or later).
	 * Without this hook an unknown key is rejected. */
	void (*hostkey)(void *arg, const char *fingerprint, const char *hostport);
	/* A password / passphrase / keyboard-interactive question: answer with
	 * ssh_sess_prompt_answer (NULL = give up on this method). Without the hook,
	 * password methods are skipped. */
	void (*prompt)(void *arg, const char *question, bool echo);
	/* The shell or command runs; input may be sent now. */
	void (*ready)(void *arg);
	void (*data)(void *arg, bool is_stderr, const char *data, size_t len);
	/* The remote side ended: exit_status (-1 if none was sent, e.g. killed by signal). */
	void (*closed)(void *arg, int exit_status);
	/* Connection could not be made, auth failed, host key refused, connection lost. */
	void (*failed)(void *arg, const char *msg);
};

/* command NULL: interactive shell with a pty of rows x cols (TERM=xterm-256color);
 * otherwise exec it without a pty. Starts at once; NULL + err only on bad arguments. */
struct ssh_sess *ssh_sess_open(struct loop *l, const struct ssh_target *t,
    const char *command, int rows, int cols, const struct ssh_hooks *hooks,
    void *arg, qt_error *err);
void ssh_sess_free(struct ssh_sess *s);

void ssh_sess_hostkey_answer(struct ssh_sess *s, enum ssh_hostkey_answer a);
/* The answer is copied and wiped after use; wipe your own copy too. */
void ssh_sess_prompt_answer(struct ssh_sess *s, const char *answer);
/* Queue bytes for the remote stdin (dropped before ready). */
void ssh_sess_write(struct ssh_sess *s, const void *data, size_t len);
/* Send EOF on the remote stdin once the queue is out. */
void ssh_sess_send_eof(struct ssh_sess *s);
void ssh_sess_resize(struct ssh_sess *s, int rows, int cols);
/* Current state in words (for a pane title / details). */
const char *ssh_sess_state(const struct ssh_sess *s);

/*
 * Run one command (no pty, no stdin) and collect its stdout, up to max_out bytes (the
 * rest dropped); stderr is dropped. done is called once, from the loop: with the exit
 * status (-1 when none was sent) and the output, or with error set when the session
 * failed (connect, host key, authentication). An unknown host key is refused unless
 * the target's host_key_check says otherwise; no password is asked. ssh_run_free may
 * be called inside done, and before it to cancel.
 */
struct ssh_run;
typedef void (*ssh_run_done_fn)(void *arg, int exit_status, const char *out, size_t len,
    const char *error);
struct ssh_run *ssh_run_start(struct loop *l, const struct ssh_target *t,
    const char *command, size_t max_out, ssh_run_done_fn done, void *arg, qt_error *err);
void ssh_run_free(struct ssh_run *r);

/*
 * Key helpers. ssh_default_key_path: $HOME/.ssh/id_ed25519 (malloc'd).
 * ssh_keygen_default: make it (0600) with the .pub beside it when it does not exist;
 * *publine gets the public key line. Fails when it exists.
 * ssh_install_hint: the one line to type on the guest's console, and an ssh-copy-id line.
 */
char *ssh_default_key_path(void);
/* $HOME/.ssh and $HOME/.ssh/known_hosts: HOME decides, as it does for ssh. */
char *ssh_dir_path(void);
char *ssh_known_hosts_path(void);
/* Whether ~/.ssh has one of the keys ssh tries by default. */
bool ssh_have_default_key(void);
int ssh_keygen_default(char **publine, qt_error *err);
char *ssh_install_hint(const char *publine, const struct ssh_target *t);

#endif
