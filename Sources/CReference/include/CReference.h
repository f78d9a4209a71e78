#ifndef AGINGBENCH_CREFERENCE_H
#define AGINGBENCH_CREFERENCE_H

#include <stdint.h>

/// The hardware's limit for an aging pass: a plain C walk of the same 4-level radix tree of
/// 512-entry table pages, testing (and clearing, with an atomic AND) the Accessed bit of every
/// leaf. No locks, no read-side section, no notifier calls: what any backend costs beyond this
/// is the model's (or the modelled kernel's) overhead.
typedef struct agingbench_reference agingbench_reference;

/// Builds a tree with a leaf for every gfn in [0, pages): `leaf_template | pfn << pfn_shift`,
/// young, in the backend's own entry format (its template, Accessed bit and pfn position).
/// Returns NULL when out of memory.
agingbench_reference *agingbench_reference_create(uint64_t pages, uint64_t leaf_template, uint64_t accessed_mask,
                                                  uint64_t pfn_shift);

void agingbench_reference_destroy(agingbench_reference *reference);

/// Sets the Accessed bit (atomic OR) on every `stride`-th page, starting at gfn 0.
void agingbench_reference_mark_young(agingbench_reference *reference, uint64_t stride);

/// One plain pass over every leaf, leaf table by leaf table: counts the young ones and, when `clear` is non-zero, clears their
/// Accessed bit with an atomic AND. Returns the number of young leaves.
uint64_t agingbench_reference_pass(agingbench_reference *reference, int clear);

/// The same pass as the runner's aging driver makes on a bitmap backend, without the model:
/// for each window of `window` pages (at most 64), a walk from the root that tests every leaf
/// into a bitmap, then, if any was young, a second walk from the root that clears the Accessed
/// bit (atomic AND) of the leaves the bitmap marks. Returns the number of young leaves.
uint64_t agingbench_reference_windowed_pass(agingbench_reference *reference, uint64_t window);

/// Bytes of table pages the tree holds.
uint64_t agingbench_reference_table_bytes(const agingbench_reference *reference);

#endif
