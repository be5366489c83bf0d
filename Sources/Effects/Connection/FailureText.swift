import Foundation

/// A one-line reason for a transport error, without anything from the request (no
/// headers): NIO and BoringSSL describe errors for programmers; a person needs to know
/// whether the server is down, slow, or speaking something else.
func describe(_ error: any Error) -> String {
    let text = String(describing: error)
    if text.contains("Connection refused") { return "connection refused" }
    if let tls = describeTLS(text) { return tls }
    if text.contains("deadlineExceeded") || text.contains("connectTimeout") || text.contains("timeout") { return "timed out" }
    if text.contains("remoteConnectionClosed") || text.contains("Connection reset") { return "connection closed by the server" }
    return text.count > 200 ? String(text.prefix(200)) + "…" : text
}

/// TLS failures, which must never look like anything else: verification is always on and
/// an `https`/`wss` server is never retried over plain `http`/`ws`.
func describeTLS(_ text: String) -> String? {
    if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
        return "TLS: the server's certificate is not trusted (verification is on; --cacert FILE trusts an extra CA)"
    }
    if text.contains("failedToValidateHostname") {
        return "TLS: the server's certificate is not for this host name"
    }
    if text.contains("cannotUseIPAddressInSNI") { return HopelessAttempt.ipAddressOverWSS }
    if text.contains("tlsHandshakeTimeout") {
        return "TLS handshake timed out: the server does not complete TLS (is it plain http://?)"
    }
    if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
        return "TLS handshake failed: the server does not speak TLS (is it plain http://?)"
    }
    guard text.contains("handshakeFailed") || text.contains("BoringSSL") || text.contains("NIOSSL") else { return nil }
    // BoringSSL's reason code (`…:OPENSSL_internal:SOME_REASON …`) says enough.
    if let range = text.range(of: #"OPENSSL_internal:[A-Z_]+"#, options: .regularExpression) {
        return "TLS handshake failed (\(text[range].dropFirst("OPENSSL_internal:".count)))"
    }
    return "TLS handshake failed"
}

/// An HTTP server answered the WebSocket upgrade with something else. `comfysh run` and
/// `watch` give up at once on it (another attempt cannot change it); the long-lived
/// client keeps trying, as a proxy in front of a restarting ComfyUI answers this way too.
public enum UpgradeRefusal {
    /// Every reason for it starts with this.
    public static let prefix = "refused the WebSocket upgrade"

    /// `GET /prompt` was asked for what the server is: it answered `status`, as ComfyUI
    /// (`exec_info`) or not.
    static func reason(path: String, probeStatus: Int, answersAsComfyUI: Bool) -> String {
        answersAsComfyUI
            ? "\(prefix) at \(path) though GET /prompt answers as ComfyUI (a proxy that does not pass WebSockets through?)"
            : "\(prefix) at \(path) and GET /prompt → \(probeStatus): not a ComfyUI server"
    }

    public static func matches(_ reason: String) -> Bool { reason.hasPrefix(prefix) }
}

/// A connection attempt that no retry can turn around: `run` and `watch` give up at once.
public enum HopelessAttempt {
    /// WSClient always sends the URL's host as SNI, which TLS forbids for an IP address.
    static let ipAddressOverWSS = "TLS: wss:// to an IP address is not supported; use a host name the server's certificate names"

    public static func matches(_ reason: String) -> Bool { reason == ipAddressOverWSS }
}
