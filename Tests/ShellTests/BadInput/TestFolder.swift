import Foundation
import ComfySimulator

/// A folder of the test's own for workflow files and state (history, client id),
/// removed at the end.
final class TestFolder: Sendable {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-bad-\(UUID().uuidString)")
    var environment: [String: String] { ["XDG_STATE_HOME": url.appendingPathComponent("state").path] }

    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` as `name` and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// An API-format workflow the simulator runs: an image through `middle` to a save node.
    /// `extra` adds nodes (JSON members, without braces).
    func workflow(_ name: String, middle: String = "TestProgressLoop", steps: Int = 2, extra: String? = nil) throws -> String {
        let inputs = #"{"image": ["1", 0], "steps": \#(steps), "delay": 0.01, "preview": false, "preview_size": 16, "progress_text": false, "seed": \#(Int.random(in: 0..<1_000_000_000))}"#
        return try file(name, #"""
            {"1": {"class_type": "EmptyImage", "inputs": {"width": 16, "height": 16, "batch_size": 1, "color": 0}},
             "2": {"class_type": "\#(middle)", "inputs": \#(inputs)},
             "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "comfy_test/bad"}}\#(extra.map { ",\n " + $0 } ?? "")}
            """#)
    }

    static func simulator() async throws -> ComfyUISimulator {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(2)))
        try await simulator.start()
        return simulator
    }
}
