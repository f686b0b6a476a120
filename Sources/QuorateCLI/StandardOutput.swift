// `stdout` is a mutable C global; Swift 6 refuses to touch it without this.
@preconcurrency import Glibc

/// A program whose stdout is a pipe gets full buffering; scripts that wait for "listening on"
/// would then wait forever. Line buffering fixes that.
public func lineBufferStandardOutput() {
    setvbuf(stdout, nil, _IOLBF, 0)
}
