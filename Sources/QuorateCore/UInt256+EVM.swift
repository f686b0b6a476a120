/// Limb access for the EVM interpreter, which implements its own wrapping 256-bit arithmetic
/// on the stack words in place. Inlinable so the interpreter's hot loop pays no call.
extension UInt256 {
    /// From four little-endian limbs: `l0` holds the least significant 64 bits.
    @inlinable @inline(__always)
    public init(limbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.init(w0: l0, w1: l1, w2: l2, w3: l3)
    }

    /// Least significant limb.
    @inlinable public var l0: UInt64 {
        @inline(__always) get { w0 }
        @inline(__always) set { w0 = newValue }
    }

    @inlinable public var l1: UInt64 {
        @inline(__always) get { w1 }
        @inline(__always) set { w1 = newValue }
    }

    @inlinable public var l2: UInt64 {
        @inline(__always) get { w2 }
        @inline(__always) set { w2 = newValue }
    }

    /// Most significant limb.
    @inlinable public var l3: UInt64 {
        @inline(__always) get { w3 }
        @inline(__always) set { w3 = newValue }
    }
}
