import ComfySimulator
import Foundation
import Testing

/// The shell follows a fleet: `servers`, `submit --on`, `server remove`, and the job
/// store's lines (`jobs`), on two simulated servers, piped.
@Suite(.timeLimit(.minutes(1))) struct FleetShellTests {
    @Test func theShellListsItsServersPinsJobsAndRemovesAServer() async throws {
        let folder = try TestFolder()
        let a = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(2)))
        let b = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(2)))
        try await a.start()
        try await b.start()
        let script = ["servers", "submit demo --on b --watch", "submit demo --on nowhere", "server remove b", "servers", "jobs 5"]
        let shell = try Subprocess(
            ["--server", "a=\(a.baseURL)", "--server", "b=\(b.baseURL)"], environment: folder.environment,
            stdin: script.joined(separator: "\n") + "\n")
        let (lines, status) = await shell.finish()
        #expect(status == 0, "\(shell.stderr)")
        #expect(lines.contains("● a: connected to \(a.baseURL) (ComfyUI 0.33.0-sim) as \(String(lines.first { $0.hasPrefix("● a:") }?.suffix(8) ?? ""))"))
        let removed = try #require(lines.firstIndex(of: "server b removed"))
        #expect(lines[..<removed].filter { $0.hasPrefix("  a  connected · ") || $0.hasPrefix("  b  connected · ") }.count == 2)
        let succeeded = try #require(lines.first { $0.hasPrefix("✔ ") && $0.contains(": succeeded in ") })
        let id = String(succeeded.dropFirst(2).prefix(8))
        #expect(await b.completedRuns.keys.contains { $0.hasPrefix(id) })
        #expect(await a.completedRuns.isEmpty)
        #expect(lines.contains("✘ --on nowhere: no such server ('servers' lists them)"))
        // After the removal, one server is left: its line alone.
        #expect(lines[removed...].filter { $0.hasPrefix("  a  ") || $0.hasPrefix("  b  ") }.map { String($0.prefix(5)) } == ["  a  "])
        // The job store has the job, on b.
        #expect(lines.contains { $0.hasPrefix("  \(id)  succeeded    b  ") })
        await a.stop()
        await b.stop()
    }
}
