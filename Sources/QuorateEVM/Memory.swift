import Glibc
import QuorateCore

/// A frame's memory: a growable zero-filled byte buffer whose size is a multiple of 32.
/// The buffer is reused by the next frame at the same depth (see `FramePool`).
@usableFromInline struct EVMMemory {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// Bytes in use (what MSIZE reports).
    @usableFromInline var size: Int

    @inlinable init(base: UnsafeMutablePointer<UInt8>, capacity: Int, size: Int) {
        self.base = base
        self.capacity = capacity
        self.size = size
    }

    /// Grows to at least `end` bytes rounded up to a word; the new bytes are zero.
    @inlinable @inline(__always) mutating func grow(to end: Int) {
        let newSize = (end + 31) & ~31
        if newSize <= size { return }
        if newSize > capacity { reallocate(newSize) }
        (base + size).update(repeating: 0, count: newSize - size)
        size = newSize
    }

    @inlinable mutating func reallocate(_ needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        fresh.update(from: base, count: size)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    @inlinable @inline(__always) func load(_ offset: Int) -> UInt256 {
        let p = base + offset
        @inline(__always) func be(_ at: Int) -> UInt64 {
            UInt64(bigEndian: UnsafeRawPointer(p + at).loadUnaligned(as: UInt64.self))
        }
        return UInt256(limbs: be(24), be(16), be(8), be(0))
    }

    @inlinable @inline(__always) func store(_ offset: Int, _ v: UInt256) {
        let raw = UnsafeMutableRawPointer(base + offset)
        raw.storeBytes(of: v.l3.bigEndian, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: v.l2.bigEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: v.l1.bigEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: v.l0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    @inlinable func bytes(_ offset: Int, _ count: Int) -> [UInt8] {
        count == 0 ? [] : Array(UnsafeBufferPointer(start: base + offset, count: count))
    }

    /// Copies `count` bytes of `source` from `sourceOffset` (which may run past its end: the
    /// rest is zero) into memory at `offset`.
    @inlinable func write(_ offset: Int, from source: UnsafeBufferPointer<UInt8>, sourceOffset: UInt256, count: Int) {
        if count == 0 { return }
        var copied = 0
        if let so = sourceOffset.uint64, so < UInt64(source.count) {
            copied = Swift.min(count, source.count - Int(so))
            (base + offset).update(from: source.baseAddress! + Int(so), count: copied)
        }
        if copied < count { (base + offset + copied).update(repeating: 0, count: count - copied) }
    }
}

/// Stacks and memory buffers, one of each per call depth, allocated the first time a depth is
/// reached and reused by every later frame at that depth; freed with the EVM.
@usableFromInline final class FramePool {
    @usableFromInline var stacks: [UnsafeMutablePointer<UInt256>] = []
    @usableFromInline var memories: [(UnsafeMutablePointer<UInt8>, Int)] = []

    @inlinable func stack(depth: Int) -> UnsafeMutablePointer<UInt256> {
        while stacks.count < depth { stacks.append(.allocate(capacity: Gas.stackLimit)) }
        return stacks[depth - 1]
    }

    @inlinable func memory(depth: Int) -> EVMMemory {
        while memories.count < depth { memories.append((.allocate(capacity: 1024), 1024)) }
        let (base, capacity) = memories[depth - 1]
        return EVMMemory(base: base, capacity: capacity, size: 0)
    }

    /// Takes back a frame's buffer, which may have been reallocated while it grew.
    @inlinable func release(_ memory: EVMMemory, depth: Int) {
        memories[depth - 1] = (memory.base, memory.capacity)
    }

    deinit {
        for s in stacks { s.deallocate() }
        for (m, _) in memories { m.deallocate() }
    }
}
