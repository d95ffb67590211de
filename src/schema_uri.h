/*
 * schema_uri.h - the URI arithmetic JSON Schema identifiers need.
 *
 * RFC 3986 reference resolution ($id and $ref against a base URI), the
 * split at '#', percent-decoding of fragments, and the mapping between
 * file paths and file: URIs. Every string returned lives in the arena
 * passed in. Nothing here touches the network or the file system except
 * tc_uri_from_path, which reads the working directory for relative paths.
 */
#ifndef TC_SCHEMA_URI_H
#define TC_SCHEMA_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Resolve `ref` against the absolute URI `base` (RFC 3986 section 5.2).
 * base may be NULL or "" when ref is absolute. Returns the result in a. */
char *tc_uri_resolve(tc_arena *a, const char *base, const char *ref);

/* True when s starts with a scheme ("http:", "urn:", "file:"). */
bool tc_uri_is_absolute(const char *s);

/* The part before '#' (a copy in a) and, in *frag, the part after it
 * (NULL when there is no '#'). An empty fragment counts as none. */
char *tc_uri_strip_fragment(tc_arena *a, const char *uri, const char **frag);

/* Percent-decode s (a fragment). Returns NULL when an escape is malformed. */
char *tc_uri_unescape(tc_arena *a, const char *s, size_t *len);

/* "file://" + the absolute, dot-free form of path (relative paths are
 * taken from the working directory). Characters outside the unreserved
 * set and '/' are percent-encoded. */
char *tc_uri_from_path(tc_arena *a, const char *path);

/* The file path of a file: URI, or NULL when uri is not one. */
char *tc_uri_to_path(tc_arena *a, const char *uri);

#endif
