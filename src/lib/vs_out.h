/* SPDX-License-Identifier: GPL-2.0-only */
/* Output: a streaming JSON writer and human-readable number formatting. */
#ifndef VS_OUT_H
#define VS_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vs_clock.h"

#define VS_JSON_MAX_DEPTH 32

/*
 * Writes one JSON document, member by member. Inside an object every call
 * takes a key; inside an array (or at top level) key must be NULL.
 * Misuse (too deep, end without begin) sets .error and writes nothing more.
 */
struct vs_json {
	FILE *f;
	int depth;
	bool pretty;
	bool error;
	bool first[VS_JSON_MAX_DEPTH];
	bool is_array[VS_JSON_MAX_DEPTH];
};

void vs_json_init(struct vs_json *j, FILE *f, bool pretty);
void vs_json_obj_begin(struct vs_json *j, const char *key);
void vs_json_obj_end(struct vs_json *j);
void vs_json_arr_begin(struct vs_json *j, const char *key);
void vs_json_arr_end(struct vs_json *j);
void vs_json_str(struct vs_json *j, const char *key, const char *val);
void vs_json_u64(struct vs_json *j, const char *key, uint64_t val);
void vs_json_i64(struct vs_json *j, const char *key, int64_t val);
/* Non-finite values are written as null. */
void vs_json_double(struct vs_json *j, const char *key, double val);
void vs_json_bool(struct vs_json *j, const char *key, bool val);
void vs_json_null(struct vs_json *j, const char *key);
/* Ends the document with a newline; returns -1 if it was malformed. */
int vs_json_finish(struct vs_json *j);

/*
 * One iperf3-style interval line, "[ID] A-B sec  TRANSFER  RATE Gbits/s  DIR",
 * under the header VS_INTERVAL_HEADER.
 */
#define VS_INTERVAL_HEADER "[ ID] Interval          Transfer       Bitrate          Dir\n"
void vs_interval_line(FILE *f, const char *id, double a, double b, uint64_t bytes,
		      const char *dir);

/* "PREFIXcpu: user U sec, sys S sec, N usec/MB" for CPU time c over bytes moved. */
void vs_print_cpu(FILE *f, const char *prefix, const struct vs_cpu *c, uint64_t bytes);
/* {"user_sec", "sys_sec", "usec_per_mb"} under key. */
void vs_json_cpu(struct vs_json *j, const char *key, const struct vs_cpu *c, uint64_t bytes);

/* "1.50 GiB", "512 B": binary units, for people. */
char *vs_fmt_bytes(char *buf, size_t len, uint64_t bytes);

#endif
