import ComfyLive
import Foundation
import ComfyCore

/// A recorded transcript seen as a script: the client's actions in order, what each
/// socket received, and how many frames each socket had received before each action
/// (the point at which the recorder acted).
struct Recording {
    enum ComfyAction {
        case open(socket: Int, path: String, send: [String])
        case close(socket: Int)
        case http(method: String, path: String, request: JSONValue, status: Int, response: JSONValue)
    }

    struct Step {
        let action: ComfyAction
        /// Incoming frames per socket recorded before the action was taken.
        let framesBefore: [Int: Int]
    }

    let name: String
    let steps: [Step]
    /// Tokens of every incoming frame, per socket.
    let incoming: [Int: [String]]
    /// The frames themselves, per socket.
    let incomingFrames: [Int: [ReceivedFrame]]

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/comfyui")

    init(_ name: String) throws {
        self.name = name
        let path = Self.directory.appendingPathComponent("\(name).jsonl").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var actions: [(time: Double, action: ComfyAction)] = []
        var frames: [(time: Double, socket: Int, frame: ReceivedFrame)] = []
        var lastOpen: [Int: Int] = [:]
        for (line, entry) in try TranscriptReader.read(path: path) {
            switch entry {
            case .open(let t, let socket, let path):
                lastOpen[socket] = actions.count
                actions.append((t, .open(socket: socket, path: path, send: [])))
            case .close(let t, let socket):
                actions.append((t, .close(socket: socket)))
            case .text(let t, let socket, true, let text):
                frames.append((t, socket, ReceivedFrame(kind: .text(text))))
            case .text(_, let socket, false, let text):
                // What the client sent: replayed right after its socket opens.
                if let index = lastOpen[socket], case .open(let s, let p, let send) = actions[index].action {
                    actions[index].action = .open(socket: s, path: p, send: send + [text])
                }
            case .binary(let t, let socket, let bytes):
                frames.append((t, socket, ReceivedFrame(kind: .binary(bytes ?? []))))
            case .http(let t, let method, let path, let status, let request, let response):
                // HTTP lines are written when the answer came; the action happened at `t_sent`.
                let raw = try? JSONValue.parse(String(lines[line - 1]))
                let sent = raw?["t_sent"]?.doubleValue ?? t
                actions.append((sent, .http(method: method, path: path, request: request, status: status, response: response)))
            case .meta, .note:
                break
            }
        }
        let ordered = actions.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        steps = ordered.map { _, item in
            var before: [Int: Int] = [:]
            for frame in frames where frame.time < item.time { before[frame.socket, default: 0] += 1 }
            return Step(action: item.action, framesBefore: before)
        }
        incomingFrames = Dictionary(grouping: frames, by: \.socket).mapValues { $0.map(\.frame) }
        incoming = incomingFrames.mapValues { $0.map(\.token) }
    }
}
