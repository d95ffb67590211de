/*
 * buf.c - tc_buf, see buf.h for the invariants.
 */
#include "buf.h"

#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_buf_init(tc_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->err = false;
}

void tc_buf_release(tc_buf *b)
{
	free(b->ptr);
	tc_buf_init(b, b->max);
}

void tc_buf_reset(tc_buf *b)
{
	b->len = 0;
	b->err = false;
	if (b->ptr)
		b->ptr[0] = 0;
}

bool tc_buf_grow(tc_buf *b, size_t n)
{
	if (b->err)
		return false;
	if (n > b->max - b->len) {
		b->err = true;
		return false;
	}
	size_t need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		b->ptr = tc_xrealloc(b->ptr, cap);
		b->cap = cap;
	}
	return true;
}

void tc_buf_append(tc_buf *b, const void *p, size_t n)
{
	if (!tc_buf_grow(b, n))
		return;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = 0;
}

void tc_buf_addf(tc_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		tc_buf_add(b, small, (size_t)n);
		return;
	}
	if (!tc_buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *tc_buf_detach(tc_buf *b, size_t *len)
{
	char *p = b->ptr ? b->ptr : tc_xcalloc(1, 1);
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->err = false;
	return p;
}

const char *tc_buf_str(const tc_buf *b)
{
	return b->ptr ? b->ptr : "";
}
