import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request over a plain socket to 127.0.0.1, exactly as written (any Host,
/// Origin or upgrade header a test wants), and the answer read to the end of its head and
/// body. Nothing is added: what a hostile page or a script would send.
enum RawHTTP {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func request(
        port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [], host: String? = nil
    ) async throws -> Answer {
        // Blocking socket calls, on a thread of their own: never on the few threads Swift's
        // tasks share (the dashboard in this process answers on those).
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blocking(port: port, method, path, headers: headers, body: body, host: host) })
            }
        }
    }

    /// A WebSocket upgrade request: the answer's head (101 when upgraded; the socket is then closed).
    static func upgrade(port: Int, path: String = "/ws", headers: [(String, String)]) async throws -> Answer {
        try await request(port: port, "GET", path, headers: [
            ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ] + headers)
    }

    private static func blocking(port: Int, _ method: String, _ path: String, headers: [(String, String)], body: [UInt8], host: String?) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to \(port): errno \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\n"
        let upgrading = headers.contains { $0.0 == "Upgrade" }
        if !upgrading { head += "Connection: close\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let chunked = headers.contains { $0.0 == "Transfer-Encoding" }
        if !chunked, !headers.contains(where: { $0.0 == "Content-Length" }), !body.isEmpty || method == "POST" {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may answer and close before reading it all (413)
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
            // An upgrade's answer has no end but the head.
            if upgrading, let end = find(received, [13, 10, 13, 10]) {
                received = Array(received[..<(end + 4)])
                break
            }
        }
        guard let end = find(received, [13, 10, 13, 10]) else { throw Failure(description: "no HTTP answer: \(String(decoding: received, as: UTF8.self))") }
        let lines = String(decoding: received[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        let fields = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var content = Array(received[(end + 4)...])
        if fields.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased() == "chunked" }) { content = dechunk(content) }
        return Answer(status: status, headers: fields, body: content)
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while let lineEnd = find(Array(bytes[i...]), [13, 10]).map({ $0 + i }) {
            let size = Int(String(decoding: bytes[i..<lineEnd], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            out += bytes[(lineEnd + 2)..<min(bytes.count, lineEnd + 2 + size)]
            i = lineEnd + 2 + size + 2
            if i >= bytes.count { break }
        }
        return out
    }
}
