import CKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of persistent worker threads for data-parallel kernels.
///
/// `run` publishes the job by bumping an atomic generation counter; workers spin on it for a few
/// milliseconds after each job (so back-to-back dispatches in a token loop cost ~1 µs) and then fall
/// back to sleeping on a condition variable. The caller participates as thread 0. No allocation per call.
public final class ThreadPool: @unchecked Sendable {
    /// Total number of threads taking part in `run` (workers + the calling thread).
    public var threadCount: Int { state.threadCount }
    private let state: PoolState
    private var threads: [pthread_t] = []

    /// Creates `threadCount - 1` worker threads (the caller of `run` is the remaining one).
    public init(threadCount: Int) {
        state = PoolState(threadCount: max(1, threadCount))
        for index in 1..<state.threadCount {
            let context = Unmanaged.passRetained(WorkerContext(state: state, index: index)).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let ctx = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                ctx.state.workerLoop(index: ctx.index)
                return nil
            }, context)
            precondition(rc == 0, "pthread_create failed: \(rc)")
            threads.append(thread)
        }
    }

    deinit {
        state.stop()
        for t in threads { pthread_join(t, nil) }
    }

    /// Runs `body(threadIndex, threadCount)` on every thread (the caller is index 0) and returns when
    /// all have finished. Not reentrant: do not call `run` from inside `body` or concurrently.
    public func run(_ body: (Int, Int) -> Void) { state.run(body) }
}

private final class PoolState: @unchecked Sendable {
    let threadCount: Int

    private let generation = Atomic<UInt64>(0)
    private let remaining = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var job: ((Int, Int) -> Void)?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>
    /// How long an idle worker spins before sleeping, in nanoseconds.
    private let spinNanoseconds: UInt64 = 5_000_000

    init(threadCount: Int) {
        self.threadCount = threadCount
        mutex = .allocate(capacity: 1)
        cond = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(cond)
        pthread_mutex_unlock(mutex)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(cond)
        mutex.deallocate()
        cond.deallocate()
    }

    func run(_ body: (Int, Int) -> Void) {
        let n = threadCount
        if n == 1 { body(0, 1); return }
        withoutActuallyEscaping(body) { escaping in
            job = escaping
            remaining.store(n - 1, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(cond)
                pthread_mutex_unlock(mutex)
            }
            escaping(0, n)
            // Spin, then yield: when the machine is oversubscribed a descheduled worker must get the core.
            var spins = 0
            while remaining.load(ordering: .acquiring) != 0 {
                ck_pause()
                spins &+= 1
                if spins > 2000 { sched_yield() }
            }
            job = nil
        }
    }

    func workerLoop(index: Int) {
        var seen: UInt64 = 0
        while true {
            // Spin, then sleep, until a new generation is published.
            var current = generation.load(ordering: .acquiring)
            if current == seen {
                var spins = 0
                var deadline: UInt64 = 0
                while current == seen {
                    ck_pause()
                    spins &+= 1
                    if spins > 2000 && spins & 15 == 0 { sched_yield() }
                    if spins & 1023 == 0 {
                        let now = Self.monotonicNanoseconds()
                        if deadline == 0 {
                            deadline = now + spinNanoseconds
                        } else if now > deadline {
                            pthread_mutex_lock(mutex)
                            sleepers.add(1, ordering: .sequentiallyConsistent)
                            while generation.load(ordering: .sequentiallyConsistent) == seen {
                                pthread_cond_wait(cond, mutex)
                            }
                            sleepers.subtract(1, ordering: .sequentiallyConsistent)
                            pthread_mutex_unlock(mutex)
                            deadline = 0
                        }
                    }
                    current = generation.load(ordering: .acquiring)
                }
            }
            seen = current
            if stopping.load(ordering: .acquiring) { return }
            job!(index, threadCount)
            remaining.subtract(1, ordering: .releasing)
        }
    }

    @inline(__always)
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

private final class WorkerContext {
    let state: PoolState
    let index: Int
    init(state: PoolState, index: Int) { self.state = state; self.index = index }
}
