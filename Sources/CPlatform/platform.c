#define _GNU_SOURCE
#include "CPlatform.h"
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t agingbench_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int agingbench_allowed_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

int agingbench_pin_current_thread(int n) {
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    int seen = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (seen++ == n) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            return pthread_setaffinity_np(pthread_self(), sizeof one, &one);
        }
    }
    return -1;
}

int agingbench_under_address_sanitizer(void) {
    return dlsym(RTLD_DEFAULT, "__asan_init") != 0;
}

int agingbench_membarrier_register(void) {
    long supported = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return 0;
    return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

void agingbench_membarrier(void) {
    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

__attribute__((noinline)) void agingbench_counted_region(void (*body)(void *), void *context) {
    body(context);
    // Keeps the call above from becoming a tail call, which would leave this function before
    // the body runs and so end callgrind's count early.
    __asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) void agingbench_uncounted_region(void (*body)(void *), void *context) {
    body(context);
    __asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) void agingbench_busy_instructions(uint64_t iterations) {
    while (iterations != 0) {
        __asm__ __volatile__("" : "+r"(iterations));
        iterations -= 1;
    }
}
