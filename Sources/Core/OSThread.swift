import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A real OS thread running one closure; `join()` waits for it to finish.
///
/// The model's vCPUs, aging and zap threads are OS threads, not tasks: they spin, yield and
/// block in locks the way kernel threads do. Starting them here, from a nonisolated context,
/// also keeps a closure from inheriting main-actor isolation (which traps at run time).
public final class OSThread: @unchecked Sendable {
    // Safety: `handle` is written once by the starting thread before `join` can be called.
    private var handle = pthread_t()
    private let body: @Sendable () -> Void
    private var joined = false

    public init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&handle, nil, { raw in
            let thread = Unmanaged<OSThread>.fromOpaque(raw!).takeRetainedValue()
            thread.body()
            return nil
        }, context)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    /// Waits for the thread to finish; call once, from one thread.
    public func join() {
        precondition(!joined, "OSThread joined twice")
        joined = true
        pthread_join(handle, nil)
    }

    /// CPUs this process may run on.
    public static var allowedCPUs: Int { Int(agingbench_allowed_cpu_count()) }

    /// Pins the calling thread to the `index`-th allowed CPU (modulo their number).
    public static func pinCurrentThread(toCPU index: Int) {
        _ = agingbench_pin_current_thread(Int32(index % allowedCPUs))
    }

    /// Gives the CPU to another runnable thread (`sched_yield`).
    public static func yield() { sched_yield() }
}
