import ComfyCore

/// A frame a test client received, with a short token that names what matters for
/// comparing runs (type and key fields, never ids or timestamps).
struct ReceivedFrame: Sendable {
    enum Kind: Sendable {
        case text(String)
        case binary([UInt8])
    }

    let kind: Kind

    var json: JSONValue? {
        guard case .text(let text) = kind else { return nil }
        return try? JSONValue.parse(text)
    }

    var type: String? { json?["type"]?.stringValue }
    var data: JSONValue? { json?["data"] }

    var binaryType: Int? {
        guard case .binary(let bytes) = kind, bytes.count >= 4 else { return nil }
        return Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
    }

    var token: String { FrameToken.make(self) }
}

/// Every frame a client received, in order, and whether its connection ended. Tests
/// wait on it with predicates instead of sleeping.
actor FrameLog {
    private(set) var frames: [ReceivedFrame] = []
    private(set) var ended = false
    private var waiters: [(predicate: @Sendable ([ReceivedFrame], Bool) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func append(_ frame: ReceivedFrame) {
        frames.append(frame)
        check()
    }

    func finish() {
        ended = true
        check()
    }

    /// Returns once `predicate(frames, ended)` holds. If the connection ends without it
    /// holding, returns anyway: the caller's assertion then fails with what arrived.
    func wait(until predicate: @escaping @Sendable ([ReceivedFrame], Bool) -> Bool) async {
        if predicate(frames, ended) || ended { return }
        await withCheckedContinuation { waiters.append((predicate, $0)) }
    }

    func wait(forCount count: Int) async { await wait { frames, _ in frames.count >= count } }

    func wait(forType type: String, count: Int = 1) async {
        await wait { frames, _ in frames.filter { $0.type == type }.count >= count }
    }

    var tokens: [String] { frames.map(\.token) }

    private func check() {
        var waiting: [(predicate: @Sendable ([ReceivedFrame], Bool) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in waiters {
            if ended || waiter.predicate(frames, ended) { waiter.continuation.resume() } else { waiting.append(waiter) }
        }
        waiters = waiting
    }
}
