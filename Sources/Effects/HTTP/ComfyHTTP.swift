import ComfyCore

/// One HTTP call to the server and what came back. Non-2xx answers are answers, not
/// errors; `status == nil` means no answer at all (unreachable, timeout, reset).
public struct HTTPExchange: Sendable, Equatable {
    public var method: String
    /// The route as the core knows it (`/prompt`, `/history/x`), without base path or `/api`.
    public var route: String
    public var status: Int?
    public var request: JSONValue?
    /// The body as JSON when it was JSON, else as a string (`""` when empty).
    public var response: JSONValue?
    /// Why there was no answer.
    public var failure: String?
    /// How long the call took, in milliseconds.
    public var milliseconds: Double

    public init(
        method: String, route: String, status: Int?, request: JSONValue?, response: JSONValue?,
        failure: String? = nil, milliseconds: Double = 0
    ) {
        self.method = method
        self.route = route
        self.status = status
        self.request = request
        self.response = response
        self.failure = failure
        self.milliseconds = milliseconds
    }

    /// The answer, interpreted for the core (the same decoder reads transcripts).
    public var result: HTTPResult {
        guard let status else {
            return .failed(method: method, path: route, status: nil, message: failure ?? "no answer")
        }
        return HTTPResultDecoder.decode(method: method, path: route, status: status, request: request, response: response)
    }
}

/// The server's HTTP API as Effects uses it. The live implementation is
/// `AsyncHTTPComfyHTTP`; tests may substitute their own.
public protocol ComfyHTTP: Sendable {
    func send(method: String, route: String, body: JSONValue?, timeout: Duration) async -> HTTPExchange
    /// Downloads raw bytes (`/view`); nil status when unreachable.
    func download(route: String, timeout: Duration, maxBytes: Int) async -> (status: Int?, bytes: [UInt8], failure: String?)
    func shutdown() async
}
