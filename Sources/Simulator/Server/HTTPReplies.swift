import HTTPTypes
import Hummingbird
import NIOCore
import ComfyCore

/// Building aiohttp-like responses and reading request bodies.
enum HTTPReplies {
    /// `web.json_response`: Python's JSON text, `application/json; charset=utf-8`.
    static func json(_ value: PyJSON, status: Int = 200) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
    }

    /// `web.Response(status=...)`: no body.
    static func empty(status: Int = 200) -> Response {
        Response(status: .init(code: status))
    }

    /// What aiohttp answers when a handler raises.
    static func serverError() -> Response {
        Response(
            status: .internalServerError,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "500 Internal Server Error\n\nServer got itself in trouble")))
    }

    static func reply(_ reply: SimulatorCore.Reply) -> Response {
        guard let body = reply.body else { return reply.status == 500 ? serverError() : empty(status: reply.status) }
        return json(body, status: reply.status)
    }

    /// The body as JSON: nil when it is empty or not JSON (callers decide what the
    /// server would do then). Bodies are limited to `max_upload_size`, like the server's.
    static func jsonBody(_ request: Request) async throws -> PyJSON? {
        var request = request
        let buffer = try await request.collectBody(upTo: 104_857_600)
        guard buffer.readableBytes > 0 else { return nil }
        let bytes = buffer.readableBytesView
        guard let value = try? JSONValue.parse(bytes) else { return nil }
        return PyJSON(value)
    }
}

/// While the simulator refuses (`setRefusing(status:)`), every HTTP request gets that
/// status, before any route runs; while it is slow (`setHTTPDelay`), every answer waits.
struct RefusingMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let faults: FaultSwitches

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let delay = faults.httpDelay { try await Task.sleep(for: delay) }
        if let status = faults.refusingStatus { return HTTPReplies.empty(status: status) }
        return try await next(request, context)
    }
}
