#include "CReference.h"
#include <stdlib.h>
#include <string.h>

#define ENTRIES 512
#define LEVELS 4
#define TABLE_PRESENT 1ull
#define ADDRESS_MASK 0x000FFFFFFFFFF000ull

struct agingbench_reference {
    uint64_t *root;
    uint64_t pages;
    uint64_t accessed;
    uint64_t tables;
};

static uint64_t *new_table(agingbench_reference *reference) {
    void *page = NULL;
    if (posix_memalign(&page, 4096, 4096) != 0) return NULL;
    memset(page, 0, 4096);
    reference->tables++;
    return page;
}

static unsigned index_of(uint64_t gfn, int level) { return (unsigned)((gfn >> (9 * (level - 1))) & 511); }

static uint64_t *child(uint64_t entry) { return (uint64_t *)(uintptr_t)(entry & ADDRESS_MASK); }

agingbench_reference *agingbench_reference_create(uint64_t pages, uint64_t leaf_template, uint64_t accessed_mask,
                                                  uint64_t pfn_shift) {
    agingbench_reference *reference = calloc(1, sizeof *reference);
    if (!reference) return NULL;
    reference->pages = pages;
    reference->accessed = accessed_mask;
    reference->root = new_table(reference);
    if (!reference->root) { free(reference); return NULL; }
    for (uint64_t gfn = 0; gfn < pages; gfn++) {
        uint64_t *table = reference->root;
        for (int level = LEVELS; level > 1; level--) {
            uint64_t *slot = &table[index_of(gfn, level)];
            if (!(*slot & TABLE_PRESENT)) {
                uint64_t *page = new_table(reference);
                if (!page) { agingbench_reference_destroy(reference); return NULL; }
                *slot = (uint64_t)(uintptr_t)page | TABLE_PRESENT;
            }
            table = child(*slot);
        }
        table[index_of(gfn, 1)] = leaf_template | ((gfn + 0x100000) << pfn_shift) | accessed_mask;
    }
    return reference;
}

static void free_subtree(uint64_t *table, int level) {
    if (level > 1)
        for (int i = 0; i < ENTRIES; i++)
            if (table[i] & TABLE_PRESENT) free_subtree(child(table[i]), level - 1);
    free(table);
}

void agingbench_reference_destroy(agingbench_reference *reference) {
    if (!reference) return;
    free_subtree(reference->root, LEVELS);
    free(reference);
}

/// The leaf table holding `gfn`, or NULL.
static uint64_t *leaf_table(const agingbench_reference *reference, uint64_t gfn) {
    uint64_t *table = reference->root;
    for (int level = LEVELS; level > 1; level--) {
        uint64_t entry = __atomic_load_n(&table[index_of(gfn, level)], __ATOMIC_ACQUIRE);
        if (!(entry & TABLE_PRESENT)) return NULL;
        table = child(entry);
    }
    return table;
}

void agingbench_reference_mark_young(agingbench_reference *reference, uint64_t stride) {
    if (stride == 0) return;
    for (uint64_t gfn = 0; gfn < reference->pages; gfn += stride) {
        uint64_t *table = leaf_table(reference, gfn);
        if (table) __atomic_fetch_or(&table[gfn & 511], reference->accessed, __ATOMIC_RELAXED);
    }
}

uint64_t agingbench_reference_pass(agingbench_reference *reference, int clear) {
    const uint64_t accessed = reference->accessed;
    uint64_t young = 0;
    for (uint64_t base = 0; base < reference->pages; base += ENTRIES) {
        uint64_t *table = leaf_table(reference, base);
        if (!table) continue;
        uint64_t count = reference->pages - base < ENTRIES ? reference->pages - base : ENTRIES;
        for (uint64_t i = 0; i < count; i++) {
            uint64_t entry = __atomic_load_n(&table[i], __ATOMIC_RELAXED);
            if (entry & accessed) {
                young++;
                if (clear) __atomic_fetch_and(&table[i], ~accessed, __ATOMIC_RELAXED);
            }
        }
    }
    return young;
}

uint64_t agingbench_reference_windowed_pass(agingbench_reference *reference, uint64_t window) {
    const uint64_t accessed = reference->accessed;
    uint64_t young = 0;
    if (window == 0 || window > 64) window = 64;
    for (uint64_t start = 0; start < reference->pages; start += window) {
        uint64_t end = start + window < reference->pages ? start + window : reference->pages;
        uint64_t bitmap = 0;
        uint64_t *table = NULL;
        for (uint64_t gfn = start; gfn < end; gfn++) {
            if (gfn == start || (gfn & 511) == 0) table = leaf_table(reference, gfn);
            if (!table) continue;
            if (__atomic_load_n(&table[gfn & 511], __ATOMIC_RELAXED) & accessed) bitmap |= 1ull << (end - 1 - gfn);
        }
        if (!bitmap) continue;
        young += (uint64_t)__builtin_popcountll(bitmap);
        for (uint64_t gfn = start; gfn < end; gfn++) {
            if (gfn == start || (gfn & 511) == 0) table = leaf_table(reference, gfn);
            if (!table || !(bitmap & (1ull << (end - 1 - gfn)))) continue;
            if (__atomic_load_n(&table[gfn & 511], __ATOMIC_RELAXED) & accessed)
                __atomic_fetch_and(&table[gfn & 511], ~accessed, __ATOMIC_RELAXED);
        }
    }
    return young;
}

uint64_t agingbench_reference_table_bytes(const agingbench_reference *reference) {
    return reference->tables * 4096;
}
