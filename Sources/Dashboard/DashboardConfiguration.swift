import Foundation

/// Where the dashboard listens and who may use it.
public struct DashboardConfiguration: Sendable {
    /// The address to bind (`127.0.0.1`, `::1`, `0.0.0.0`, a host name).
    public var host: String
    /// The port; 0 picks a free one (see `Dashboard.port`).
    public var port: Int
    /// The secret every request must carry (a bearer header, or the cookie set when the page
    /// is opened with `?token=`). Required unless `host` is a loopback address.
    public var token: String?
    /// Offer the simulator's demo workflow on the page (`--demo`).
    public var demo: Bool
    /// At most this many updates per second to each page.
    public var updatesPerSecond: Int
    /// The largest workflow upload when no server has said its `max_upload_size`.
    public var defaultMaxUpload: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8190, token: String? = nil, demo: Bool = false, updatesPerSecond: Int = 30,
        defaultMaxUpload: Int = 100 << 20
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.demo = demo
        self.updatesPerSecond = updatesPerSecond
        self.defaultMaxUpload = defaultMaxUpload
    }

    /// Why the dashboard may not start as configured.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// `HOST:PORT`, `[V6]:PORT`, `HOST` (port 8190) or `:PORT` (127.0.0.1).
    public static func parse(listen: String) throws(Problem) -> (host: String, port: Int) {
        var host = Substring(listen)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw Problem("--listen \(listen): a '[' without its ']'") }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if rest.hasPrefix(":") { port = rest.dropFirst() } else if !rest.isEmpty { throw Problem("--listen \(listen): expected [ADDRESS]:PORT") }
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        if host.isEmpty { host = "127.0.0.1" }
        var number = 8190
        if let port {
            guard let value = Int(port), (0...65535).contains(value) else { throw Problem("--listen \(listen): '\(port)' is not a port (0-65535)") }
            number = value
        }
        return (String(host), number)
    }

    /// 127.0.0.0/8, ::1 and `localhost`: only this machine can connect.
    public static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "::1" || lower == "0:0:0:0:0:0:0:1" { return true }
        let parts = lower.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The configuration is safe to start: a non-loopback address needs a token.
    public func check() throws(Problem) {
        if let token, token.isEmpty { throw Problem("the dashboard token is empty") }
        guard token == nil, !Self.isLoopback(host) else { return }
        throw Problem(
            "refusing to listen on \(host): it is not a loopback address, so anyone who can reach it could watch and drive your ComfyUI servers. "
                + "Give a secret with --token (or $COMFYSH_DASHBOARD_TOKEN), or listen on 127.0.0.1")
    }
}
