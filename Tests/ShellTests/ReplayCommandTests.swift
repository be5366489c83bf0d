import Foundation
import Testing

/// `comfysh replay` end to end: the real executable, as a subprocess, on the fixtures.
@Suite struct ReplayCommandTests {
    static let root = Subprocess.root
    static var executable: URL { Subprocess.executable }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func comfysh(_ arguments: String...) throws -> Run {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    func fixture(_ name: String) -> String { "Tests/Fixtures/comfyui/\(name).jsonl" }

    @Test func jsonOutputIsTheFinalStateWithTheDocumentedKeys() throws {
        let run = try comfysh("replay", fixture("execution_error"), "--json")
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let state = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        // Version 1's keys, and version 2's (docs/state.md).
        #expect(Set(state.keys) == ["version", "connection", "queue", "nodes", "progress", "log", "servers"])
        #expect(state["version"] as? Int == 2)
        let queue = try #require(state["queue"] as? [String: Any])
        #expect(queue["remaining"] as? Int == 0)
        let prompts = try #require(queue["prompts"] as? [String: [String: Any]])
        let prompt = try #require(prompts["6bebeaf6-2392-491f-8b54-106acdbd12a3"])
        #expect(prompt["status"] as? String == "failed")
        let error = try #require(prompt["error"] as? [String: Any])
        #expect(error["exception_type"] as? String == "RuntimeError")
        #expect(error["exception_message"] as? String == "TestFail: deliberate failure\n")
        #expect(error["node_id"] as? String == "2")
        #expect(error["node_type"] as? String == "TestFail")
    }

    @Test func jsonOutputCarriesOutputsAndRejections() throws {
        let run = try comfysh("replay", fixture("invalid_prompt"), "--json")
        #expect(run.status == 0)
        let state = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let queue = try #require(state["queue"] as? [String: Any])
        let rejected = try #require(queue["rejected"] as? [[String: Any]])
        #expect(rejected.compactMap { $0["type"] as? String }.contains("prompt_outputs_failed_validation"))
        let prompts = try #require(queue["prompts"] as? [String: [String: Any]])
        let outputs = try #require(prompts["bd8f7a89-37d2-4531-b558-b7f0290d2605"]?["outputs"] as? [String: Any])
        let five = try #require(outputs["5"] as? [String: Any])
        let images = try #require(five["images"] as? [[String: Any]])
        #expect(images.first?["filename"] as? String == "partial_00003_.png")
    }

    @Test func humanOutputShowsEachActionAndItsDiff() throws {
        let run = try comfysh("replay", fixture("success_progress"))
        #expect(run.status == 0)
        #expect(run.stdout.contains("[0.0073] ← execution_start 61c72f8c  (line 9)"))
        #expect(run.stdout.contains(#"~ queue.prompts.61c72f8c-db00-4528-8c9e-48b99686c2ff.status: "queued" → "running""#))
        #expect(run.stdout.contains(#"~ queue.prompts.61c72f8c-db00-4528-8c9e-48b99686c2ff.status: "running" → "succeeded""#))
        #expect(run.stdout.contains("⇒ fetch history 61c72f8c-db00-4528-8c9e-48b99686c2ff"))
        #expect(run.stdout.hasSuffix("61c72f8c-db00-4528-8c9e-48b99686c2ff  succeeded  (ours, 2 output node(s))\n"))
        // Quiet fields only with --verbose.
        #expect(!run.stdout.contains("last_frame_at"))
        #expect(try comfysh("replay", fixture("success_progress"), "--verbose").stdout.contains("connection.last_frame_at"))
    }

    @Test func aMissingFileIsAClearErrorAndExit2() throws {
        let run = try comfysh("replay", "no/such/file.jsonl")
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "comfysh replay: no/such/file.jsonl: no such file: no/such/file.jsonl\n")
    }

    @Test func aLineThatIsNotJSONOrOfAnUnknownKindIsAClearErrorAndExit2() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let notJSON = dir.appendingPathComponent("bad.jsonl")
        try Data("{\"t\":0,\"meta\":{}}\nnot json at all\n".utf8).write(to: notJSON)
        let run = try comfysh("replay", notJSON.path)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("comfysh replay: \(notJSON.path): line 2: not JSON"))
        let unknown = dir.appendingPathComponent("unknown.jsonl")
        try Data("{\"t\":0,\"meta\":{}}\n{\"t\":1,\"what\":1}\n".utf8).write(to: unknown)
        let run2 = try comfysh("replay", unknown.path)
        #expect(run2.status == 2)
        #expect(run2.stderr.contains("line 2: unknown line kind (keys: t, what)"))
    }

    @Test func aMalformedFrameInAValidLineIsLoggedNotFatal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("frames.jsonl")
        try Data(#"""
            {"t":0,"meta":{}}
            {"t":0.1,"ws":{"event":"open","conn":0,"path":"/ws?clientId=abc"}}
            {"t":0.2,"conn":0,"dir":"in","kind":"text","text":"{\"type\": \"progress\", \"data\": {\"value\": "}
            {"t":0.3,"conn":0,"dir":"in","kind":"binary","b64":"AAAABA=="}
            {"t":0.4,"conn":0,"dir":"in","kind":"binary","b64":"!!!"}

            """#.utf8).write(to: file)
        let run = try comfysh("replay", file.path, "--json")
        #expect(run.status == 0)
        let state = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let log = try #require((state["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(log.filter { $0["kind"] as? String == "protocol_error" }.count == 3)
    }
}
