import ComfyCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Responses, and the headers every one of them carries.
enum Replies {
    /// Only the page's own files: no inline script or style, no other site, no frames.
    /// Previews are `blob:` URLs the page makes from the binary frames.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static func secure(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(value))))
    }

    /// `{"ok": false, "error": message}`.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(.object([JSONField("ok", false), JSONField("error", .string(message))]), status: status)
    }

    static func bytes(_ bytes: some Sequence<UInt8>, type: String, cache: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: type]
        if let cache { headers[.cacheControl] = cache }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Array(bytes))))
    }

    static func unauthorized() -> Response {
        Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentLength: "0"], body: .init())
    }
}

extension HTTPField.Name {
    // Not among swift-http-types' names.
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
}
