// `stdout` is a mutable C global; Swift 6 refuses to touch it without this.
@preconcurrency import Glibc

/// Piped stdout is fully buffered; line buffering lets a caller see the table as it is printed.
func lineBufferStandardOutput() {
    setvbuf(stdout, nil, _IOLBF, 0)
}
