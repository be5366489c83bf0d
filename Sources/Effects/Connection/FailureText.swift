import Foundation
import ComfyCore

/// Classifies a transport error as a `ConnectionProblem`, without anything from the
/// request (no headers). NIO and BoringSSL describe errors for programmers; a person (and a
/// front end deciding whether to retry) needs to know whether the server is down, slow,
/// not trusted, or speaking something else. This is the one place that reads the
/// libraries' words: nothing downstream matches on text.
func classify(_ error: any Error) -> ConnectionProblem {
    let text = String(describing: error)
    if text.contains("Connection refused") { return .refused }
    if let tls = classifyTLS(text) { return .tls(tls) }
    if text.contains("deadlineExceeded") || text.contains("connectTimeout") || text.contains("timeout") { return .timedOut }
    if text.contains("remoteConnectionClosed") || text.contains("Connection reset") { return .resetByServer }
    return .other(text.count > 200 ? String(text.prefix(200)) + "…" : text)
}

/// TLS failures, which must never look like anything else: verification is always on and
/// an `https`/`wss` server is never retried over plain `http`/`ws`.
func classifyTLS(_ text: String) -> ConnectionProblem.TLSProblem? {
    if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") { return .untrusted }
    if text.contains("failedToValidateHostname") { return .wrongHost }
    if text.contains("cannotUseIPAddressInSNI") { return .ipAddressOverWSS }
    if text.contains("tlsHandshakeTimeout") { return .handshakeTimeout }
    if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") { return .notTLS }
    guard text.contains("handshakeFailed") || text.contains("BoringSSL") || text.contains("NIOSSL") else { return nil }
    // BoringSSL's reason code (`…:OPENSSL_internal:SOME_REASON …`) says enough.
    if let range = text.range(of: #"OPENSSL_internal:[A-Z_]+"#, options: .regularExpression) {
        return .handshakeFailed(reason: String(text[range].dropFirst("OPENSSL_internal:".count)))
    }
    return .handshakeFailed(reason: nil)
}

/// Whether a transport error says the server answered the WebSocket upgrade with
/// something other than 101 (then `GET /prompt` is asked what the server is).
func isUpgradeRefusal(_ error: any Error) -> Bool {
    String(describing: error).contains("upgrade")
}
