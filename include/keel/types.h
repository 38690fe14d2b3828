/* Basic integer and address types; freestanding, so the same header serves host unit tests. */
#ifndef KEEL_TYPES_H
#define KEEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64; /* so that %llu and %llx fit everywhere */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

/* A host-physical address. */
typedef u64 paddr_t;
#define INVALID_PADDR (~(paddr_t)0)

#endif
