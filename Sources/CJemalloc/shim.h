#ifndef AGINGBENCH_CJEMALLOC_SHIM_H
#define AGINGBENCH_CJEMALLOC_SHIM_H

#include <jemalloc/jemalloc.h>
#include <stddef.h>

// jemalloc's MALLOCX_* flags are function-like macros, which Swift cannot import.

static inline int agingbench_mallocx_flags(size_t alignment, unsigned arena, int zero) {
    int flags = MALLOCX_ALIGN(alignment) | MALLOCX_TCACHE_NONE;
    if (arena != 0) flags |= MALLOCX_ARENA(arena);
    if (zero) flags |= MALLOCX_ZERO;
    return flags;
}

static inline int agingbench_dallocx_flags(unsigned arena) {
    int flags = MALLOCX_TCACHE_NONE;
    if (arena != 0) flags |= MALLOCX_ARENA(arena);
    return flags;
}

#endif
