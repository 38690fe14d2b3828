/* Guest library: PVH ELF note, 32-bit BSP/AP entry, GDT, identity page tables, long-mode switch. */

#define GDT_CODE64 0x08
#define GDT_DATA   0x10
#define GDT_CODE32 0x18

#define BOOT_STACK_SIZE 16384

/* ELF note: owner "Xen", type 18 (PHYS32_ENTRY), 4-byte 32-bit physical entry address. */
	.section .note.pvh, "a"
	.p2align 2
	.long 4			/* name size, "Xen\0" */
	.long 4			/* descriptor size */
	.long 18		/* type */
	.asciz "Xen"
	.long pvh_entry32

	.section .text.entry, "ax"
	.code32

/*
 * BSP entry, PVH state: 32-bit protected mode, paging off, flat segments, IF clear,
 * EBX = guest-physical address of struct pvh_start_info. No stack yet.
 */
	.globl pvh_entry32
pvh_entry32:
	cli
	cld
	mov	%ebx, %esi

	/* Zero .bss: the loader should have, but nothing here relies on it. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb

	lgdt	gdt_desc
	ljmp	$GDT_CODE32, $1f
1:	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages (0..4 GiB). */
	mov	$pdpt, %eax
	or	$0x3, %eax
	mov	%eax, pml4
	mov	$page_dirs, %eax
	or	$0x3, %eax
	mov	$pdpt, %edi
	mov	$4, %ecx
2:	mov	%eax, (%edi)
	add	$4096, %eax
	add	$8, %edi
	loop	2b
	mov	$page_dirs, %edi
	mov	$0x83, %eax		/* present, writable, 2 MiB page */
	mov	$2048, %ecx
3:	mov	%eax, (%edi)
	add	$0x200000, %eax
	add	$8, %edi
	loop	3b

	call	enable_long_mode
	ljmp	$GDT_CODE64, $bsp_entry64

/*
 * AP entry (Keel's PVH AP start protocol, see include/public/vcpu.h): same state as the BSP,
 * EBX = top of this vCPU's stack (chosen by whoever started it). Page tables already exist.
 */
	.globl pvh_ap_entry32
pvh_ap_entry32:
	cli
	cld
	lgdt	gdt_desc
	ljmp	$GDT_CODE32, $1f
1:	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	%ebx, %esp
	call	enable_long_mode
	ljmp	$GDT_CODE64, $ap_entry64

/* CR4.PAE, CR3, EFER.LME, CR0.PG|WP: after this we run in compatibility mode. */
enable_long_mode:
	mov	%cr4, %eax
	or	$0x20, %eax
	mov	%eax, %cr4
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	$0xC0000080, %ecx
	rdmsr
	or	$0x100, %eax
	wrmsr
	mov	%cr0, %eax
	or	$0x80010001, %eax
	mov	%eax, %cr0
	ret

	.code64
bsp_entry64:
	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$boot_stack_top, %rsp
	xor	%ebp, %ebp
	mov	%esi, %edi		/* start info GPA, zero-extended */
	call	guest_boot
	jmp	halt_loop

ap_entry64:
	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%esp, %esp		/* zero-extend the 32-bit stack pointer */
	and	$-16, %rsp
	xor	%ebp, %ebp
	call	guest_ap_boot
halt_loop:
	cli
	hlt
	jmp	halt_loop

	.section .rodata
	.p2align 3
gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit flat code */
gdt_end:
	.p2align 3
	.word 0
gdt_desc:				/* works for lgdt in both 32- and 64-bit mode */
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.p2align 12
	.globl pml4
pml4:	.skip 4096
pdpt:	.skip 4096
page_dirs:
	.skip 4096 * 4
	.p2align 4
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
