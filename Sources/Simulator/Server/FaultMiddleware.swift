import HTTPTypes
import Hummingbird
import NIOCore

/// Notes the request headers a test asked to see (`setRecordingHeaders(_:)`), before any
/// other middleware can answer: a refused request still shows what it carried.
struct HeaderRecordingMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let faults: FaultSwitches

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        faults.record(path: request.uri.description, request.headers.map { ($0.name.canonicalName, $0.value) })
        return try await next(request, context)
    }
}

/// While an answer is set for a route (`setAnswer(_:for:_:)`), that route gives it instead
/// of running: a 500 from a failing handler, a web page from some other server.
struct CannedAnswerMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let faults: FaultSwitches

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var route = Substring(request.uri.path)
        if route.hasPrefix("/api/") { route = route.dropFirst(4) }
        guard let answer = faults.cannedAnswer(method: request.method.rawValue, route: String(route)) else {
            return try await next(request, context)
        }
        return Response(
            status: .init(code: answer.status),
            headers: [.contentType: answer.contentType],
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
