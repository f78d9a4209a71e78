#ifndef AGINGBENCH_CPLATFORM_H
#define AGINGBENCH_CPLATFORM_H

#include <stdint.h>

/// Tells the CPU this thread is spinning (x86 PAUSE, arm64 YIELD), as the kernel's cpu_relax().
static inline void agingbench_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/// Asks the CPU to bring the line holding `address` into its caches. A hint: it changes nothing
/// any load or store returns, and does nothing at all for an address that is not mapped.
static inline void agingbench_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Monotonic nanoseconds from clock_gettime.
uint64_t agingbench_monotonic_ns(void);

/// A cheap, monotonic tick counter (TSC, or the arm64 virtual counter); ns via Ticks' calibration.
static inline uint64_t agingbench_ticks(void) {
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
    uint64_t value;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
    return value;
#else
    return agingbench_monotonic_ns();
#endif
}

/// Prevents the compiler from moving memory accesses across this point (no CPU fence).
static inline void agingbench_compiler_barrier(void) {
    __asm__ __volatile__("" ::: "memory");
}

/// Registers the process for membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED); 1 on success.
int agingbench_membarrier_register(void);

/// Issues a full memory barrier on every running thread of this process (membarrier(2)).
void agingbench_membarrier(void);

/// CPUs this process may run on (sched_getaffinity), at least 1.
int agingbench_allowed_cpu_count(void);

/// Pins the calling thread to the `n`-th CPU this process may run on; 0 on success.
int agingbench_pin_current_thread(int n);

/// True when the process runs under AddressSanitizer (table pages then come from malloc, so ASan sees them).
int agingbench_under_address_sanitizer(void);

/// Installs SIGINT and SIGTERM handlers that only record the signal (see interrupt.c); the
/// recorded signal is cleared. A second signal of either kind takes the default action. 0 on success.
int agingbench_interrupt_install(void);

/// Puts back the handlers that were in place before agingbench_interrupt_install.
void agingbench_interrupt_restore(void);

/// The first SIGINT or SIGTERM received since agingbench_interrupt_install, or 0.
int agingbench_interrupt_signal(void);

/// Calls body(context). Never inlined, and named so callgrind can switch instruction counting on
/// at its entry and off at its return (--toggle-collect=agingbench_counted_region): the one
/// function `agingbench run --count instructions` counts inside.
void agingbench_counted_region(void (*body)(void *), void *context);

/// Calls body(context), named so callgrind can switch counting off inside a counted region
/// (--toggle-collect=agingbench_uncounted_region): the harness's own timing records, whose work
/// depends on the times they record.
void agingbench_uncounted_region(void (*body)(void *), void *context);

/// Executes about 3 × iterations instructions that do nothing (a decrement-and-branch loop the
/// compiler cannot remove): the work an injected regression adds (AGINGBENCH_INJECT builds only).
void agingbench_busy_instructions(uint64_t iterations);

#endif
