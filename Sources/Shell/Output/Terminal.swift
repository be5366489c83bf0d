#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the shell's text goes: straight to file descriptors 1 and 2 (unbuffered, so a
/// pipe sees each line as it happens and stdout/stderr stay in order).
enum Terminal {
    static func print(_ text: String) {
        guard !text.isEmpty else { return }
        write(fd: 1, text.hasSuffix("\n") ? text : text + "\n")
    }

    static func error(_ text: String) {
        write(fd: 2, text + "\n")
    }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return  // EPIPE: the reader went away; nothing useful to do
                }
                offset += n
            }
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif
