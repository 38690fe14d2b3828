/* Host-test shims for core hypervisor services (log, panic, locks, clock, CPUs, guest memory). */
#ifndef TESTS_UNIT_SHIM_CORE_H
#define TESTS_UNIT_SHIM_CORE_H

#include <keel/limits.h>
#include <keel/types.h>

/* shim_core.c: printk is recorded, panic fails the test (catch it with expect_assert_failure). */
extern unsigned int shim_core_log_count[8];
extern unsigned long shim_core_panics;
void shim_core_reset_log(void);
/* True if @text occurs in a message logged since the last reset. */
bool shim_core_log_contains(const char *text);

/*
 * shim_core_timer.c: a settable clock (udelay advances it) and CPU (per thread), recorded
 * softirqs and hardware programming.
 */
#define SHIM_CORE_MAX_PROGS 256
extern u64 shim_core_now;
extern _Thread_local unsigned int shim_core_cpu;
extern unsigned int shim_core_softirq_local[MAX_CPUS][2];
extern unsigned int shim_core_softirq_remote[MAX_CPUS][2];
extern u64 shim_core_progs[SHIM_CORE_MAX_PROGS];
extern unsigned int shim_core_nr_progs;
void shim_core_timer_reset(void);
/* The last value given to arch_timer_program (fails the test if there was none). */
u64 shim_core_last_prog(void);

/* shim_core_evtchn.c: recorded kicks, a flat fake guest memory for copy_{from,to}_guest. */
struct vcpu;
#define SHIM_CORE_KICKS_MAX 64
extern struct vcpu *shim_core_kicks[SHIM_CORE_KICKS_MAX];
extern unsigned int shim_core_nr_kicks;
#define SHIM_CORE_GUEST_BASE 0x10000ULL
#define SHIM_CORE_GUEST_SIZE 0x2000ULL
extern u8 shim_core_guest_mem[SHIM_CORE_GUEST_SIZE];
void shim_core_evtchn_reset(void);
/* domain_own_page() answers for gfns [shim_core_own_gfn, + shim_core_own_pages) from this memory. */
extern u8 *shim_core_own_mem;
extern u64 shim_core_own_gfn;
extern unsigned int shim_core_own_pages;

/* shim_core_guest.c: guest control registers, a fake guest RAM and an EPT with permissions. */
#define SHIM_GRAM_SIZE (16ULL << 20) /* guest RAM at GPA 0 */
extern u8 *shim_gram;
extern u64 shim_guest_cr0, shim_guest_cr3, shim_guest_cr4, shim_guest_efer;
extern u64 shim_guest_rflags, shim_guest_rip, shim_guest_rsp;
extern unsigned int shim_guest_cpl;
/* What the fake CPUID says (reset: 46 bits, 1 GiB pages offered). */
extern unsigned int shim_guest_paddr_bits;
extern bool shim_guest_page_1g;
/* ES, CS, SS, DS, FS, GS (reset: flat data, 64-bit code); the vendor ops that read all this. */
struct segment;
extern struct segment *const shim_guest_segs;
struct hvm_vendor_ops;
extern const struct hvm_vendor_ops shim_guest_ops;
/* GPA pages (4K index) the fake EPT maps read-only or not at all. */
extern u8 shim_ept_perm[SHIM_GRAM_SIZE >> 12]; /* 0 = RW, 1 = RO, 2 = absent */
void shim_guest_reset(void);
/* Host-physical addresses given by arch_gpa_to_hpa are this offset + GPA. */
#define SHIM_GRAM_HPA_BASE 0x100000000ULL

#endif
