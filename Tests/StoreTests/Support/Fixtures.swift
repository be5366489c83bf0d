import ComfyLive
import Foundation
import ComfyCore

/// The recorded transcripts in Tests/Fixtures/comfyui (copied unchanged from the
/// shared recordings of a real ComfyUI 0.33.0 server).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/comfyui")

    static let all = [
        "cached_rerun", "connect_idle", "execution_error", "history", "http_misc", "interrupt", "invalid_prompt",
        "observer_two_clients", "queue_many", "reconnect_midrun", "success_progress", "success_progress_legacy",
    ]

    static func path(_ name: String) -> String { directory.appendingPathComponent("\(name).jsonl").path }

    static func entries(_ name: String) throws -> [(line: Int, entry: TranscriptEntry)] {
        try TranscriptReader.read(path: path(name))
    }

    /// The state after replaying `name` up to and including transcript line `line`.
    static func state(_ name: String, throughLine line: Int = .max) throws -> AppState {
        var state = AppState()
        TranscriptActions.replay(try entries(name).filter { $0.line <= line }, into: &state)
        return state
    }

    /// Every action `name` produces, in order, with its transcript line.
    static func actions(_ name: String) throws -> [(line: Int, action: ComfyAction)] {
        var out: [(Int, ComfyAction)] = []
        var state = AppState()
        TranscriptActions.replay(try entries(name), into: &state) { out.append(($0.line, $0.action)) }
        return out
    }

    /// The raw incoming frames of every transcript: text frames and binary frames.
    static func incomingFrames() throws -> (text: [String], binary: [[UInt8]]) {
        var text: [String] = []
        var binary: [[UInt8]] = []
        for name in all {
            for (_, entry) in try entries(name) {
                switch entry {
                case .text(_, _, true, let t): text.append(t)
                case .binary(_, _, let b?): binary.append(b)
                default: continue
                }
            }
        }
        return (text, binary)
    }
}

extension AppState {
    func prompt(_ id: String) -> PromptRecord? { queue.prompts[id] }
}

/// `{"images":[{"filename":…,"subfolder":…,"type":…}]}` as the server writes it.
func images(_ files: (filename: String, subfolder: String, type: String)...) -> JSONValue {
    .object([
        JSONField(
            "images",
            .array(
                files.map {
                    .object([
                        JSONField("filename", .string($0.filename)), JSONField("subfolder", .string($0.subfolder)),
                        JSONField("type", .string($0.type)),
                    ])
                }))
    ])
}
