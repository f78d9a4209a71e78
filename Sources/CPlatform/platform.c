#define _GNU_SOURCE
#include "CPlatform.h"
#include <dlfcn.h>
#include <time.h>

uint64_t agingbench_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int agingbench_under_address_sanitizer(void) {
    return dlsym(RTLD_DEFAULT, "__asan_init") != 0;
}
