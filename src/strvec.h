/* A growable NULL-terminated vector of owned strings (argv builder). */
#ifndef QT_STRVEC_H
#define QT_STRVEC_H

#include <stddef.h>

struct strvec {
	char **v;	/* always NULL-terminated once anything was pushed */
	size_t n;
	size_t cap;
};

#define STRVEC_INIT { NULL, 0, 0 }

void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Takes ownership of s. */
void strvec_push_owned(struct strvec *sv, char *s);
void strvec_free(struct strvec *sv);

#endif
