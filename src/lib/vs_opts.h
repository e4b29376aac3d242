/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line values: sizes with K/M/G suffixes, bounded integers,
 * durations, CIDs; and the two ways a tool gives up (usage error, exit 2;
 * runtime failure, exit 1), each with a one-line message.
 */
#ifndef VS_OPTS_H
#define VS_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <getopt.h>

/* Exit status for bad command-line input. */
#define VS_EXIT_USAGE 2

/*
 * Parsers return 0 and store the value, or -1 and point *why at a static
 * description ("unknown suffix", "out of range", ...).
 */
int vs_parse_size(const char *s, uint64_t *out, const char **why);
int vs_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		  const char **why);
/* Seconds as a decimal number, optionally ending in "s" or "ms". */
int vs_parse_seconds(const char *s, double *out, const char **why);
/* A CID: a number, or one of the names any(-1), hypervisor(0), local(1), host(2). */
int vs_parse_cid(const char *s, uint32_t *out, const char **why);

/* The program name used in messages (set once from argv[0]). */
void vs_set_prog(const char *argv0);
const char *vs_prog(void);

/* "prog: MSG (try 'prog --help')" on stderr, exit 2. */
__attribute__((noreturn, format(printf, 1, 2)))
void vs_usage_error(const char *fmt, ...);
/* "prog: MSG" on stderr, exit 1. */
__attribute__((noreturn, format(printf, 1, 2)))
void vs_die(const char *fmt, ...);
/* "prog: warning: MSG" on stderr. */
__attribute__((format(printf, 1, 2)))
void vs_warn(const char *fmt, ...);

/*
 * Option helpers for a tool's main(): parse OPT's ARG or exit 2 naming the
 * option, the value and the problem.
 */
uint64_t vs_opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max);
uint64_t vs_opt_uint(const char *opt, const char *arg, uint64_t min, uint64_t max);
double vs_opt_seconds(const char *opt, const char *arg, double min, double max);
/* Milliseconds: a plain decimal number, or one ending in "ms" or "s". */
double vs_opt_ms(const char *opt, const char *arg, double min, double max);
uint32_t vs_opt_cid(const char *opt, const char *arg);
/*
 * getopt_long() (opterr = 0, optstring starting with ':') returned ':' (a
 * missing value) or '?' (an unknown option): exit 2 naming the option.
 */
__attribute__((noreturn))
void vs_opt_bad(int opt, char **argv);
/* "--NAME" of the option whose val is val in opts, for messages ("?" if none). */
const char *vs_opt_name(const struct option *opts, int val);

#endif
