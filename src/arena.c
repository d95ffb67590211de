/*
 * arena.c - checked malloc wrappers and the bump allocator.
 *
 * Blocks are chained newest first. A request larger than a quarter of the
 * block size gets a block of its own, so big strings do not waste the rest
 * of a normal block. In debug mode (TC_ARENA_DEBUG) each allocation is a
 * separate block of exactly the requested size.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE ((size_t)64 * 1024)
#define ALIGN 16

struct tc_arena_block {
	tc_arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

_Noreturn void tc_oom(void)
{
	fputs("tenantc: out of memory\n", stderr);
	exit(3);
}

void *tc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		tc_oom();
	return p;
}

void *tc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		tc_oom();
	return p;
}

void *tc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		tc_oom();
	return q;
}

void *tc_grow_to(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	if (n > (size_t)-1 / size)
		tc_oom();
	*cap = n;
	return tc_xrealloc(p, n * size);
}

char *tc_xstrdup(const char *s)
{
	return tc_xmemdup0(s, strlen(s));
}

char *tc_xmemdup0(const void *p, size_t n)
{
	char *q = tc_xmalloc(n + 1);
	if (n)
		memcpy(q, p, n);
	q[n] = 0;
	return q;
}

void tc_arena_init(tc_arena *a)
{
	a->head = NULL;
	a->used = 0;
}

void tc_arena_release(tc_arena *a)
{
	tc_arena_block *b = a->head;
	while (b) {
		tc_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

void tc_arena_reset(tc_arena *a)
{
#ifdef TC_ARENA_DEBUG
	tc_arena_release(a);
#else
	tc_arena_block *keep = NULL, *b = a->head;
	while (b) {
		tc_arena_block *next = b->next;
		if (!keep && b->size == BLOCK_SIZE) {
			keep = b;
		} else {
			free(b);
		}
		b = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->used = 0;
#endif
}

static tc_arena_block *newblock(size_t size)
{
	if (size > SIZE_MAX - sizeof(tc_arena_block))
		tc_oom();
	tc_arena_block *b = tc_xmalloc(sizeof(tc_arena_block) + size);
	b->size = size;
	b->used = 0;
	b->next = NULL;
	return b;
}

void *tc_arena_alloc(tc_arena *a, size_t n)
{
	a->used += n;
#ifdef TC_ARENA_DEBUG
	tc_arena_block *d = newblock(n ? n : 1);
	d->next = a->head;
	a->head = d;
	return d->data;
#else
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < n)
		tc_oom();
	tc_arena_block *b = a->head;
	if (b && b->size - b->used >= need) {
		void *p = b->data + b->used;
		b->used += need;
		return p;
	}
	if (need > BLOCK_SIZE / 4) {
		/* big allocation: own block, linked behind the current one */
		tc_arena_block *big = newblock(need);
		big->used = need;
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			a->head = big;
		}
		return big->data;
	}
	b = newblock(BLOCK_SIZE);
	b->next = a->head;
	a->head = b;
	b->used = need;
	return b->data;
#endif
}

void *tc_arena_calloc(tc_arena *a, size_t n)
{
	void *p = tc_arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *tc_arena_memdup0(tc_arena *a, const void *p, size_t n)
{
	char *q = tc_arena_alloc(a, n + 1);
	if (n)
		memcpy(q, p, n);
	q[n] = 0;
	return q;
}

char *tc_arena_strdup(tc_arena *a, const char *s)
{
	return tc_arena_memdup0(a, s, strlen(s));
}

char *tc_arena_printf(tc_arena *a, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return tc_arena_memdup0(a, "", 0);
	if ((size_t)n < sizeof small)
		return tc_arena_memdup0(a, small, (size_t)n);
	char *p = tc_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
