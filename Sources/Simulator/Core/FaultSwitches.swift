import Synchronization

/// The fault switches that the per-socket writers and the upgrade check read on every
/// frame or request. They live behind a lock rather than in the actor so that a writer
/// can consult them without a hop per frame.
final class FaultSwitches: Sendable {
    private struct State {
        var stalled = false
        var refusingStatus: Int?
        var frameDelay: Duration?
        var httpDelay: Duration?
        var cannedAnswers: [String: CannedAnswer] = [:]
        var refusingUpgrades = false
        var historyOmits: [String] = []
        var recordedHeaderNames: Set<String> = []
        var receivedHeaders: [ReceivedHeader] = []
    }

    private let state = Mutex(State())

    var isStalled: Bool {
        get { state.withLock { $0.stalled } }
        set { state.withLock { $0.stalled = newValue } }
    }

    var refusingStatus: Int? {
        get { state.withLock { $0.refusingStatus } }
        set { state.withLock { $0.refusingStatus = newValue } }
    }

    var frameDelay: Duration? {
        get { state.withLock { $0.frameDelay } }
        set { state.withLock { $0.frameDelay = newValue } }
    }

    var httpDelay: Duration? {
        get { state.withLock { $0.httpDelay } }
        set { state.withLock { $0.httpDelay = newValue } }
    }

    /// `"METHOD /route"` (without `/api`) → the answer that replaces the server's.
    func cannedAnswer(method: String, route: String) -> CannedAnswer? {
        state.withLock { $0.cannedAnswers.isEmpty ? nil : $0.cannedAnswers["\(method.uppercased()) \(route)"] }
    }

    func setCannedAnswer(_ answer: CannedAnswer?, method: String, route: String) {
        state.withLock { $0.cannedAnswers["\(method.uppercased()) \(route)"] = answer }
    }

    var refusingUpgrades: Bool {
        get { state.withLock { $0.refusingUpgrades } }
        set { state.withLock { $0.refusingUpgrades = newValue } }
    }

    /// Keys (`status`, or one level down: `status.messages`) left out of history entries.
    var historyOmits: [String] {
        get { state.withLock { $0.historyOmits } }
        set { state.withLock { $0.historyOmits = newValue } }
    }

    // MARK: Inspection (not a fault: it changes no answer)

    /// Lower-cased header names whose values are recorded; empty: nothing is.
    var recordedHeaderNames: Set<String> {
        get { state.withLock { $0.recordedHeaderNames } }
        set { state.withLock { $0.recordedHeaderNames = newValue } }
    }

    var receivedHeaders: [ReceivedHeader] { state.withLock { $0.receivedHeaders } }

    /// Notes the recorded headers among `fields` (name, value) of a request for `path`.
    func record(path: String, _ fields: [(name: String, value: String)]) {
        state.withLock { state in
            guard !state.recordedHeaderNames.isEmpty else { return }
            for field in fields where state.recordedHeaderNames.contains(field.name.lowercased()) {
                // Bounded: a long-running simulator must not grow without end.
                if state.receivedHeaders.count >= 1000 { state.receivedHeaders.removeFirst() }
                state.receivedHeaders.append(ReceivedHeader(path: path, name: field.name.lowercased(), value: field.value))
            }
        }
    }
}

/// An answer the simulator gives instead of its own (`setAnswer(_:for:_:)`): what a proxy,
/// another program on the port, or a failing handler would answer.
public struct CannedAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String = "") {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// What aiohttp answers when a handler raises.
    public static let serverError = CannedAnswer(status: 500, body: "500 Internal Server Error\n\nServer got itself in trouble")

    /// A web page, as another web server on the port would answer.
    public static func webPage(status: Int = 200) -> CannedAnswer {
        CannedAnswer(status: status, contentType: "text/html; charset=utf-8", body: "<!doctype html><title>Not ComfyUI</title><p>Hello</p>")
    }
}

/// One request header the simulator received (see `setRecordingHeaders(_:)`).
public struct ReceivedHeader: Sendable, Equatable {
    /// The request path as sent (`/prompt`, `/ws?clientId=…`).
    public var path: String
    /// Lower-cased.
    public var name: String
    public var value: String

    public init(path: String, name: String, value: String) {
        self.path = path
        self.name = name
        self.value = value
    }
}
