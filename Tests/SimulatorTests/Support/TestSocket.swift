import Logging
import NIOCore
import NIOWebSocket
import WSClient

/// A WebSocket client for tests (swift-websocket's `WSClient`, 16 MiB frames): logs
/// every frame it receives and sends text on request. Its connection runs in a task
/// from `connect` until the socket is gone.
final class TestSocket: Sendable {
    enum Command: Sendable {
        case text(String)
        case close
    }

    let log = FrameLog()
    private let commands: AsyncStream<Command>.Continuation
    private let task: Task<WebSocketCloseFrame?, any Error>

    /// Connects to `url` and sends `sendOnOpen` as soon as the upgrade completes.
    /// `autoPing` enables the client's ping (a missing pong ends the connection).
    init(url: String, sendOnOpen: [String] = [], autoPing: Duration? = nil) {
        let (stream, commands) = AsyncStream.makeStream(of: Command.self)
        let log = self.log
        self.commands = commands
        self.task = Task {
            var configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20)
            configuration.closeTimeout = .seconds(5)
            if let autoPing { configuration.autoPing = .enabled(timePeriod: autoPing) }
            var logger = Logger(label: "test.socket")
            logger.logLevel = .critical
            do {
                let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                    inbound, outbound, _ in
                    for text in sendOnOpen { try await outbound.write(.text(text)) }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await command in stream {
                                switch command {
                                case .text(let text): try await outbound.write(.text(text))
                                case .close: try await outbound.close(.normalClosure, reason: nil)
                                }
                            }
                        }
                        // The only reader: keeps pings, pongs and the close handshake flowing.
                        for try await message in inbound.messages(maxSize: 16 << 20) {
                            switch message {
                            case .text(let text): await log.append(ReceivedFrame(kind: .text(text)))
                            case .binary(let buffer): await log.append(ReceivedFrame(kind: .binary(Array(buffer.readableBytesView))))
                            }
                        }
                        group.cancelAll()
                    }
                }
                await log.finish()
                return close
            } catch {
                await log.finish()
                throw error
            }
        }
    }

    func send(_ text: String) { commands.yield(.text(text)) }

    /// Closes from the client side (close handshake) and waits until the connection is gone.
    func close() async {
        commands.yield(.close)
        _ = await result()
    }

    /// How the connection ended: the server's close frame (nil if none came), or the
    /// error `connect` threw (e.g. a refused upgrade).
    func result() async -> Result<WebSocketCloseFrame?, any Error> {
        await task.result
    }

    /// Cancels the connection (cleanup after a failed test).
    func cancel() { task.cancel() }
}
