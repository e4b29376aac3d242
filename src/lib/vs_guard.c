// SPDX-License-Identifier: GPL-2.0-only
#include "vs_guard.h"
#include "vs_sock.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool vs_loopback_loaded(void)
{
	char line[512];
	bool found = false;
	FILE *f;

	if (access("/sys/module/vsock_loopback", F_OK) == 0)
		return true;
	/* Built in without a sysfs entry: its symbols are still listed. */
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " vsock_loopback_") != NULL;
	fclose(f);
	return found;
}

int vs_guard_peer_cid(uint32_t cid, char *why, size_t len)
{
	uint32_t local = VMADDR_CID_ANY;
	bool own;

	vs_local_cid(&local);
	own = cid == VMADDR_CID_LOCAL || (local != VMADDR_CID_ANY && cid == local);
	if (!own || vs_loopback_loaded())
		return 0;
	snprintf(why, len,
		 "refusing to connect to CID %u: the vsock_loopback transport is not "
		 "loaded, so the kernel would send this connection to the hypervisor "
		 "(local CID %d); load it with 'modprobe vsock_loopback'",
		 cid, local == VMADDR_CID_ANY ? -1 : (int)local);
	return -1;
}

bool vs_has_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	if (!n)
		return false;
	for (const char *p = line; (p = strstr(p, word)); p += n) {
		bool start = p == line || p[-1] == ' ' || p[-1] == '\t';
		char end = p[n];

		if (start && (end == '\0' || end == ' ' || end == '\t' || end == '\n'))
			return true;
	}
	return false;
}

bool vs_in_testvm(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "re");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return vs_has_word(line, VS_TESTVM_MARKER);
}
