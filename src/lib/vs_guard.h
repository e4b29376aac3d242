/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM guard. Without the vsock_loopback transport the kernel routes
 * CID 1 (and the machine's own CID) to the G2H transport, that is to the
 * hypervisor: such a connect() leaves the machine and hangs. Tools check
 * a peer CID here before they create any socket.
 */
#ifndef VS_GUARD_H
#define VS_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel command-line word that marks the project's test VM. */
#define VS_TESTVM_MARKER "vsockscope.testvm=1"

/* Is the vsock_loopback transport loaded (as a module or built in)? */
bool vs_loopback_loaded(void);

/*
 * 0 when connecting to cid is routed where the user means it; -1 with a
 * one-line reason in why when it would reach the hypervisor instead.
 */
int vs_guard_peer_cid(uint32_t cid, char *why, size_t len);

/* Does the kernel command line carry VS_TESTVM_MARKER? */
bool vs_in_testvm(void);

/* Is word a whitespace-separated word of line? (exposed for tests) */
bool vs_has_word(const char *line, const char *word);

#endif
