/// A hash map from byte strings to `Int32`, stored flat (one byte buffer, open addressing) so that
/// building it for a 262k-entry vocabulary takes milliseconds and lookups never allocate.
struct ByteTable: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int32] = [0]
    private var values: [Int32] = []
    private var hashes: [UInt32] = []
    /// Entry index + 1 per slot, 0 when empty.
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        bytes.reserveCapacity(capacity * 8)
        starts.reserveCapacity(capacity + 1)
        values.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    var count: Int { values.count }

    @inline(__always) static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in key { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// The value stored for `key`.
    func value(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = Self.hash(key)
        var slot = Int(h) & mask
        return bytes.withUnsafeBufferPointer { store in
            while true {
                let e = Int(slots[slot])
                if e == 0 { return nil }
                if hashes[e - 1] == h && Self.equal(store, Int(starts[e - 1]), Int(starts[e]), key) { return values[e - 1] }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The value stored for `key`.
    func value(for key: [UInt8]) -> Int32? { key.withUnsafeBufferPointer { value(for: $0) } }

    /// The value stored for `key`.
    func value(for key: ArraySlice<UInt8>) -> Int32? { key.withUnsafeBufferPointer { value(for: $0) } }

    /// Stores `value` for `key`, replacing any previous value.
    mutating func set(_ key: UnsafeBufferPointer<UInt8>, _ value: Int32) {
        let h = Self.hash(key)
        var slot = Int(h) & mask
        let found: Int? = bytes.withUnsafeBufferPointer { store in
            while true {
                let e = Int(slots[slot])
                if e == 0 { return nil }
                if hashes[e - 1] == h && Self.equal(store, Int(starts[e - 1]), Int(starts[e]), key) { return e - 1 }
                slot = (slot + 1) & mask
            }
        }
        if let found {
            values[found] = value
            return
        }
        bytes.append(contentsOf: key)
        starts.append(Int32(bytes.count))
        values.append(value)
        hashes.append(h)
        slots[slot] = Int32(values.count)
        if values.count * 2 > slots.count { grow() }
    }

    /// Stores `value` for `key`, replacing any previous value.
    mutating func set(_ key: [UInt8], _ value: Int32) { key.withUnsafeBufferPointer { set($0, value) } }

    private mutating func grow() {
        let size = slots.count * 2
        var newSlots = [Int32](repeating: 0, count: size)
        let newMask = size - 1
        for e in 0..<values.count {
            var slot = Int(hashes[e]) & newMask
            while newSlots[slot] != 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = Int32(e + 1)
        }
        slots = newSlots
        mask = newMask
    }

    @inline(__always) private static func equal(_ store: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int,
                                                _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard to - from == key.count else { return false }
        var i = 0
        while i < key.count {
            if store[from + i] != key[i] { return false }
            i += 1
        }
        return true
    }
}
