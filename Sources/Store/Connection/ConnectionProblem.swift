/// Why a connection attempt failed or a socket ended, as a type a front end can switch on
/// (its `description` is the one line the state's JSON and the shell show).
///
/// The live layer classifies transport errors into these once (ComfyLive's `FailureText`),
/// so no front end reads a reason's words to decide what to do.
public enum ConnectionProblem: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Nothing listens at the address.
    case refused
    /// The connection attempt got no answer in time.
    case timedOut
    /// The server (or something between) closed the TCP connection.
    case resetByServer
    /// The TLS handshake failed, and why.
    case tls(TLSProblem)
    /// An HTTP server answered the WebSocket upgrade with something else; `GET /prompt`
    /// was asked what the server is. As ComfyUI: a proxy that does not pass WebSockets.
    case upgradeRefused(path: String, probeStatus: Int, answersAsComfyUI: Bool)
    /// The TCP connection was accepted, but the upgrade was never answered.
    case noUpgradeAnswer(seconds: Double)
    /// 401/403: the credentials are wrong. `retryAfterSeconds` nil: not reconnecting.
    case credentialsRefused(status: Int, retryAfterSeconds: Double?)
    /// The server sent a frame over the client's cap (`cap` in words: `64 MiB`).
    case frameTooLarge(cap: String)
    /// The socket ended without a close frame: a dead peer (no pong within two heartbeats),
    /// a reset, or a frame over the cap (NIO closes first; the causes look alike from here).
    case vanished(cap: String)
    /// The server closed the socket with a close frame: its code and reason.
    case closedByServer(code: Int, reason: String?)
    /// We closed it, and why (the user, a failed resync, the stall detector).
    case closedByClient(String)
    /// Anything else, in the words of whatever reported it (a transcript, a library).
    case other(String)

    /// Why TLS failed, as far as the TLS library tells.
    public enum TLSProblem: Sendable, Equatable {
        /// The server's certificate is not trusted (`--cacert FILE` trusts an extra CA).
        case untrusted
        /// The certificate is not for this host name.
        case wrongHost
        /// `wss://` to an IP address: the WebSocket library sends the host as SNI, which TLS forbids.
        case ipAddressOverWSS
        /// The server does not complete the handshake (is it plain `http://`?).
        case handshakeTimeout
        /// The server does not speak TLS (is it plain `http://`?).
        case notTLS
        /// Any other handshake failure, with the library's reason when it gave one.
        case handshakeFailed(reason: String?)
    }

    /// A problem in words: ``other(_:)``.
    public init(stringLiteral value: String) { self = .other(value) }

    /// No retry can turn it around: `comfysh run` and `watch` give up at once. (The
    /// long-lived client keeps trying: a proxy in front of a restarting ComfyUI answers an
    /// upgrade the same way for a while.) An upgrade refused while `GET /prompt` answers
    /// "not now" (5xx, 408, 429: starting, overloaded, a proxy whose server is down) is
    /// not: a resumed `comfysh run` that met a server's 503 window at its start left that
    /// server out for good, and the jobs the job store had on it were never followed to
    /// their end (found by `comfysh-bench chaos --fleet`).
    public var isHopeless: Bool {
        switch self {
        case .upgradeRefused(_, let status, _): !Self.isNotNow(status)
        case .tls(.ipAddressOverWSS): true
        default: false
        }
    }

    /// An HTTP status that says "not now" rather than "not this server".
    static func isNotNow(_ status: Int) -> Bool { status >= 500 || status == 408 || status == 429 }

    /// The problem in one line: what the state's JSON (`reason`, `last_attempt_failure`) and
    /// the shell show.
    public var description: String {
        switch self {
        case .refused: "connection refused"
        case .timedOut: "timed out"
        case .resetByServer: "connection closed by the server"
        case .tls(let problem): problem.description
        case .upgradeRefused(let path, let status, let comfy):
            comfy
                ? "refused the WebSocket upgrade at \(path) though GET /prompt answers as ComfyUI (a proxy that does not pass WebSockets through?)"
                : Self.isNotNow(status)
                    ? "refused the WebSocket upgrade at \(path) and GET /prompt → \(status): unavailable for now"
                    : "refused the WebSocket upgrade at \(path) and GET /prompt → \(status): not a ComfyUI server"
        case .noUpgradeAnswer(let seconds): "no answer to the WebSocket upgrade within \(JSONWriter.number(seconds)) s"
        case .credentialsRefused(let status, let retry?):
            "the server refused the connection (HTTP \(status)); trying again after \(JSONWriter.number(retry)) s"
        case .credentialsRefused(let status, nil):
            "the server refused the connection (HTTP \(status)); check the auth headers or token. Not reconnecting."
        case .frameTooLarge(let cap): "the server sent a frame larger than the \(cap) cap"
        case .vanished(let cap):
            "connection lost without a close frame (dead peer: no pong within two heartbeats; reset; or a frame larger than the \(cap) cap)"
        case .closedByServer(let code, let reason): "closed by the server (\(code)\(reason.map { ", \($0)" } ?? ""))"
        case .closedByClient(let why): why
        case .other(let text): text
        }
    }
}

extension ConnectionProblem.TLSProblem: CustomStringConvertible {
    /// The TLS problem in one line, with what to try where there is something to try.
    public var description: String {
        switch self {
        case .untrusted: "TLS: the server's certificate is not trusted (verification is on; --cacert FILE trusts an extra CA)"
        case .wrongHost: "TLS: the server's certificate is not for this host name"
        case .ipAddressOverWSS: "TLS: wss:// to an IP address is not supported; use a host name the server's certificate names"
        case .handshakeTimeout: "TLS handshake timed out: the server does not complete TLS (is it plain http://?)"
        case .notTLS: "TLS handshake failed: the server does not speak TLS (is it plain http://?)"
        case .handshakeFailed(let reason?): "TLS handshake failed (\(reason))"
        case .handshakeFailed(nil): "TLS handshake failed"
        }
    }
}
