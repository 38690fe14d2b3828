/* Guest library: boot flow, the RESULT line protocol and domain shutdown. */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <stdint.h>

#include <public/start_info.h>

/* Defined by each test guest. */
extern const char guest_name[];
void guest_main(void);

/* Start info (NULL if EBX did not point at a valid one) and its command line ("" if none). */
extern const struct pvh_start_info *boot_info;
extern const char *boot_cmdline;

/* Print exactly one `RESULT: ...` line, then power the domain off. Never return. */
__attribute__((noreturn)) void test_pass(void);
__attribute__((noreturn, format(printf, 1, 2))) void test_fail(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void test_skip(const char *fmt, ...);

/* SCHEDOP_shutdown(reason); without a hypervisor, write status to isa-debug-exit 0xf4. Then
 * halt with IF = 0. */
__attribute__((noreturn)) void guest_shutdown(unsigned int reason, uint32_t status);

/* HVMOP_get_param(DOMID_SELF, @index); FAIL if the hypervisor refuses. */
uint64_t test_get_hvm_param(uint32_t index);

/* SKIP unless a hypervisor was found. */
void test_require_hv(void);

/* Check helper: on failure FAIL with the stringified condition and location. */
#define TEST_CHECK(cond, ...)                   \
	do {                                    \
		if (!(cond))                    \
			test_fail(__VA_ARGS__); \
	} while (0)

/* Exit statuses written to port 0xf4 (QEMU exits with status * 2 + 1). */
#define GUEST_EXIT_PASS 0
#define GUEST_EXIT_FAIL 1
#define GUEST_EXIT_SKIP 2

/* Called from entry.S. */
void guest_boot(uint32_t start_info_gpa);
void guest_ap_boot(void);
/* What an AP started through pvh_ap_entry32 runs after long mode and the IDT are set up. */
extern void (*volatile guest_ap_main)(void);
/* 32-bit AP entry point in entry.S. */
extern const char pvh_ap_entry32[];

#endif
