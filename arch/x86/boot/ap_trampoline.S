/* Application-processor start code: copied below 1 MiB, runs real mode -> protected -> long mode. */
	.section .ap_trampoline, "ax"
	.code16
	.globl ap_trampoline
ap_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	xorl %ebx, %ebx
	movw %ax, %bx
	shll $4, %ebx                            /* %ebx = physical base of this copy */
	lgdtl (tramp_gdt_desc - ap_trampoline)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl *(tramp_far32 - ap_trampoline)

	.code32
tramp_32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl (tramp_cr3 - ap_trampoline)(%ebx), %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax                          /* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx                   /* EFER: LME | NXE */
	rdmsr
	orl $0x900, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax                    /* PG | WP | PE */
	movl %eax, %cr0
	ljmpl *(tramp_far64 - ap_trampoline)(%ebx)

	.code64
tramp_64:
	movq (tramp_entry - ap_trampoline)(%rbx), %rax
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff                 /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff                 /* 0x10: data */
	.quad 0x00af9a000000ffff                 /* 0x18: 64-bit code */
	.globl tramp_gdt_desc, tramp_far32, tramp_far64, tramp_cr3, tramp_entry
	.globl tramp_gdt_off, tramp_32_off, tramp_64_off
tramp_gdt_desc:
	.word 31
	.long 0                                  /* patched: base + tramp_gdt */
tramp_far32:
	.long 0                                  /* patched: base + tramp_32 */
	.word 0x08
tramp_far64:
	.long 0                                  /* patched: base + tramp_64 */
	.word 0x18
	.balign 8
tramp_cr3:
	.quad 0                                  /* patched: boot page tables */
tramp_entry:
	.quad ap_entry64
	.globl ap_trampoline_end
ap_trampoline_end:

	.section .rodata, "a"
	.balign 8
tramp_gdt_off: .quad tramp_gdt - ap_trampoline
tramp_32_off:  .quad tramp_32 - ap_trampoline
tramp_64_off:  .quad tramp_64 - ap_trampoline

	.section .text, "ax"
	.code64
	.globl ap_entry64
ap_entry64:
	/* Still on the boot page tables: switch to Keel's before touching the stack. */
	movq keel_cr3(%rip), %rax
	movq %rax, %cr3
	movq ap_boot_stack(%rip), %rsp
	movq ap_boot_percpu(%rip), %rdi
	xorl %ebp, %ebp
	call ap_main
1:	cli
	hlt
	jmp 1b
