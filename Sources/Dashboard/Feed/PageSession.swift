import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// One page's WebSocket: its snapshot, then the feed's frames in order. A page whose
/// buffer overflowed (it read too slowly) finds a gap in the sequence numbers and is sent
/// a fresh snapshot instead of what it missed. What the page sends is read only to notice
/// that it left: a page that wants a fresh start reconnects.
enum PageSession {
    static func handler(feed: PageFeed) -> WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context> {
        { inbound, outbound, _ in
            let (id, seq, snapshot, frames) = feed.subscribe()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await outbound.write(.text(snapshot))
                        var cursor = PageCursor(seq: seq)
                        for await frame in frames {
                            for message in cursor.take(frame, snapshot: feed.snapshot) {
                                switch message {
                                case .text(let text): try await outbound.write(.text(text))
                                case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                                }
                            }
                        }
                        // The dashboard stops (or the reader saw the page leave): say goodbye,
                        // which ends the reader too.
                        try await outbound.close(.goingAway, reason: nil)
                    } catch {
                        // The page went away while we wrote.
                    }
                }
                group.addTask {
                    do { for try await _ in inbound.messages(maxSize: 1 << 16) {} } catch {}
                }
                await group.next()
                group.cancelAll()
            }
            feed.unsubscribe(id)
        }
    }
}

/// Where a page is in the feed's sequence, and what it is sent for each frame: the frame
/// when it is the next; nothing when it is one the page has (a snapshot overtook it); a
/// fresh snapshot when frames were skipped (its buffer overflowed).
struct PageCursor {
    enum Message: Equatable {
        case text(String)
        case binary([UInt8])
    }

    private(set) var seq: Int

    init(seq: Int) { self.seq = seq }

    mutating func take(_ frame: PageFeed.Frame, snapshot: () -> (seq: Int, text: String)) -> [Message] {
        if frame.seq <= seq { return [] }
        if frame.seq != seq + 1, !frame.isSnapshot {
            let (now, text) = snapshot()
            seq = now
            return [.text(text)]
        }
        seq = frame.seq
        return [.text(frame.text)] + frame.previews.map(Message.binary)
    }
}
