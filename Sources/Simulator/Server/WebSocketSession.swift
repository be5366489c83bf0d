import HummingbirdWebSocket
import NIOCore
// Not declared in Package.swift (a dependency of HummingbirdWebSocket): needed for
// `WebSocketErrorCode(codeNumber:)`. See the note in ComfySimulator.swift.
import NIOWebSocket
import ComfyCore

/// One upgraded WebSocket: registers it with the core, writes what the core queues for
/// it, and reads what the client sends (only a first `feature_flags` frame matters).
enum WebSocketSession {
    /// aiohttp's limit on frames the server receives. Frames it sends are not limited.
    static let maxIncomingFrame = 4 << 20

    static func handler(
        core: SimulatorCore, faults: FaultSwitches, channel: any Channel, clientID: String?
    ) -> WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context> {
        { inbound, outbound, _ in
            let (socket, frames) = await core.open(channel: channel, clientID: clientID)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await write(frames, to: outbound, channel: channel, faults: faults) }
                await read(inbound, socket: socket, core: core)
                group.cancelAll()
            }
            await core.closed(socket)
        }
    }

    /// Reads until the client closes or the connection dies. The server only acts on
    /// the first text frame that is a JSON object, and only if it is `feature_flags`.
    private static func read(_ inbound: WebSocketInboundStream, socket: SocketConnection, core: SimulatorCore) async {
        var first = true
        do {
            for try await message in inbound.messages(maxSize: maxIncomingFrame) {
                guard first, case .text(let text) = message else { continue }
                // A frame that does not parse, or is not an object, leaves the
                // negotiation open (the server's handler raises before marking it).
                guard let value = try? JSONValue.parse(text), case .object = value else { continue }
                first = false
                let json = PyJSON(value)
                if json["type"] == .string("feature_flags") {
                    await core.negotiate(json["data"] ?? .emptyObject, for: socket)
                }
            }
        } catch {
            // A read error ends the connection like a close does.
        }
    }

    /// Writes queued frames in order. Each frame waits out the frame delay counted from
    /// when it was queued (latency, not throughput), and waits while stalled.
    private static func write(
        _ frames: AsyncStream<OutgoingFrame>, to outbound: WebSocketOutboundWriter, channel: any Channel, faults: FaultSwitches
    ) async {
        var writable = true
        for await frame in frames where writable {
            if let delay = faults.frameDelay {
                try? await Task.sleep(until: frame.queuedAt + delay, clock: .continuous)
            }
            guard !Task.isCancelled else { return }
            if case .drop = frame.kind {
                try? await channel.close()  // stalled or not: the process is gone
                return
            }
            // Stalled: nothing goes out, but nothing is lost either — TCP delivers in order
            // or not at all, so a socket that survives the stall gets what was held.
            while faults.isStalled, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
            }
            guard !Task.isCancelled else { return }
            do {
                switch frame.kind {
                case .text(let text):
                    try await outbound.write(.text(text))
                case .binary(let bytes):
                    try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                case .close(let code):
                    try await outbound.close(.init(codeNumber: Int(code)), reason: nil)
                    writable = false  // nothing may follow a close frame
                case .drop:
                    break  // handled above
                }
            } catch {
                writable = false
            }
        }
    }
}
