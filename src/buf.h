/*
 * buf.h - growable byte buffer with a size cap and a sticky error flag.
 *
 * Invariants:
 *  - ptr is NULL until the first append; afterwards ptr[len] == 0 always,
 *    so the contents can be used as a C string when they hold no NUL.
 *  - len never exceeds max. An append that would pass max appends nothing
 *    and sets err; every later append is ignored. Check tc_buf_failed once
 *    at the end instead of after every call (like SQLite's JsonString).
 *  - The memory is malloc'd and owned by the buffer until tc_buf_detach.
 */
#ifndef TC_BUF_H
#define TC_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct tc_buf {
	char *ptr;
	size_t len, cap, max;
	bool err;
} tc_buf;

#define TC_BUF_UNLIMITED ((size_t)-1 / 2)

void tc_buf_init(tc_buf *b, size_t max);
void tc_buf_release(tc_buf *b);
void tc_buf_reset(tc_buf *b); /* len = 0, err cleared, memory kept */
/* The append with every check; tc_buf_add below takes it only when the
 * bytes do not fit the memory already held. */
void tc_buf_append(tc_buf *b, const void *p, size_t n);
void tc_buf_addf(tc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ensure room for n more bytes (returns false and sets err past max). */
bool tc_buf_grow(tc_buf *b, size_t n);
static inline bool tc_buf_failed(const tc_buf *b)
{
	return b->err;
}
/* Appends are inline: a writer such as yaml_emit.c makes one per token,
 * and most fit the memory the buffer already has. */
static inline void tc_buf_add(tc_buf *b, const void *p, size_t n)
{
	if (n < b->cap - b->len && n <= b->max - b->len && !b->err) {
		if (n)
			memcpy(b->ptr + b->len, p, n);
		b->len += n;
		b->ptr[b->len] = 0;
		return;
	}
	tc_buf_append(b, p, n);
}
static inline void tc_buf_adds(tc_buf *b, const char *s)
{
	tc_buf_add(b, s, strlen(s));
}
static inline void tc_buf_addc(tc_buf *b, char c)
{
	tc_buf_add(b, &c, 1);
}
/* Hand the bytes to the caller (malloc'd, NUL-terminated, never NULL);
 * the buffer is left empty. */
char *tc_buf_detach(tc_buf *b, size_t *len);
/* Contents as a C string (never NULL; "" when empty). */
const char *tc_buf_str(const tc_buf *b);

#endif
