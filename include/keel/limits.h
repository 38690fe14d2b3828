/* Keel's build-time limits, one home each. */
#ifndef KEEL_LIMITS_H
#define KEEL_LIMITS_H

/* Physical CPUs Keel runs on (per-CPU tables; CPU masks are a u64). */
#define MAX_CPUS 64

#endif
