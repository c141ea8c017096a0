import Foundation

/// The temporary outputs being written right now (`JSONLinesFileWriter`'s `.partial` files), so that a command
/// interrupted by SIGINT or SIGTERM can remove them: an interrupted run leaves its destination as it was and no
/// stray temporary file.
///
/// Kept as C strings in fixed slots so the signal handler only reads memory and calls `unlink`, which is
/// async-signal-safe. Registration takes a lock; the handler does not (it runs once, then the process exits).
public enum PartialFiles {
    private static let capacity = 64
    nonisolated(unsafe) private static let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var initialized = false
    private static let lock = NSLock()

    static func register(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if !initialized {
            slots.initialize(repeating: nil, count: capacity)
            initialized = true
        }
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            return
        }
    }

    static func unregister(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        guard initialized else { return }
        for i in 0..<capacity {
            if let p = slots[i], String(cString: p) == path {
                slots[i] = nil
                free(p)
            }
        }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that delete every registered temporary file and exit with
    /// 128 + the signal (the shell's convention for a killed command). For commands that write data files.
    public static func removeOnInterrupt() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { sig in
                if PartialFiles.initialized {
                    for i in 0..<PartialFiles.capacity { if let p = PartialFiles.slots[i] { unlink(p) } }
                }
                _exit(128 + sig)
            }
        }
    }
}
