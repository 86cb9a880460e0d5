/*
 * libFuzzer target for the QMP stream parser. Besides not crashing, the
 * parser must not care how the stream is cut: feeding the input whole and
 * in pieces (sizes taken from the input itself), then a final '\n', must
 * give the same messages, the same garbage count and the same verdict.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined \
 *       -Isrc src/qmp.c src/util.c tests/fuzz/fuzz_qmp.c \
 *       $(pkg-config --cflags --libs json-c) -o /tmp/fuzz_qmp
 *   /tmp/fuzz_qmp -max_len=8192
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp.h"

/* Small, so the oversize path is reachable. */
#define FUZZ_MAX_MESSAGE 2048

static void
collect(struct json_object *msg, void *arg)
{
	json_object_array_add(arg, json_object_get(msg));
}

struct outcome {
	struct json_object	*msgs;
	unsigned		 garbage;
	int			 rc;
};

static void
run(const uint8_t *data, size_t len, const uint8_t *cuts, size_t ncuts,
    struct outcome *o)
{
	struct qmp_parser *p = qmp_parser_new(FUZZ_MAX_MESSAGE);
	size_t off = 0, n, i = 0;
	qt_error err;

	o->msgs = json_object_new_array();
	o->rc = 0;
	while (off < len && o->rc == 0) {
		n = ncuts == 0 ? len - off : (size_t)cuts[i++ % ncuts] + 1;
		if (n > len - off)
			n = len - off;
		o->rc = qmp_parser_feed(p, (const char *)data + off, n, collect,
		    o->msgs, &err);
		off += n;
	}
	/*
	 * End the line: json-c checks number syntax only within one call, so
	 * a broken number split across reads is reported at its terminator
	 * instead; that terminator is at most this '\n', so resync agrees.
	 */
	if (o->rc == 0)
		o->rc = qmp_parser_feed(p, "\n", 1, collect, o->msgs, &err);
	o->garbage = qmp_parser_garbage(p);
	qmp_parser_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, cut;
	size_t ncuts;

	if (size < 1)
		return 0;
	/* first byte: how many of the following bytes are cut sizes */
	ncuts = data[0] % 16;
	if (ncuts + 1 > size)
		ncuts = size - 1;
	run(data + 1 + ncuts, size - 1 - ncuts, NULL, 0, &whole);
	run(data + 1 + ncuts, size - 1 - ncuts, data + 1, ncuts, &cut);
	/*
	 * json_object_equal compares doubles with ==, so a NaN (json-c takes
	 * "NaN" outside strict mode) is never equal to itself: compare the
	 * text too.
	 */
	if (whole.rc != cut.rc || whole.garbage != cut.garbage ||
	    (!json_object_equal(whole.msgs, cut.msgs) &&
	    strcmp(json_object_to_json_string(whole.msgs),
	    json_object_to_json_string(cut.msgs)) != 0)) {
		fprintf(stderr, "whole: rc %d garbage %u %s\n", whole.rc,
		    whole.garbage, json_object_to_json_string(whole.msgs));
		fprintf(stderr, "cut:   rc %d garbage %u %s\n", cut.rc,
		    cut.garbage, json_object_to_json_string(cut.msgs));
		abort();
	}
	json_object_put(whole.msgs);
	json_object_put(cut.msgs);
	return 0;
}
