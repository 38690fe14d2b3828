/* Per-vCPU debug registers DR0-DR3 and DR6: reset, switching on a CPU, the MOV-DR checks. */
#include <asm/cpu.h>
#include <asm/debugreg.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <keel/vcpu.h>

/* Per CPU: are its DR0-DR3 known to be zero? (false at boot: the firmware's values) */
static bool dr_zeroed[MAX_CPUS];

void hvm_dr_reset(struct vcpu *v)
{
	for (unsigned int i = 0; i < 4; i++)
		v->arch.dr[i] = 0;
	v->arch.dr6 = DR6_RESET;
}

void hvm_dr_load(struct vcpu *v, bool owned)
{
	unsigned int cpu = smp_processor_id();

	if (owned) {
		write_dr0(v->arch.dr[0]);
		write_dr1(v->arch.dr[1]);
		write_dr2(v->arch.dr[2]);
		write_dr3(v->arch.dr[3]);
		dr_zeroed[cpu] = false;
	} else if (!dr_zeroed[cpu]) {
		write_dr0(0);
		write_dr1(0);
		write_dr2(0);
		write_dr3(0);
		dr_zeroed[cpu] = true;
	}
	write_dr6(v->arch.dr6);
}

void hvm_dr_save(struct vcpu *v, bool owned)
{
	if (owned) {
		v->arch.dr[0] = read_dr0();
		v->arch.dr[1] = read_dr1();
		v->arch.dr[2] = read_dr2();
		v->arch.dr[3] = read_dr3();
	}
	v->arch.dr6 = read_dr6();
}

int hvm_mov_dr_check(struct vcpu *v, unsigned int dr)
{
	if (hvm_ops->get_cpl(v) != 0)
		return X86_EXC_GP;
	if ((dr == 4 || dr == 5) && (hvm_ops->get_cr(v, 4) & CR4_DE))
		return X86_EXC_UD;
	/*
	 * DR7.GD (general detect) needs no check here: only MOV to DR7 sets it, and a vCPU that
	 * has done that owns its debug registers, so its MOV-DR no longer exits.
	 */
	return 0;
}

void hvm_dr_get_state(struct vcpu *v, bool loaded, bool owned, struct hvm_vcpu_state *s)
{
	for (unsigned int i = 0; i < 4; i++)
		s->dr[i] = v->arch.dr[i];
	s->dr6 = v->arch.dr6;
	if (!loaded)
		return;
	if (owned) {
		s->dr[0] = read_dr0();
		s->dr[1] = read_dr1();
		s->dr[2] = read_dr2();
		s->dr[3] = read_dr3();
	}
	s->dr6 = read_dr6();
}
