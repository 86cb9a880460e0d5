/* QMP: a stream parser and a non-blocking client (one fd, driven by the poll loop). */
#ifndef QT_QMP_H
#define QT_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "loop.h"
#include "util.h"

/* ---- stream parser: bytes in, whole JSON objects out ---- */

struct qmp_parser;
typedef void (*qmp_msg_cb)(struct json_object *msg, void *arg);

/* max_message: a message longer than this is an error (0 = 1 MiB). */
struct qmp_parser *qmp_parser_new(size_t max_message);
void qmp_parser_free(struct qmp_parser *p);
/*
 * Feed any slice of the stream (partial messages, several at once, CRLF or
 * not). cb gets each complete top-level object (borrowed: valid during the
 * call; json_object_get it to keep it). Garbage is skipped up to the next
 * line break and counted; returns -1 with err only for an oversize message,
 * after which the stream cannot be trusted (close it).
 */
int qmp_parser_feed(struct qmp_parser *p, const char *buf, size_t len,
    qmp_msg_cb cb, void *arg, qt_error *err);
/* How many garbage chunks were skipped so far. */
unsigned qmp_parser_garbage(const struct qmp_parser *p);

/* ---- client ---- */

struct qmp_client;

/* ret: the "return" member (NULL on error); error: the "error" member (NULL on success). Borrowed. */
typedef void (*qmp_reply_cb)(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg);

struct qmp_callbacks {
	/* capabilities negotiated: commands may be sent (they may also be queued earlier) */
	void (*ready)(struct qmp_client *c, void *arg);
	/* an event; data may be NULL; seconds/micros from "timestamp" */
	void (*event)(struct qmp_client *c, const char *name,
	    struct json_object *data, long long seconds, long micros, void *arg);
	/*
	 * EOF or error, called once, after every pending reply got an error
	 * {"class": "Disconnected", "desc": why}. A client on a loop is off it
	 * already; otherwise qmp_fd() still returns the fd here (drop it from
	 * your poll set); it is closed right after. qmp_free may be called here.
	 */
	void (*closed)(struct qmp_client *c, const char *why, void *arg);
};

/*
 * The one way to put a QMP client on the loop: connect to the unix socket at
 * path and watch it. The client asks the loop for POLLOUT by itself whenever a
 * command waits to be written (qmp_send needs nothing more from the caller),
 * and leaves the loop when it closes or is freed. NULL + err when the connect
 * fails at once. (No loop: unix_connect + qmp_new + qmp_io by hand, or the
 * blocking helpers below.)
 */
struct qmp_client *qmp_open(struct loop *l, const char *path,
    const struct qmp_callbacks *cb, void *arg, qt_error *err);

/*
 * Takes ownership of fd (made non-blocking). Sends qmp_capabilities after the
 * greeting by itself. cb (copied) and any of its members may be NULL.
 * Callbacks may call qmp_send. A callback may also call qmp_free on its own
 * client (loop_guard in loop.h): the free is deferred until qmp_io (or the
 * sync helper) returns, which then returns -1/NULL, and no further callback
 * is made.
 */
struct qmp_client *qmp_new(int fd, const struct qmp_callbacks *cb, void *arg);
/* Closes the fd; pending reply callbacks are not called (their args leak unless the caller tracks them). */
void qmp_free(struct qmp_client *c);
/* -1 once closed. */
int qmp_fd(const struct qmp_client *c);
bool qmp_is_ready(const struct qmp_client *c);
/* The greeting's QMP.version.qemu as "7.2.0" (after ready), else "". */
const char *qmp_qemu_version(const struct qmp_client *c);
/* poll() events the client wants now (POLLIN, plus POLLOUT while output is queued). */
short qmp_want(const struct qmp_client *c);
/* Handle poll() results. Returns -1 once the connection is gone (closed cb already called). */
int qmp_io(struct qmp_client *c, short revents);
/*
 * Queue a command and write what the socket takes now (never blocks). args
 * is consumed (may be NULL). cb may be NULL. Returns the id used, or -1
 * when the connection is closed (cb is then never called). Commands sent
 * before ready are held until then. Every accepted command gets exactly
 * one cb call: its reply, or a Disconnected error.
 */
long qmp_send(struct qmp_client *c, const char *command,
    struct json_object *args, qmp_reply_cb cb, void *arg);

/* ---- blocking helpers for the CLI (never used inside the dashboard loop) ---- */
/* timeout_ms < 0: no limit. They poll() the client's fd and call qmp_io. */

/* Connect and wait until capabilities are negotiated. */
struct qmp_client *qmp_open_sync(const char *path, int timeout_ms,
    const struct qmp_callbacks *cb, void *arg, qt_error *err);
/*
 * Run a command and wait for its reply: returns the "return" value (new ref;
 * a JSON null becomes {}) or NULL + err "QMP command X failed: class: desc".
 */
struct json_object *qmp_call_sync(struct qmp_client *c, const char *command,
    struct json_object *args, int timeout_ms, qt_error *err);
/* Pump I/O (events to callbacks) for up to timeout_ms; -1 when the connection closed. */
int qmp_pump_sync(struct qmp_client *c, int timeout_ms);

#endif
