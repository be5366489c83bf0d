import ComfyLive
import ComfyCore
import Synchronization

/// The HTTP side of a server that has nothing queued and no history, answered in
/// process. The stream figures are about the socket path; the reducer's follow-up
/// requests (history when a prompt ends, the queue when `queue_remaining` says 0) still go
/// through the client's command loop and their answers into the store, but no loopback
/// HTTP round trips compete with the stream for the two cores. Counts the calls, so the
/// report can say how many there were.
final class InstantHTTP: ComfyHTTP {
    private let calls = Atomic<Int>(0)

    var count: Int { calls.load(ordering: .relaxed) }

    func send(_ request: APIRequest, timeout: Duration) async -> HTTPExchange {
        calls.add(1, ordering: .relaxed)
        let response: JSONValue
        switch request {
        case .queue: response = .object(["queue_running": [], "queue_pending": []])
        case .queueLength: response = .object(["exec_info": .object(["queue_remaining": 0])])
        default: response = .object([])
        }
        return HTTPExchange(request, status: 200, response: response)
    }

    func download(_ request: APIRequest, timeout: Duration, maxBytes: Int) async -> HTTPDownload {
        HTTPDownload(status: 404, bytes: [])
    }

    func shutdown() async {}
}
