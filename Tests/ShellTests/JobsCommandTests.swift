import ComfyCore
import ComfySimulator
import Foundation
import Testing

/// The job store through the command line: `comfysh run` writes every job, `comfysh jobs`
/// lists, shows and downloads them; a damaged store is refused with a clear message and
/// nothing else is touched.
@Suite(.timeLimit(.minutes(1))) struct JobsCommandTests {
    func run(_ arguments: [String], folder: TestFolder) async throws -> (stdout: [String], stderr: String, status: Int32) {
        let process = try Subprocess(arguments, environment: folder.environment)
        let (lines, status) = await process.finish()
        return (lines, process.stderr, status)
    }

    @Test func runWritesEveryJobAndJobsListsShowsAndDownloadsThem() async throws {
        let (folder, simulator) = (try TestFolder(), try await TestFolder.simulator())
        let store = folder.url.appendingPathComponent("jobs.sqlite").path
        let workflow = try folder.workflow("portrait.json")
        let ran = try await run(["run", workflow, workflow, "--server", "sim=\(simulator.baseURL)", "--jobs", store, "--json"], folder: folder)
        #expect(ran.status == 0, "\(ran.stderr)")
        let ids = try #require(ran.stdout.last.flatMap { try? JSONValue.parse($0) }?["prompts"]?.arrayValue?.compactMap { $0["prompt_id"]?.stringValue })
        let listed = try await run(["jobs", "--jobs", store], folder: folder)
        #expect(listed.status == 0)
        #expect(listed.stdout.count == 2)
        #expect(listed.stdout.allSatisfy { $0.contains("  succeeded    sim ") && $0.hasSuffix("1 file(s)  portrait.json") })
        #expect(Set(listed.stdout.map { String($0.prefix(8)) }) == Set(ids.map { String($0.prefix(8)) }))
        let shown = try await run(["jobs", "show", String(ids[0].prefix(6)), "--jobs", store, "--json"], folder: folder)
        let job = try #require(shown.stdout.first.flatMap { try? JSONValue.parse($0) })
        #expect(job["prompt_id"] == .string(ids[0]))
        #expect(job["status"] == "succeeded")
        #expect(job["server"] == "sim")
        #expect(job["sent_to"] == ["sim"])
        #expect(job["workflow"]?["2"]?["class_type"] == "TestProgressLoop")
        let out = folder.url.appendingPathComponent("out").path
        let downloaded = try await run(["jobs", "download", String(ids[0].prefix(8)), "--to", out, "--jobs", store, "--server", "sim=\(simulator.baseURL)"], folder: folder)
        await simulator.stop()
        #expect(downloaded.status == 0, "\(downloaded.stderr)")
        #expect(downloaded.stdout.count == 1 && downloaded.stdout[0].hasPrefix("  saved \(out)/"))
        // The store and its write-ahead log are the user's alone.
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: store + suffix) {
            let mode = try FileManager.default.attributesOfItem(atPath: store + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(suffix)")
        }
        let missing = try await run(["jobs", "show", "ffffffff", "--jobs", store], folder: folder)
        #expect(missing.status == 1)
        #expect(missing.stderr == "comfysh jobs show: no job matches 'ffffffff' (or more than one does)\n")
    }

    @Test func aDamagedStoreIsRefusedAndTheWorkflowIsUntouched() async throws {
        let folder = try TestFolder()
        let store = folder.url.appendingPathComponent("jobs.sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: store))
        let workflow = try folder.workflow("keep.json")
        let before = try Data(contentsOf: URL(fileURLWithPath: workflow))
        let ran = try await run(["run", workflow, "--server", "http://127.0.0.1:1", "--jobs", store], folder: folder)
        #expect(ran.status == 2)
        #expect(ran.stderr.hasPrefix("comfysh run: the job database \(store) is damaged or not a database ("))
        #expect(ran.stderr.hasSuffix("); move it aside to start a new one (your workflow files are not touched)\n"))
        #expect(ran.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: workflow)) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == Data(repeating: 0x41, count: 4096))
        let listed = try await run(["jobs", "--jobs", store], folder: folder)
        #expect(listed.status == 2)
    }
}
