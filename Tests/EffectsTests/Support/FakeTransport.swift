import ComfyLive
import ComfyCore
import Synchronization

/// A scripted WebSocket: each connection attempt waits for the test to fail it or open
/// it; an open channel records what the client sent and delivers what the test pushes.
final class FakeTransport: SocketTransport {
    let attempts: AsyncStream<Attempt>
    private let sink: AsyncStream<Attempt>.Continuation
    private let count = Mutex(0)

    init() { (attempts, sink) = AsyncStream.makeStream() }

    var attemptCount: Int { count.withLock { $0 } }

    func connect(
        url: String, headers: [(name: String, value: String)], options: SocketOptions,
        handler: @escaping @Sendable (any SocketChannel) async throws -> Void
    ) async throws -> SocketEnd {
        count.withLock { $0 += 1 }
        let (decisions, decide) = AsyncStream<Decision>.makeStream()
        sink.yield(Attempt(url: url, headers: headers, options: options, decide: decide))
        var iterator = decisions.makeAsyncIterator()
        guard let decision = await iterator.next() else { throw CancellationError() }
        switch decision {
        case .fail(let error):
            throw error
        case .open(let channel):
            try await handler(channel)
            return channel.end.withLock { $0 } ?? SocketEnd(code: nil, reason: nil)
        }
    }

    enum Decision: Sendable {
        case fail(any Error)
        case open(FakeChannel)
    }

    struct Attempt: Sendable {
        let url: String
        let headers: [(name: String, value: String)]
        let options: SocketOptions
        let decide: AsyncStream<Decision>.Continuation

        func fail(_ error: any Error = FakeError.refused) { decide.yield(.fail(error)) }

        @discardableResult
        func open() -> FakeChannel {
            let channel = FakeChannel()
            decide.yield(.open(channel))
            return channel
        }
    }
}

enum FakeError: Error, CustomStringConvertible {
    case refused, upgradeFailed
    var description: String {
        switch self {
        case .refused: "connection refused"
        case .upgradeFailed: "WebSocket upgrade failed"
        }
    }
}

final class FakeChannel: SocketChannel {
    let inbound: AsyncThrowingStream<SocketMessage, any Error>
    private let feed: AsyncThrowingStream<SocketMessage, any Error>.Continuation
    let sent = Mutex<[String]>([])
    let closedWith = Mutex<Int?>(nil)
    let end = Mutex<SocketEnd?>(nil)

    init() { (inbound, feed) = AsyncThrowingStream.makeStream() }

    func send(text: String) async throws { sent.withLock { $0.append(text) } }

    /// The client closes: the (fake) server answers the close at once.
    func close(code: Int, reason: String) async {
        closedWith.withLock { $0 = code }
        end.withLock { $0 = SocketEnd(code: code, reason: reason) }
        feed.finish()
    }

    func push(_ text: String) { feed.yield(.text(text)) }

    /// The server ends the connection: with a close code, or vanishing (nil).
    func serverEnds(code: Int?) {
        end.withLock { $0 = SocketEnd(code: code, reason: nil) }
        feed.finish()
    }
}
