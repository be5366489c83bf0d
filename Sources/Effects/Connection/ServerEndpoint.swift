import Foundation

/// Where the server is: `http(s)://host:port[/base]`, and the URLs derived from it.
///
/// ComfyUI registers every route both as `/x` and `/api/x`; a base path (behind a reverse
/// proxy) is kept in front of both. `ws(s)` follows `http(s)`: a `https` server is never
/// reached over plain `ws`.
public struct ServerEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// True for `https` (and `wss`): TLS, never downgraded.
    public var secure: Bool
    /// The host name or IP address (an IPv6 address without its brackets).
    public var host: String
    /// The port: the URL's, else 443 or 80.
    public var port: Int
    /// Path prefix without a trailing slash ("" or "/comfy").
    public var basePath: String
    /// Route HTTP calls through `/api/…` (as the official frontend does).
    public var apiPrefix: Bool

    /// Why a server URL cannot be used, in one line (`bad port…`, `no host in…`).
    public struct InvalidURL: Error, Equatable, CustomStringConvertible {
        /// What is wrong, in one line.
        public var description: String
    }

    /// Parses `http://127.0.0.1:8188`, `https://host/comfy`, `host:8188` (http assumed),
    /// `ws://…` (taken as http). A trailing `/api` turns on the API prefix.
    public init(_ text: String) throws(InvalidURL) {
        var text = text.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = "http://" + text }
        if let port = text.range(of: #"://[^/@\[\]]*:([^/]*)"#, options: .regularExpression),
            let colon = text[port].lastIndex(of: ":"), !text[port][text[port].index(after: colon)...].allSatisfy(\.isNumber)
        {
            throw InvalidURL(description: "bad port in \(text): a number is expected")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw InvalidURL(description: "not a URL: \(text)")
        }
        switch scheme {
        case "http", "ws": secure = false
        case "https", "wss": secure = true
        default: throw InvalidURL(description: "unsupported scheme \"\(scheme)\" in \(text): use http:// or https://")
        }
        guard let host = components.host, !host.isEmpty else { throw InvalidURL(description: "no host in \(text)") }
        self.host = host
        if let port = components.port {
            guard (1...65535).contains(port) else { throw InvalidURL(description: "port \(port) is out of range (1-65535)") }
            self.port = port
        } else {
            self.port = secure ? 443 : 80
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        apiPrefix = path.hasSuffix("/api")
        if apiPrefix { path.removeLast(4) }
        basePath = path
    }

    /// The server's URL as a person writes it: `http(s)://host[:port][/base]`, the port left
    /// out when it is the scheme's default.
    public var description: String {
        let defaultPort = secure ? 443 : 80
        return "\(secure ? "https" : "http")://\(hostForURL)\(port == defaultPort ? "" : ":\(port)")\(basePath)"
    }

    var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    /// The WebSocket URL for `clientID`.
    public func webSocketURL(clientID: String) -> String {
        "\(secure ? "wss" : "ws")://\(hostForURL):\(port)\(webSocketPath(clientID: clientID))"
    }

    /// The WebSocket path and query for `clientID` (`/ws?clientId=…`).
    public func webSocketPath(clientID: String) -> String {
        let id = clientID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? clientID
        return "\(basePath)\(apiPrefix ? "/api/ws" : "/ws")?clientId=\(id)"
    }

    /// The path (as sent, relative to the host) of `route` (`/prompt`, `/history/x?y=1`).
    public func path(_ route: String) -> String {
        "\(basePath)\(apiPrefix ? "/api" : "")\(route)"
    }

    /// The full URL of `route`.
    public func url(_ route: String) -> String {
        "\(secure ? "https" : "http")://\(hostForURL):\(port)\(path(route))"
    }
}
