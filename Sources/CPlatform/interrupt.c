#include "CPlatform.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

// The handler only stores the signal number: a lock-free atomic store is async-signal-safe, and
// everything else (writing results, exiting) happens on the sweep's thread between cells.
static _Atomic int requested_signal = 0;
static struct sigaction previous_int, previous_term;

static void record_signal(int signal_number) {
    int expected = 0;
    // The first signal names the interruption; a later one of the other kind must not rename it.
    atomic_compare_exchange_strong(&requested_signal, &expected, signal_number);
}

int agingbench_interrupt_install(void) {
    atomic_store(&requested_signal, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = record_signal;
    sigemptyset(&action.sa_mask);
    // SA_RESETHAND: a second Ctrl-C gets the default action and ends the process at once; the
    // results file is then left as it was, since it is only ever replaced by rename(2).
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    if (sigaction(SIGINT, &action, &previous_int) != 0) return -1;
    if (sigaction(SIGTERM, &action, &previous_term) != 0) {
        sigaction(SIGINT, &previous_int, NULL);
        return -1;
    }
    // A parent may hand down a mask that blocks them (a test harness's worker thread does), which
    // would leave the signals pending until exit; threads started later inherit this mask.
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGINT);
    sigaddset(&wanted, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &wanted, NULL);
    return 0;
}

void agingbench_interrupt_restore(void) {
    sigaction(SIGINT, &previous_int, NULL);
    sigaction(SIGTERM, &previous_term, NULL);
}

int agingbench_interrupt_signal(void) {
    return atomic_load(&requested_signal);
}
