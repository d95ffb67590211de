/*
 * secmem.h - memory for key material and decrypted plaintext.
 *
 * A tc_secmem is a bump allocator like tc_arena, but its blocks come from
 * libsodium's sodium_malloc: each block sits between guard pages, is locked
 * in RAM where the system allows it, and is zeroed by sodium_free when the
 * allocator is released. Identities, data keys, seeds and every decrypted
 * secret value live here and nowhere else. Nothing is freed one piece at a
 * time; the owner (a render job, a command) releases the whole allocator
 * when it is done, which wipes everything at once.
 *
 * tc_secbuf is the growable byte buffer of the same kind, for whole
 * plaintext documents (an emitted Secret, a file read back from $EDITOR).
 * Growing copies into a new block and frees, and so zeroes, the old one.
 * Like tc_buf it has a size cap and a sticky error flag, and ptr[len] == 0
 * after the first append.
 *
 * Out of memory ends the process through tc_oom (exit 3), as tc_xmalloc
 * does. Both types are used by one thread at a time.
 */
#ifndef TC_SECMEM_H
#define TC_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tc_secblock tc_secblock;
typedef struct tc_secmem {
	tc_secblock *head; /* newest first */
	size_t used;       /* bytes handed out */
} tc_secmem;

/* Also initialises libsodium (idempotent and thread-safe). */
void tc_secmem_init(tc_secmem *m);
/* Zero and unmap every block; the allocator may be used again afterwards. */
void tc_secmem_release(tc_secmem *m);
/* Zero-filled, 16-byte aligned memory that lives until release. Never NULL. */
void *tc_secmem_alloc(tc_secmem *m, size_t n) __attribute__((returns_nonnull));
/* Copy of p[0..n) followed by a NUL byte. */
char *tc_secmem_memdup0(tc_secmem *m, const void *p, size_t n) __attribute__((returns_nonnull));

typedef struct tc_secbuf {
	char *ptr;
	size_t len, cap, max;
	bool err;
} tc_secbuf;

void tc_secbuf_init(tc_secbuf *b, size_t max);
/* Zero and free the memory; the buffer is empty and usable again. */
void tc_secbuf_release(tc_secbuf *b);
void tc_secbuf_add(tc_secbuf *b, const void *p, size_t n);
void tc_secbuf_adds(tc_secbuf *b, const char *s);
void tc_secbuf_addc(tc_secbuf *b, char c);
/* Make room for n more bytes without changing len; false (and err set)
 * past max. The caller writes at ptr + len and then updates len and the
 * terminating NUL. */
bool tc_secbuf_grow(tc_secbuf *b, size_t n);
/* Zero the contents and set len to 0 (memory and cap are kept). */
void tc_secbuf_reset(tc_secbuf *b);
static inline bool tc_secbuf_failed(const tc_secbuf *b)
{
	return b->err;
}
/* Contents as a C string (never NULL). */
const char *tc_secbuf_str(const tc_secbuf *b);

#endif
