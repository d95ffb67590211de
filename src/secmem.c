/*
 * secmem.c - sodium_malloc-backed bump allocator and buffer for secrets.
 *
 * sodium_malloc maps at least three pages per call (a guard page on each
 * side), so small requests are carved out of 16 KiB blocks; a request over
 * a quarter of that gets a block of its own. sodium_malloc places the user
 * pointer so that the allocation ends at the guard page; block sizes are
 * rounded to 16 bytes, so the pointers it returns are 16-byte aligned.
 * sodium_free zeroes the block before unmapping it, which is the wipe.
 */
#include "secmem.h"

#include "arena.h"
#include "diag.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define BLOCK_SIZE ((size_t)16 * 1024)
#define ALIGN ((size_t)16)

struct tc_secblock {
	tc_secblock *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

static size_t round16(size_t n)
{
	size_t r = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (r < n)
		tc_oom();
	return r;
}

static void *secalloc(size_t n)
{
	void *p = sodium_malloc(round16(n ? n : 1));
	if (!p)
		tc_oom();
	return p;
}

void tc_secmem_init(tc_secmem *m)
{
	if (sodium_init() < 0)
		TC_BUG("libsodium cannot be initialised");
	m->head = NULL;
	m->used = 0;
}

void tc_secmem_release(tc_secmem *m)
{
	tc_secblock *b = m->head;
	while (b) {
		tc_secblock *next = b->next;
		sodium_free(b);
		b = next;
	}
	m->head = NULL;
	m->used = 0;
}

static tc_secblock *newblock(size_t size)
{
	if (size > SIZE_MAX / 2)
		tc_oom();
	tc_secblock *b = secalloc(sizeof(tc_secblock) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

void *tc_secmem_alloc(tc_secmem *m, size_t n)
{
	size_t need = round16(n ? n : 1);
	m->used += n;
	tc_secblock *b = m->head;
	unsigned char *p;
	if (b && b->size - b->used >= need) {
		p = b->data + b->used;
		b->used += need;
	} else if (need > BLOCK_SIZE / 4) {
		tc_secblock *big = newblock(need);
		big->used = need;
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			m->head = big;
		}
		p = big->data;
	} else {
		b = newblock(BLOCK_SIZE);
		b->next = m->head;
		m->head = b;
		b->used = need;
		p = b->data;
	}
	memset(p, 0, need);
	return p;
}

char *tc_secmem_memdup0(tc_secmem *m, const void *p, size_t n)
{
	if (n == SIZE_MAX)
		tc_oom();
	char *q = tc_secmem_alloc(m, n + 1);
	if (n)
		memcpy(q, p, n);
	q[n] = 0;
	return q;
}

void tc_secbuf_init(tc_secbuf *b, size_t max)
{
	if (sodium_init() < 0)
		TC_BUG("libsodium cannot be initialised");
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->err = false;
}

void tc_secbuf_release(tc_secbuf *b)
{
	if (b->ptr)
		sodium_free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->err = false;
}

void tc_secbuf_reset(tc_secbuf *b)
{
	if (b->ptr)
		sodium_memzero(b->ptr, b->cap);
	b->len = 0;
	b->err = false;
}

bool tc_secbuf_grow(tc_secbuf *b, size_t n)
{
	if (b->err)
		return false;
	if (n > b->max - b->len || b->len + n == SIZE_MAX) {
		b->err = true;
		return false;
	}
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = secalloc(cap);
	if (b->ptr) {
		memcpy(p, b->ptr, b->len + 1);
		sodium_free(b->ptr);
	}
	b->ptr = p;
	b->cap = round16(cap);
	return true;
}

void tc_secbuf_add(tc_secbuf *b, const void *p, size_t n)
{
	if (!tc_secbuf_grow(b, n))
		return;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = 0;
}

void tc_secbuf_adds(tc_secbuf *b, const char *s)
{
	tc_secbuf_add(b, s, strlen(s));
}

void tc_secbuf_addc(tc_secbuf *b, char c)
{
	tc_secbuf_add(b, &c, 1);
}

const char *tc_secbuf_str(const tc_secbuf *b)
{
	return b->ptr ? b->ptr : "";
}
