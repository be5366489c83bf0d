import ComfyCore

/// One HTTP call to the server and what came back. Non-2xx answers are answers, not
/// errors; `status == nil` means no answer at all (unreachable, timeout, reset).
public struct HTTPExchange: Sendable, Equatable {
    /// `GET` or `POST`, as a transcript records it.
    public var method: String
    /// The route as the core knows it (`/prompt`, `/history/x`), without base path or `/api`.
    public var route: String
    /// The HTTP status; nil: no answer at all (see ``failure``).
    public var status: Int?
    /// The JSON body sent, for a POST.
    public var request: JSONValue?
    /// The body as JSON when it was JSON, else as a string (`""` when empty).
    public var response: JSONValue?
    /// Why there was no answer.
    public var failure: ConnectionProblem?
    /// How long the call took, in milliseconds.
    public var milliseconds: Double

    /// An exchange as a transcript records it.
    public init(
        method: String, route: String, status: Int?, request: JSONValue?, response: JSONValue?,
        failure: ConnectionProblem? = nil, milliseconds: Double = 0
    ) {
        self.method = method
        self.route = route
        self.status = status
        self.request = request
        self.response = response
        self.failure = failure
        self.milliseconds = milliseconds
    }

    /// The exchange for `request`, answered or not.
    public init(
        _ request: APIRequest, status: Int?, response: JSONValue?, failure: ConnectionProblem? = nil, milliseconds: Double = 0
    ) {
        self.init(
            method: request.method.rawValue, route: request.route, status: status, request: request.body, response: response,
            failure: failure, milliseconds: milliseconds)
    }

    /// The answer, interpreted for the core (the same decoder reads transcripts).
    public var result: HTTPResult {
        guard let status else {
            return .failed(method: method, path: route, status: nil, message: failure?.description ?? "no answer")
        }
        return HTTPResultDecoder.decode(method: method, path: route, status: status, request: request, response: response)
    }
}

/// Raw bytes from the server (`/view`).
public struct HTTPDownload: Sendable, Equatable {
    /// nil: no answer at all (see `failure`).
    public var status: Int?
    /// The body, as sent (empty when there was no answer).
    public var bytes: [UInt8]
    /// The server's `Content-Type`, if it said.
    public var contentType: String?
    /// Why there was no answer.
    public var failure: ConnectionProblem?

    /// A download's outcome.
    public init(status: Int?, bytes: [UInt8], contentType: String? = nil, failure: ConnectionProblem? = nil) {
        self.status = status
        self.bytes = bytes
        self.contentType = contentType
        self.failure = failure
    }
}

/// The server's HTTP API as the live layer uses it: typed requests in, exchanges out. The
/// live implementation is `AsyncHTTPComfyHTTP`; tests may substitute their own.
public protocol ComfyHTTP: Sendable {
    /// Sends `request`, waiting at most `timeout`. Never throws: a non-2xx status is an
    /// answer, and no answer is an exchange with `status` nil.
    func send(_ request: APIRequest, timeout: Duration) async -> HTTPExchange
    /// Downloads raw bytes (`/view`), at most `maxBytes`.
    func download(_ request: APIRequest, timeout: Duration, maxBytes: Int) async -> HTTPDownload
    /// Releases the connections; nothing is sent after it.
    func shutdown() async
}
