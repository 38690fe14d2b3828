/* Interrupt and exception entry stubs: save registers, call trap_dispatch(), restore. */
#include <asm/layout.h>

/* Vectors whose exception pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text, "ax"
	.code64

	.globl trap_vector_table_start
	.balign 16
trap_vector_table_start:
	.set v, 0
	.rept 256
	.balign 16
	.if !HAS_ERRCODE(v)
	pushq $0
	.endif
	pushq $v
	jmp trap_common
	.set v, v + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* Frame link so backtraces walk through the interrupted code. */
	pushq 17*8(%rsp)        /* interrupted rip */
	pushq %rbp
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp          /* vector, error code */
	iretq

	.section .rodata, "a"
	.balign 8
	.globl trap_vector_table
trap_vector_table:
	.set v, 0
	.rept 256
	.quad trap_vector_table_start + v * 16
	.set v, v + 1
	.endr
