/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading JSON: a validator and path lookups over a document held in
 * memory, for tools that consume other tools' --json output (vsock_sweep
 * reads vsock_perf's) and for the shell tests' vs_jsonget. No tree is
 * built: a value is a pointer to its first character in the document.
 * Paths walk objects by key and arrays by index: "end.streams.0.bytes".
 */
#ifndef VS_JSONR_H
#define VS_JSONR_H

#include <stddef.h>

/*
 * Is doc (n bytes, NUL-terminated) exactly one well-formed JSON document
 * (blanks around it allowed)? 0, or -1 with the byte offset and the problem.
 */
int vs_jsonr_check(const char *doc, size_t n, size_t *err_off, const char **why);

/* The value at path below the value v of a checked document, or NULL (also for a NULL v). "" is v. */
const char *vs_jsonr_at(const char *v, const char *path);
/* Element i of the array (or the value of member i of the object) v, or NULL. */
const char *vs_jsonr_elem(const char *v, long i);
/* One past the end of the value v. */
const char *vs_jsonr_end(const char *v);
/* Members of the object, or elements of the array, v; -1 if v is neither. */
long vs_jsonr_len(const char *v);

/* The number at path: 0, or -1 when absent, null or not a number. */
int vs_jsonr_num(const char *v, const char *path, double *out);
/*
 * The string at path, as written between its quotes (escapes are left as
 * they are): 0, or -1 when absent, not a string, or longer than cap - 1.
 */
int vs_jsonr_str(const char *v, const char *path, char *buf, size_t cap);

#endif
