/*
 * arena.h - process-wide allocation helpers and the per-job bump allocator.
 *
 * tc_xmalloc and friends never return NULL: on exhaustion they print
 * "tenantc: out of memory" and exit with status 3 (the only exit below main
 * besides TC_BUG). Output is written to a temporary tree and swapped in at
 * the end, so an exit here never leaves a partial rendered tree.
 *
 * A tc_arena hands out memory that lives until tc_arena_reset or
 * tc_arena_release. Nothing is freed one piece at a time, so error paths
 * just return. Allocations are aligned to 16 bytes. Built with
 * -Darena_debug=true every allocation is its own malloc so that
 * AddressSanitizer sees overruns.
 */
#ifndef TC_ARENA_H
#define TC_ARENA_H

#include <stddef.h>

void *tc_xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *tc_xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
void *tc_xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *tc_xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *tc_xmemdup0(const void *p, size_t n) __attribute__((malloc, returns_nonnull));
_Noreturn void tc_oom(void);

/*
 * Grow a malloc'd array so that it holds at least `need` elements: TC_GROW(items, cap, len + 1).
 * `cap` is a size_t lvalue; the capacity doubles (from 8) until it covers `need`. The check
 * is inline; the reallocation is tc_grow_to in arena.c.
 */
void *tc_grow_to(void *p, size_t *cap, size_t need, size_t size) __attribute__((returns_nonnull));
static inline void *tc_grow(void *p, size_t *cap, size_t need, size_t size)
{
	return need > *cap ? tc_grow_to(p, cap, need, size) : p;
}
#define TC_GROW(ptr, cap, need) ((ptr) = tc_grow((ptr), &(cap), (need), sizeof(*(ptr))))

typedef struct tc_arena_block tc_arena_block;
typedef struct tc_arena {
	tc_arena_block *head; /* current block, newest first */
	size_t used;          /* bytes handed out, for statistics and limits */
} tc_arena;

void tc_arena_init(tc_arena *a);
/* Free every block. The arena may be reused after tc_arena_init. */
void tc_arena_release(tc_arena *a);
/* Forget all allocations but keep one block for reuse. */
void tc_arena_reset(tc_arena *a);
/* Uninitialised memory, 16-byte aligned; n may be 0. Never NULL. */
void *tc_arena_alloc(tc_arena *a, size_t n) __attribute__((returns_nonnull));
void *tc_arena_calloc(tc_arena *a, size_t n) __attribute__((returns_nonnull));
/* Copy of p[0..n) followed by a NUL byte. */
char *tc_arena_memdup0(tc_arena *a, const void *p, size_t n) __attribute__((returns_nonnull));
char *tc_arena_strdup(tc_arena *a, const char *s) __attribute__((returns_nonnull));
char *tc_arena_printf(tc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
