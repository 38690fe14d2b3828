/* VM entry and exit: load the guest's registers, VMLAUNCH/VMRESUME, save them again on exit. */
#include <asm/layout.h>
#include <asm/spec_ctrl.h>
#define G_RAX 0
#define G_RCX 8
#define G_RDX 16
#define G_RBX 24
#define G_RBP 32
#define G_RSI 40
#define G_RDI 48
#define G_R8  56
#define G_R9  64
#define G_R10 72
#define G_R11 80
#define G_R12 88
#define G_R13 96
#define G_R14 104
#define G_R15 112
#define G_CR2 120
#define VMCS_HOST_RSP 0x6c14

	.section .rodata
	.balign 2
verw_selector:
	.word SEL_KDATA                 /* any writable data segment: VERW's operand */

	.section .text, "ax"
	.code64

/* int vmx_enter_guest(struct guest_gprs *gprs, int launched): 0 after a VM exit, 1 on failure. */
	.globl vmx_enter_guest
vmx_enter_guest:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi                      /* the exit path finds gprs here */
	movq $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfail
	movq G_CR2(%rdi), %rax
	movq %rax, %cr2
	/* The L1D flush or VERW this CPU needs before entry (spec_ctrl.c decides): out of line. */
	cmpb $0, spec_entry_work(%rip)
	jne .Lspec_work
.Lspec_done:
	testl %esi, %esi                /* flags survive the moves below */
	movq G_RAX(%rdi), %rax
	movq G_RCX(%rdi), %rcx
	movq G_RDX(%rdi), %rdx
	movq G_RBX(%rdi), %rbx
	movq G_RBP(%rdi), %rbp
	movq G_RSI(%rdi), %rsi
	movq G_R8(%rdi), %r8
	movq G_R9(%rdi), %r9
	movq G_R10(%rdi), %r10
	movq G_R11(%rdi), %r11
	movq G_R12(%rdi), %r12
	movq G_R13(%rdi), %r13
	movq G_R14(%rdi), %r14
	movq G_R15(%rdi), %r15
	movq G_RDI(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp .Lfail
1:	vmresume
.Lfail:
	movl $1, %eax
	jmp .Lout

.Lspec_work:                            /* %rax, %rcx, %rdx are free: guest values come after */
	testb $SPEC_ENTRY_L1D_FLUSH, spec_entry_work(%rip)
	jz 3f
	movl $MSR_FLUSH_CMD, %ecx
	movl $FLUSH_CMD_L1D, %eax
	xorl %edx, %edx
	wrmsr
3:	testb $SPEC_ENTRY_VERW, spec_entry_work(%rip)
	jz .Lspec_done
	verw verw_selector(%rip)
	jmp .Lspec_done

	.globl vmx_exit_entry
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, G_RAX(%rdi)
	movq %rcx, G_RCX(%rdi)
	movq %rdx, G_RDX(%rdi)
	movq %rbx, G_RBX(%rdi)
	movq %rbp, G_RBP(%rdi)
	movq %rsi, G_RSI(%rdi)
	movq %r8, G_R8(%rdi)
	movq %r9, G_R9(%rdi)
	movq %r10, G_R10(%rdi)
	movq %r11, G_R11(%rdi)
	movq %r12, G_R12(%rdi)
	movq %r13, G_R13(%rdi)
	movq %r14, G_R14(%rdi)
	movq %r15, G_R15(%rdi)
	popq %rax
	movq %rax, G_RDI(%rdi)
	movq %cr2, %rax
	movq %rax, G_CR2(%rdi)
	/* Guest values must not linger in registers Keel's C code does not restore. */
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %eax, %eax
.Lout:
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
