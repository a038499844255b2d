/*
 * Preloaded by tests/plan/run into the tool under test: sysinfo(2) reports
 * the RAM of the host a case was recorded on ($PHOENIX_PLAN_RAM, bytes), not
 * this machine's. The ARC check (`arc_max_gb ... is more than half of this
 * host's memory`) reads the RAM with sysinfo, the one host fact outside
 * --root that a recorded case could not otherwise hold still.
 * Built by the driver: cc -shared -fPIC -o sysinfo-ram.so sysinfo-ram.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/sysinfo.h>

int sysinfo(struct sysinfo *info)
{
	int (*real)(struct sysinfo *) = (int (*)(struct sysinfo *))dlsym(RTLD_NEXT, "sysinfo");
	int rc = real ? real(info) : -1;
	const char *ram = getenv("PHOENIX_PLAN_RAM");
	if (rc == 0 && ram && *ram) {
		info->totalram = strtoul(ram, NULL, 10);
		info->mem_unit = 1;
	}
	return rc;
}
