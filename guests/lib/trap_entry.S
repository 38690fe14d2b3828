/* Guest library: 256 interrupt stubs (16 bytes apart) and the common save/dispatch/restore path. */

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
			(v) == 29 || (v) == 30)

	.text
	.code64
	.p2align 4
	.globl trap_stubs
trap_stubs:
	vec = 0
	.rept 256
	.org trap_stubs + vec * 16
	.if !HAS_ERRCODE(vec)
	pushq	$0
	.endif
	pushq	$vec
	jmp	trap_common
	vec = vec + 1
	.endr

/* Stack: vector, error code, then the CPU frame (RIP, CS, RFLAGS, RSP, SS). */
trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	cld
	mov	%rsp, %rdi
	call	trap_dispatch
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp
	iretq
