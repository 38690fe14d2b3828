/* The child image mgmt_dom0 builds a domain from: the cpuid test guest's ELF, embedded. */
	.section .rodata
	.balign 16
	.globl mgmt_child_elf, mgmt_child_elf_end
mgmt_child_elf:
	.incbin CHILD_ELF
mgmt_child_elf_end:
	.section .note.GNU-stack, "", @progbits
