import Foundation
import Testing

/// What a person can get wrong before any server is involved: each gets one line on
/// standard error, exit 2, nothing on standard output and no connection attempt (the
/// server given is a closed port). `docs/reliability.md` lists them.
@Suite(.timeLimit(.minutes(1))) struct BadUserInputTests {
    static let closedPort = "http://127.0.0.1:1"

    /// Runs `comfysh run ARGS…` and returns (stderr, stdout lines, status).
    func run(_ arguments: [String], folder: TestFolder) async throws -> (stderr: String, stdout: [String], status: Int32) {
        let process = try Subprocess(["run"] + arguments, environment: folder.environment)
        let (lines, status) = await process.finish()
        return (process.stderr, lines, status)
    }

    @Test(arguments: [
        ("missing.json", nil, "no such file"),
        ("empty.json", "", "the file is empty"),
        ("blank.json", " \n\t\n", "the file is empty"),
        ("broken.json", #"{"1": "#, "not JSON (unexpected end of input at byte 6)"),
        ("list.json", "[1, 2]", "not a workflow (a JSON object of nodes is expected)"),
        ("nothing.json", "{}", "the workflow has no nodes"),
        // The editor's format is converted (with the server's catalogue), but one without
        // nodes is refused before any server is asked.
        ("ui.json", #"{"last_node_id": 3, "nodes": [], "links": [], "version": 0.4}"#, "the workflow has no nodes"),
        ("classless.json", #"{"1": {"inputs": {}}}"#, #"node "1" has no class_type; is this an API-format workflow?"#),
    ] as [(String, String?, String)])
    func aBadWorkflowFileIsOneLineAndExit2(name: String, content: String?, reason: String) async throws {
        let folder = try TestFolder()
        let path = try content.map { try folder.file(name, $0) } ?? folder.url.appendingPathComponent(name).path
        let (stderr, stdout, status) = try await run([path, "--server", Self.closedPort], folder: folder)
        #expect(status == 2)
        #expect(stderr == "comfysh run: \(path): \(reason)\n")
        #expect(stdout.isEmpty)
    }

    @Test func aFolderGivenAsAWorkflowIsOneLineAndExit2() async throws {
        let folder = try TestFolder()
        let (stderr, _, status) = try await run([folder.url.path, "--server", Self.closedPort], folder: folder)
        #expect(status == 2)
        #expect(stderr == "comfysh run: \(folder.url.path): cannot read it (a directory)\n")
    }

    @Test(arguments: [
        (["--server", "ftp://comfy.example"], #"bad server URL: unsupported scheme "ftp" in ftp://comfy.example: use http:// or https://"#),
        (["--server", "http://127.0.0.1:99999"], "bad server URL: port 99999 is out of range (1-65535)"),
        (["--server", "http://127.0.0.1:80a"], "bad server URL: bad port in http://127.0.0.1:80a: a number is expected"),
        (["--server", "http://"], "bad server URL: no host in http://"),
        (["--header", "Authorization Bearer PLANTED-IN-A-BAD-HEADER"], #"bad --header "***": expected 'Name: value'"#),
        (["--cacert", "/nonexistent/ca.pem"], "--cacert /nonexistent/ca.pem: cannot read it"),
        (["--connect-timeout", "0"], "--connect-timeout must be positive"),
    ])
    func aBadOptionIsOneLineAndExit2(options: [String], message: String) async throws {
        let folder = try TestFolder()
        let workflow = try folder.workflow("ok.json")
        let server = options.contains("--server") ? [] : ["--server", Self.closedPort]
        let (stderr, stdout, status) = try await run([workflow] + server + options, folder: folder)
        #expect(status == 2)
        #expect(stderr == "comfysh run: \(message)\n")
        #expect(stdout.isEmpty)
    }

    /// In the shell, a prompt id nobody knows is refused before anything is sent, and a
    /// bad file or URL is one `✘` line; the shell goes on.
    @Test func theShellRefusesUnknownPromptIDsAndBadFilesWithOneLineEach() async throws {
        let folder = try TestFolder()
        let ui = try folder.file("ui.json", #"{"nodes": [], "links": []}"#)
        let script = "cancel 0000\ninterrupt 0000\nhistory 0000\noutputs 0000\nsubmit /nonexistent/flow.json\nsubmit \(ui)\nconnect ftp://x\nstatus\n"
        let shell = try Subprocess(["--demo"], environment: folder.environment, stdin: script)
        let (lines, status) = await shell.finish()
        #expect(status == 0)
        let problems = lines.filter { $0.hasPrefix("✘") }
        #expect(problems == [
            "✘ no prompt matches '0000'",
            "✘ no prompt matches '0000'",
            "✘ no prompt matches '0000'",
            "✘ no prompt matches '0000'",
            "✘ /nonexistent/flow.json: no such file",
            "✘ \(ui): the workflow has no nodes",
            #"✘ bad server URL: unsupported scheme "ftp" in ftp://x: use http:// or https://"#,
        ])
        // Nothing was half done: still connected, nothing submitted.
        #expect(lines.contains { $0.hasPrefix("  connection    connected") })
        #expect(!lines.contains { $0.hasPrefix("submitted ") })
    }
}
