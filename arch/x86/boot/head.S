/* Boot entry: multiboot2 header, 32-bit entry from GRUB, switch to long mode, jump to C. */
#include <asm/layout.h>

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC   0x36d76289
#define PHYS(sym) ((sym) - KEEL_VIRT_OFFSET)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0                                   /* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	/* Module alignment tag: modules start on page boundaries. */
	.balign 8
	.word 6, 0
	.long 8
	/* End tag. */
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl keel_entry32
keel_entry32:
	cli
	cld
	movl $boot32_stack_top, %esp
	cmpl $MB2_BOOT_MAGIC, %eax
	jne .Lno_multiboot
	movl %ebx, boot_mbi_phys

	/* Long mode and NX are required. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_longmode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc .Lno_longmode
	btl $20, %edx
	jnc .Lno_longmode

	/* boot_pd[0..3]: identity 0..4 GiB in 2 MiB pages. */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax                        /* present, writable, large */
	movl %eax, (%edi,%ecx,8)
	movl %ecx, %eax
	shrl $11, %eax                         /* high dword: (i * 2 MiB) >> 32 */
	movl %eax, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b
	/* boot_pdpt_low[0..3] -> boot_pd pages. */
	movl $boot_pd + 0x3, %eax
	movl %eax, boot_pdpt_low
	addl $0x1000, %eax
	movl %eax, boot_pdpt_low + 8
	addl $0x1000, %eax
	movl %eax, boot_pdpt_low + 16
	addl $0x1000, %eax
	movl %eax, boot_pdpt_low + 24
	/* boot_pdpt_high[510] (-2 GiB) -> first GiB. */
	movl $boot_pd + 0x3, %eax
	movl %eax, boot_pdpt_high + 510 * 8
	/* PML4: 0 identity, 256 early direct map, 511 the image. */
	movl $boot_pdpt_low + 0x3, %eax
	movl %eax, boot_pml4
	movl %eax, boot_pml4 + 256 * 8
	movl $boot_pdpt_high + 0x3, %eax
	movl %eax, boot_pml4 + 511 * 8

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax                        /* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx                 /* EFER: LME | NXE */
	rdmsr
	orl $0x900, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax                  /* PG | WP | PE */
	movl %eax, %cr0
	lgdt boot_gdt_desc
	ljmp $0x08, $boot_entry64_low

.Lno_multiboot:
	movl $msg_no_mb2, %esi
	jmp boot_fail32
.Lno_longmode:
	movl $msg_no_lm, %esi
	jmp boot_fail32

/* Print the NUL-terminated string at %esi on COM1, then stop. */
boot_fail32:
	movw $0x3fd, %dx
2:	inb %dx, %al
	testb $0x20, %al
	jz 2b
	lodsb
	testb %al, %al
	jz 3f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp boot_fail32
3:	cli
	hlt
	jmp 3b

	.code64
boot_entry64_low:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $keel_entry64, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:      .fill 512, 8, 0
boot_pdpt_low:  .fill 512, 8, 0
boot_pdpt_high: .fill 512, 8, 0
boot_pd:        .fill 2048, 8, 0
	.balign 16
boot32_stack:   .fill 256, 1, 0
boot32_stack_top:
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff                /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff                /* 0x10: data */
boot_gdt_end:
	.globl boot_gdt_desc
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt
	.globl boot_mbi_phys
boot_mbi_phys:  .long 0
msg_no_mb2:     .asciz "keel: not started by a multiboot2 loader\r\n"
msg_no_lm:      .asciz "keel: this CPU lacks long mode or NX; Keel needs an x86-64 CPU\r\n"

	.section .text.entry, "ax"
	.code64
	.globl keel_entry64
keel_entry64:
	/* Zero .bss (the loader should have, but do not rely on it). */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	movl boot_mbi_phys, %edi
	call keel_start
4:	cli
	hlt
	jmp 4b

	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
	.globl boot_stack
boot_stack:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
