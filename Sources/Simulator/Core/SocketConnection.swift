import NIOCore

/// One open WebSocket as the core sees it: where its frames go, and its channel for the
/// faults that act below the WebSocket layer (stall, drop).
final class SocketConnection: Sendable {
    let id: Int
    /// The client id it registered under (`clientId`, or one the server made up).
    let sid: String
    let generation: Int
    let channel: any Channel
    let outbox: AsyncStream<OutgoingFrame>.Continuation

    init(id: Int, sid: String, generation: Int, channel: any Channel, outbox: AsyncStream<OutgoingFrame>.Continuation) {
        self.id = id
        self.sid = sid
        self.generation = generation
        self.channel = channel
        self.outbox = outbox
    }

    /// Stops or resumes reading from the TCP socket. Not reading is what makes a stalled
    /// server leave pings unanswered: WebSocket control frames are handled only as
    /// frames are read.
    func setReading(_ reading: Bool) {
        channel.setOption(ChannelOptions.autoRead, value: reading).whenComplete { _ in }
    }
}

/// A frame on its way to one socket.
struct OutgoingFrame: Sendable {
    enum Kind: Sendable {
        case text(String)
        case binary([UInt8])
        /// A server-initiated close frame with this code.
        case close(UInt16)
        /// The connection dies here, without a close frame, after the frames queued before
        /// it: a process that exits has already handed those to the network.
        case drop
    }

    let kind: Kind
    /// When it was queued: `setFrameDelay` holds each frame until this plus the delay.
    let queuedAt: ContinuousClock.Instant
}
