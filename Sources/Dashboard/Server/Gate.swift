import Foundation
import HTTPTypes

/// Who may use the dashboard, checked on every request and on the WebSocket's upgrade.
///
/// * **Token** (when one is set): a request carries `Authorization: Bearer TOKEN`, or the
///   session cookie. Opening the page once as `/?token=TOKEN` sets that cookie — a random
///   value of this process, `HttpOnly` and `SameSite=Strict`, never the token itself — and
///   redirects to `/`, so the token leaves the address bar. Anything else: 401, empty.
/// * **Host** (without a token, on loopback): the `Host` header must name this machine
///   (`127.0.0.1`, `localhost`, `[::1]`), so a page of another site that resolves its own
///   name to 127.0.0.1 (DNS rebinding) is refused.
/// * **Origin**: a request that changes something, and the WebSocket, must come from the
///   dashboard's own page: an `Origin` header, when there is one, must be this `Host`'s.
///   Browsers always send it on those requests; a program without one (curl), or with a
///   WebSocket client's `ws://` origin, is not a page of another site.
struct Gate: Sendable {
    let token: String?
    /// The cookie's value: random, per process.
    let session: String
    /// Without a token: only loopback names in `Host`.
    let loopbackHostsOnly: Bool

    static let cookieName = "comfysh_dashboard"

    init(token: String?) {
        self.token = token
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &generator) }
        session = bytes.map { String(format: "%02x", $0) }.joined()
        loopbackHostsOnly = token == nil
    }

    enum Verdict: Equatable {
        case allowed
        /// 401, nothing else.
        case unauthorized
        /// 403, with why.
        case forbidden(String)
    }

    /// The checks every request passes (the Origin only where `changes`).
    func check(_ request: HTTPRequest, changes: Bool) -> Verdict {
        let fields = request.headerFields
        // HTTP/1's Host header is the request's authority in swift-http-types.
        let host = request.authority
        if loopbackHostsOnly, !Self.isLoopbackHost(host) {
            return .forbidden("this dashboard answers only at 127.0.0.1, localhost or [::1] (the Host header named another)")
        }
        if token != nil, !carriesToken(fields) { return .unauthorized }
        if changes, !originMatches(fields, host: host) { return .forbidden("cross-origin request refused: the Origin is not this dashboard's") }
        return .allowed
    }

    /// A bearer token or the session cookie.
    func carriesToken(_ fields: HTTPFields) -> Bool {
        guard let token else { return true }
        if let authorization = fields[.authorization], authorization.lowercased().hasPrefix("bearer "),
            Self.same(String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces), token)
        {
            return true
        }
        for header in fields[values: .cookie] {
            for pair in header.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces) == Self.cookieName,
                    Self.same(kv[1].trimmingCharacters(in: .whitespaces), session)
                {
                    return true
                }
            }
        }
        return false
    }

    /// `?token=` on the page's address matches.
    func matches(token candidate: String) -> Bool { token.map { Self.same(candidate, $0) } ?? false }

    /// `Set-Cookie` for the session.
    var cookie: String { "\(Self.cookieName)=\(session); Path=/; HttpOnly; SameSite=Strict" }

    /// No Origin (not a browser's request), or exactly `http://` + the Host it was sent to.
    /// A `ws:`/`wss:` origin is a WebSocket client's (swift-websocket's WSClient writes one),
    /// never a page's: a browser's Origin is its page's, `http(s)://…` or `null`.
    func originMatches(_ fields: HTTPFields, host: String?) -> Bool {
        // Every Origin the request carries (a browser sends one; a forged second one counts too).
        fields[values: .origin].allSatisfy { value in
            let origin = value.lowercased()
            if origin.hasPrefix("ws://") || origin.hasPrefix("wss://") { return true }
            guard let host else { return false }
            return origin == "http://" + host.lowercased()
        }
    }

    static func isLoopbackHost(_ host: String?) -> Bool {
        guard var host = host?.lowercased() else { return false }
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        return DashboardConfiguration.isLoopback(host)
    }

    /// Compares in time that does not depend on where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }
}
