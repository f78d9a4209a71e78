// C++ operator new/delete, forwarded to malloc/free.
//
// Why: libjemalloc exports operator new/delete as well as malloc/free. In a normal build jemalloc
// owns both and all is consistent. Under a sanitizer, the sanitizer's runtime owns malloc/free but
// not operator new/delete, so the C++ parts of the Swift runtime would allocate with jemalloc and
// free with the sanitizer (a crash). Defining them here, in the executable, makes every C++
// allocation go through whichever allocator owns malloc.
#include <stdlib.h>
#include <stddef.h>

static void *agingbench_new(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) abort(); // std::bad_alloc cannot be thrown from C; running out here is fatal anyway.
    return p;
}

static void *agingbench_new_aligned(size_t size, size_t alignment) {
    void *p = NULL;
    if (alignment < sizeof(void *)) alignment = sizeof(void *);
    if (posix_memalign(&p, alignment, size ? size : 1) != 0) return NULL;
    return p;
}

void *_Znwm(size_t size) { return agingbench_new(size); }
void *_Znam(size_t size) { return agingbench_new(size); }
void *_ZnwmRKSt9nothrow_t(size_t size, const void *tag) { (void)tag; return malloc(size ? size : 1); }
void *_ZnamRKSt9nothrow_t(size_t size, const void *tag) { (void)tag; return malloc(size ? size : 1); }
void *_ZnwmSt11align_val_t(size_t size, size_t alignment) {
    void *p = agingbench_new_aligned(size, alignment);
    if (!p) abort();
    return p;
}
void *_ZnamSt11align_val_t(size_t size, size_t alignment) { return _ZnwmSt11align_val_t(size, alignment); }
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *tag) {
    (void)tag;
    return agingbench_new_aligned(size, alignment);
}
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *tag) {
    (void)tag;
    return agingbench_new_aligned(size, alignment);
}

void _ZdlPv(void *p) { free(p); }
void _ZdaPv(void *p) { free(p); }
void _ZdlPvm(void *p, size_t size) { (void)size; free(p); }
void _ZdaPvm(void *p, size_t size) { (void)size; free(p); }
void _ZdlPvRKSt9nothrow_t(void *p, const void *tag) { (void)tag; free(p); }
void _ZdaPvRKSt9nothrow_t(void *p, const void *tag) { (void)tag; free(p); }
void _ZdlPvSt11align_val_t(void *p, size_t alignment) { (void)alignment; free(p); }
void _ZdaPvSt11align_val_t(void *p, size_t alignment) { (void)alignment; free(p); }
void _ZdlPvmSt11align_val_t(void *p, size_t size, size_t alignment) { (void)size; (void)alignment; free(p); }
void _ZdaPvmSt11align_val_t(void *p, size_t size, size_t alignment) { (void)size; (void)alignment; free(p); }
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const void *tag) { (void)alignment; (void)tag; free(p); }
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const void *tag) { (void)alignment; (void)tag; free(p); }
