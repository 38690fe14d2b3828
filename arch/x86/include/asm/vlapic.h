/* The virtual local APIC of each vCPU: its state and what the run loop, exits and MSRs call. */
#ifndef ASM_VLAPIC_H
#define ASM_VLAPIC_H

#include <keel/spinlock.h>
#include <keel/timer.h>
#include <keel/types.h>

struct vcpu;
struct domain;

/* Register offsets in the xAPIC page (x2APIC MSR = 0x800 + offset / 16). */
#define APIC_ID		 0x020
#define APIC_VERSION	 0x030
#define APIC_TPR	 0x080
#define APIC_APR	 0x090
#define APIC_PPR	 0x0a0
#define APIC_EOI	 0x0b0
#define APIC_RRD	 0x0c0
#define APIC_LDR	 0x0d0
#define APIC_DFR	 0x0e0
#define APIC_SVR	 0x0f0
#define APIC_ISR	 0x100
#define APIC_TMR	 0x180
#define APIC_IRR	 0x200
#define APIC_ESR	 0x280
#define APIC_LVT_CMCI	 0x2f0
#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define APIC_LVT_TIMER	 0x320
#define APIC_LVT_THERM	 0x330
#define APIC_LVT_PMC	 0x340
#define APIC_LVT_LINT0	 0x350
#define APIC_LVT_LINT1	 0x360
#define APIC_LVT_ERROR	 0x370
#define APIC_TMICT	 0x380 /* timer initial count */
#define APIC_TMCCT	 0x390 /* timer current count */
#define APIC_TDCR	 0x3e0 /* timer divide configuration */
#define APIC_SELF_IPI	 0x3f0 /* x2APIC only */
#define APIC_PAGE_SIZE	 0x1000
#define APIC_MMIO_BASE	 0xfee00000ULL
#define APIC_X2APIC_MSR	 0x800
#define MSR_TSC_DEADLINE 0x6e0

/* Version 0x14, seven LVT entries (max LVT index 6), no EOI-broadcast suppression. */
#define VLAPIC_VERSION 0x00060014u

/* IA32_APIC_BASE bits. */
#define APIC_BASE_BSP  (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN   (1ULL << 11)

#define APIC_SVR_ENABLE	      (1u << 8)
#define APIC_LVT_MASKED	      (1u << 16)
#define APIC_TIMER_MODE_SHIFT 17
#define APIC_TIMER_ONESHOT    0u
#define APIC_TIMER_PERIODIC   1u
#define APIC_TIMER_TSC_DL     2u

/* ESR bits. */
#define APIC_ESR_SEND_ILLEGAL (1u << 5)
#define APIC_ESR_RECV_ILLEGAL (1u << 6)
#define APIC_ESR_ILLEGAL_REG  (1u << 7)

/* The LVT entries by index: CMCI, timer, thermal, PMC, LINT0, LINT1, error. */
enum vlapic_lvt {
	LVT_CMCI,
	LVT_TIMER,
	LVT_THERMAL,
	LVT_PMC,
	LVT_LINT0,
	LVT_LINT1,
	LVT_ERROR,
	VLAPIC_NR_LVT
};

/*
 * The timer counts at a fixed 1 GHz "bus" divided by the divide configuration: one count per
 * nanosecond at divide 1 (CPUID 0x15 says so). Periodic timers are held to at least
 * VLAPIC_MIN_PERIOD_NS, so a guest cannot flood Keel's timer queue.
 */
#define VLAPIC_BUS_HZ	     1000000000ULL
#define VLAPIC_MIN_PERIOD_NS 100000ULL

/*
 * Per-vCPU state. The owning vCPU alone changes its registers, in its exit handlers; other CPUs
 * (IPIs, its timer) only set IRR bits and flags with atomics and then kick it. The timer's
 * fields are under timer_lock (the callback runs on another CPU's softirq).
 */
struct vlapic {
	struct vcpu *v;
	u32 apic_id;		    /* 2 x vCPU id (xAPIC: bits 31:24 of the ID register) */
	u32 irr[8], isr[8], tmr[8]; /* 256 bits each, bit n of word n / 32 */
	u64 apic_base;		    /* IA32_APIC_BASE */
	u32 tpr, ldr, dfr, svr;
	u32 lvt[VLAPIC_NR_LVT];
	u32 icr_lo, icr_hi;
	u32 esr;	 /* what ESR reads: latched by the last write */
	u32 esr_pending; /* errors seen since (atomic) */
	/*
	 * While the CPU virtualizes this vLAPIC (APIC virtualization, owner's run loop only): the
	 * xAPIC-layout page that then holds IRR, ISR and TPR; irr[] above only collects what other
	 * CPUs raise until the owner moves it into the page before its next entry. NULL: the
	 * fields here are the registers.
	 */
	u32 *vapic;
	u8 upcall_vector; /* HVMOP_set_evtchn_upcall_vector; 0: none */
	bool wait_sipi;	  /* INIT seen while down: the next SIPI starts it (atomic) */
	bool nmi_pending; /* an NMI IPI waits for injection (atomic) */
	/* Timer (timer_lock). */
	spinlock_t timer_lock;
	struct timer timer;
	u32 tmict, tdcr;
	u32 timer_lvt_mode;  /* the LVT timer value the timer last saw (mode changes) */
	u64 armed_ns;	     /* when it fires next (now_ns()); 0: not armed */
	u64 timer_start_ns;  /* when the current count was last loaded */
	u64 timer_period_ns; /* one count period times tmict (periodic and one-shot) */
	u64 tsc_deadline;    /* IA32_TSC_DEADLINE as the guest wrote it; 0 once fired */
	/* Counters for the exit report (by kind of access). */
	u64 n_mmio, n_msr, n_eoi, n_ipi, n_timer_irq, n_injected;
};

/* Life: at vCPU creation (BSP flag, ID 2 x id) and destruction (its timer stopped). */
int vlapic_vcpu_init(struct vcpu *v);
void vlapic_vcpu_destroy(struct vcpu *v);
/* Its access counters for the domain's exit report, as arch_vcpu_exit_stats() gives them. */
void vlapic_exit_stats(struct vcpu *v, void (*fn)(const char *name, u64 count, void *ctx),
		       void *ctx);
/* Register the xAPIC page (0xFEE00000) in @d's MMIO table; before the unclaimed window. */
int vlapic_domain_init(struct domain *d);
/* Put the vLAPIC in its INIT/power-up state (registers, not IA32_APIC_BASE). */
void vlapic_reset(struct vlapic *l);

/* CPUID leaves 1, 0xB, 0x15, 0x16, 0x1F over the policy's result (vlapic_cpuid.c). */
struct cpuid_regs;
void vlapic_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *r);

/* Modes. */
bool vlapic_enabled(const struct vlapic *l); /* hardware (APIC_BASE.EN) and software (SVR) */
bool vlapic_x2apic(const struct vlapic *l);  /* EXTD set */
static inline u32 vlapic_id(const struct vlapic *l)
{
	return l->apic_id;
}

/*
 * MSRs: IA32_APIC_BASE, the x2APIC range 0x800-0x8FF and IA32_TSC_DEADLINE. 0, -EPERM for
 * #GP, -ENOENT for an MSR that is none of these.
 */
int vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val);
int vlapic_msr_write(struct vcpu *v, u32 msr, u64 val);
/* One register by xAPIC offset (both modes share it); 0 or -EPERM (x2APIC #GP). */
int vlapic_reg_read(struct vlapic *l, u32 off, u32 *val, bool x2apic);
int vlapic_reg_write(struct vlapic *l, u32 off, u64 val, bool x2apic);

/* Priority logic (pure, unit-tested). */
int vlapic_highest(const u32 bits[8]); /* highest set vector, -1 if none */
u32 vlapic_ppr(const struct vlapic *l);
/* The highest IRR vector the vCPU should take now (above PPR), or -1. */
int vlapic_pending_vector(struct vlapic *l);
/* The vCPU takes @vec: IRR -> ISR (plain path; with a virtual-APIC page the CPU does it). */
void vlapic_ack(struct vlapic *l, u8 vec);
/* EOI: clear the highest ISR bit (plain path; with a virtual-APIC page EOIs do not exit). */
void vlapic_eoi(struct vlapic *l);
/* Accept a fixed interrupt from any CPU (atomic); false if refused (disabled, illegal vector). */
bool vlapic_accept_fixed(struct vlapic *l, u8 vec);
void vlapic_error(struct vlapic *l, u32 esr_bits);
u8 vlapic_get_cr8(struct vlapic *l);
void vlapic_set_cr8(struct vlapic *l, u64 val);

/* Interrupts for the run loop of the owning vCPU. */
/* Raise the per-vCPU upcall vector if the guest has one, an upcall is pending and it is idle. */
void vlapic_sync_upcall(struct vcpu *v);
/* HLT wake-up: an interrupt the vCPU would take (with its IF as @if_set). */
bool vlapic_irq_pending(struct vcpu *v, bool if_set);
/* An NMI to inject (clears the request). */
bool vlapic_take_nmi(struct vcpu *v);
/* HVMOP_set_evtchn_upcall_vector for @v: 0 or -EINVAL. */
int vlapic_set_upcall_vector(struct vcpu *v, u8 vector);

/* Timer (vlapic_timer.c). */
void vlapic_timer_init(struct vlapic *l);
void vlapic_timer_stop(struct vlapic *l);
/* Divisor from the divide configuration register (1..128). */
unsigned int vlapic_timer_divisor(u32 tdcr);
/* Counts left of a load of @tmict counts at @divisor, @elapsed_ns after it was loaded. */
u32 vlapic_timer_count(u32 tmict, unsigned int divisor, bool periodic, u64 elapsed_ns);
void vlapic_timer_write_lvt(struct vlapic *l, u32 val);
void vlapic_timer_write_tmict(struct vlapic *l, u32 val);
void vlapic_timer_write_tdcr(struct vlapic *l, u32 val);
u32 vlapic_timer_read_tmcct(struct vlapic *l);
void vlapic_timer_write_deadline(struct vlapic *l, u64 tsc);
u64 vlapic_timer_read_deadline(struct vlapic *l);

/*
 * The registers in an xAPIC-layout page for APIC virtualization (vlapic_page.c). The owning
 * vCPU alone calls these, with the page its CPU uses as virtual-APIC page.
 */
/* Word @i (0-7) of the 256-bit register at @base (ISR, TMR, IRR) of @page. */
u32 vlapic_page_word(const u32 *page, u32 base, unsigned int i);
/* Highest vector set in the 256-bit register at @base of @page, -1 if none. */
int vlapic_page_highest(const u32 *page, u32 base);
/* Which x2APIC MSRs the CPU reads from the page, or writes itself, without a VM exit. */
bool vlapic_page_msr_read_direct(u32 msr);
bool vlapic_page_msr_write_direct(u32 msr);
/* Copy every register into @page and make it the home of IRR/ISR/TPR (l->vapic = @page). */
void vlapic_page_load(struct vlapic *l, u32 *page);
/* Back to the fields: IRR (merged), ISR and TPR from the page; l->vapic = NULL. */
void vlapic_page_unload(struct vlapic *l);
/* Registers the CPU reads but only Keel writes (ID, LDR, SVR, ESR, LVTs, ICR, timer) -> @page. */
void vlapic_page_mirror(struct vlapic *l, u32 *page);
/* Move the IRR bits other CPUs raised into @page's IRR; the highest vector there, or -1. */
int vlapic_page_merge_irr(struct vlapic *l, u32 *page);

/* IPIs (vlapic_ipi.c). */
enum vlapic_dm { DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6 };
enum vlapic_shorthand { SH_NONE, SH_SELF, SH_ALL, SH_OTHERS };
struct vlapic_icr {
	u32 dest; /* 8 bits in xAPIC mode, 32 in x2APIC mode */
	u8 vector;
	u8 mode; /* enum vlapic_dm, or 3/7 (reserved) */
	bool logical;
	bool assert; /* level: assert (bit 14) */
	bool trigger_level;
	u8 shorthand; /* enum vlapic_shorthand */
};
void vlapic_icr_decode(u64 icr, bool x2apic, struct vlapic_icr *out);
/* Does @target (its registers) match the destination @dest as sent by a @x2apic sender? */
bool vlapic_match_dest(const struct vlapic *target, u32 dest, bool logical, bool x2apic);
/*
 * The first vCPU of @d an 8-bit IO-APIC or MSI destination names (fixed and lowest priority
 * both go to it), or NULL: device interrupts (vioapic.c, dom0_msi.c).
 */
struct vcpu *vlapic_device_dest(struct domain *d, u32 dest, bool logical);
/* Send the IPI in @icr from @src (ICR write). */
void vlapic_send_ipi(struct vlapic *src, u64 icr);

#endif
