import ComfyCore

/// One line of a transcript in the format of the shared fixtures (JSON Lines; see
/// Tests/Fixtures/comfyui/README.md): what a client saw and did, and when.
public enum TranscriptEntry: Sendable, Equatable {
    /// Line 1: the scenario, server versions, client ids.
    case meta(JSONValue)
    /// A socket opened: its number (`conn`) and the path it asked for (`/ws?clientId=…`).
    case open(t: Double, socket: Int, path: String)
    /// Always initiated by the recording client.
    case close(t: Double, socket: Int)
    /// A text frame, incoming (`dir: in`) or sent by the client (`dir: out`).
    case text(t: Double, socket: Int, incoming: Bool, text: String)
    /// A binary frame, the whole frame (nil if its base64 was broken).
    case binary(t: Double, socket: Int, bytes: [UInt8]?)
    /// An HTTP exchange; `t` is when the answer came.
    case http(t: Double, method: String, path: String, status: Int, request: JSONValue, response: JSONValue)
    /// What the recorder was about to do, for people.
    case note(t: Double, text: String)

    /// Seconds since the transcript began (0 for the meta line).
    public var t: Double {
        switch self {
        case .meta: 0
        case .open(let t, _, _), .close(let t, _), .text(let t, _, _, _), .binary(let t, _, _),
            .http(let t, _, _, _, _, _), .note(let t, _):
            t
        }
    }
}

/// Why a transcript line could not be read.
public struct TranscriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line number, from 1; 0 when the file itself could not be read.
    public var line: Int
    /// What is wrong with it.
    public var reason: String
    /// An error on line `line`.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
    /// `line N: reason`, or the reason alone when no line is concerned.
    public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
}
