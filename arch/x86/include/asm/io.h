/* x86 port I/O and uncached MMIO mappings. */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <keel/types.h>

static inline void outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(u16 port, u16 v)
{
	__asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(u16 port, u32 v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 mmio_read32(const volatile void *addr)
{
	return *(const volatile u32 *)addr;
}
static inline void mmio_write32(volatile void *addr, u32 v)
{
	*(volatile u32 *)addr = v;
}
static inline u64 mmio_read64(const volatile void *addr)
{
	return *(const volatile u64 *)addr;
}
static inline void mmio_write64(volatile void *addr, u64 v)
{
	*(volatile u64 *)addr = v;
}

/* Map @len bytes of device memory at @pa uncached; returns its virtual address (never fails: panics). */
void *ioremap(paddr_t pa, size_t len);

#endif
