import ComfyLive
import ComfyCore
import Synchronization

/// A scripted HTTP server: `answer` decides each reply (nil: no answer at all); every
/// call is recorded.
final class FakeHTTP: ComfyHTTP {
    typealias Answer = @Sendable (_ method: String, _ route: String, _ body: JSONValue?) -> (Int, JSONValue)?
    private let answer: Mutex<Answer>
    let calls = Mutex<[(method: String, route: String, body: JSONValue?)]>([])

    init(_ answer: @escaping Answer = FakeHTTP.emptyServer) { self.answer = Mutex(answer) }

    func set(_ answer: @escaping Answer) { self.answer.withLock { $0 = answer } }

    var routes: [String] { calls.withLock { $0.map { "\($0.method) \($0.route)" } } }

    func send(_ request: APIRequest, timeout: Duration) async -> HTTPExchange {
        let (method, route, body) = (request.method.rawValue, request.route, request.body)
        calls.withLock { $0.append((method, route, body)) }
        let reply = answer.withLock { $0 }(method, route, body)
        guard let (status, response) = reply else {
            return HTTPExchange(method: method, route: route, status: nil, request: body, response: nil, failure: .refused)
        }
        return HTTPExchange(method: method, route: route, status: status, request: body, response: response, milliseconds: 1.5)
    }

    func download(_ request: APIRequest, timeout: Duration, maxBytes: Int) async -> HTTPDownload {
        HTTPDownload(status: 404, bytes: [])
    }

    func shutdown() async {}

    /// An idle ComfyUI: empty queue, no history, everything else 200.
    static let emptyServer: Answer = { method, route, _ in
        switch (method, route) {
        case ("GET", "/queue"): (200, .object(["queue_running": [], "queue_pending": []]))
        case ("GET", let r) where r.hasPrefix("/history/"): (200, .object([JSONField]()))
        case ("GET", "/system_stats"): (200, .object(["system": .object(["comfyui_version": "0.33.0"]), "devices": []]))
        case ("GET", "/prompt"): (200, .object(["exec_info": .object(["queue_remaining": 0])]))
        default: (200, .string(""))
        }
    }
}
