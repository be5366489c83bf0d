import ComfyCore

/// A cheap fingerprint of a decoded action, summed into each benchmark's checksum.
///
/// Why: a decode whose result is never read is work the optimiser may delete (the
/// decoder is inlinable across modules in release builds). Reading the case and one or
/// two fields of every action keeps each result alive, while costing far less than the
/// decode itself (`utf8.count` of a native string is O(1)).
enum Digest {
    static func of(_ action: ComfyAction) -> Int {
        switch action.event {
        case .server(let message):
            return 1 &+ of(message)
        case .binary(let message):
            switch message {
            case .preview(let p): return 2 &+ p.image.count
            case .previewWithMetadata(let p): return 3 &+ p.image.count &+ (p.nodeID?.utf8.count ?? 0)
            case .progressText(let p): return 4 &+ p.text.utf8.count &+ p.nodeID.utf8.count
            }
        case .unknown(let type, let payload):
            return 5 &+ type.utf8.count &+ payload.utf8.count
        case .protocolError(let error):
            return 6 &+ error.reason.utf8.count
        case .connection, .http, .user, .fleet:
            return 7
        }
    }

    static func of(_ message: ServerMessage) -> Int {
        switch message {
        case .status(let s): return s.queueRemaining ?? -1
        case .executing(let e): return (e.node?.utf8.count ?? 0) &+ (e.promptID?.utf8.count ?? 0)
        case .progress(let p): return bits(p.value) &+ bits(p.max)
        case .progressState(let s): return s.nodes.count &+ s.promptID.utf8.count
        case .executed(let e): return e.node.utf8.count &+ e.promptID.utf8.count
        case .executionCached(let id, let nodes, _): return id.utf8.count &+ nodes.count
        case .executionStart(let id, _), .executionSuccess(let id, _): return id.utf8.count
        case .executionError(let f), .executionInterrupted(let f): return f.promptID.utf8.count &+ f.traceback.count
        case .logs(let l): return l.entries.count
        case .featureFlags: return 11
        }
    }

    /// The part of a reduced state that every frame moves: how much was logged, and
    /// when the last frame came.
    static func of(_ state: AppState) -> Int {
        state.log.total &+ bits(state.connection.lastFrameAt?.seconds ?? 0)
    }

    /// A double's bits: unlike `Int(_:)`, never traps (the server may send NaN).
    static func bits(_ d: Double) -> Int { Int(truncatingIfNeeded: d.bitPattern) }
}
