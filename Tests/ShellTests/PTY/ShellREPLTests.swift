import Foundation
import ComfySimulator
import Testing

/// The interactive shell as a person meets it: `comfysh` on a real pseudo-terminal, typed
/// at, its screen read back. Each test waits on what the screen shows, never on time.
@Suite(.timeLimit(.minutes(1))) struct ShellREPLTests {
    /// The prompt, whatever the connection shows in front of it.
    static let prompt = #"\] comfysh>"#

    /// A state folder of the test's own (history, client id), removed at the end.
    final class StateFolder: Sendable {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-repl-\(UUID().uuidString)")
        var history: URL { url.appendingPathComponent("comfysh/history") }
        var environment: [String: String] { ["XDG_STATE_HOME": url.path] }
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// The issue's "done when", typed: `--demo` → `help` → `submit demo` shows a progress
    /// percentage, diff lines and the success notification; `quit` leaves with 0 and the
    /// history file exists, private.
    @Test func theDemoRunsAPromptWithProgressDiffAndNotification() async throws {
        let state = try StateFolder()
        let pty = try PTYSession(comfysh: ["--demo"], environment: state.environment)
        try await pty.expect("demo: a simulated ComfyUI server is running at http://127.0.0.1:[0-9]+")
        try await pty.expect(#"● connected to http://127\.0\.0\.1:[0-9]+ \(ComfyUI [^)]+\) as [0-9a-f]{8}"#)
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        pty.send("help\r")
        try await pty.expect(#"submit FILE\|demo \[--set N\.I=V\] \[--vary N\.I=A,B\] \[--watch\]"#)
        pty.send("submit demo\r")
        let submitted = try await pty.expect(#"submitted [0-9a-f-]{36} \(5 nodes\) as #0"#)
        let id = String(submitted.dropFirst("submitted ".count).prefix(8))
        try await pty.expect(#"\+ queue\.prompts\.\#(id)[0-9a-f-]*: (queued|running|succeeded) · ours"#)
        // The prompt follows the state while it runs, with no command typed (issue 15):
        // matched in the output as drawn (the screen may have moved on: the demo prompt
        // takes 1.5 s), then a later step's live line.
        try await pty.expect(#"\[connected · 1 running\] comfysh>"#)
        try await pty.expect(#"▸ \#(id) node [0-9]+ [0-9]+/[0-9]+ [0-9]+% · prompt [0-9]+%"#)
        try await pty.expect("✔ \(id): succeeded", timeout: .seconds(20))
        // The live line is gone once the prompt ended; the prompt is back, idle.
        let screen = try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        #expect(!screen.contains { $0.hasPrefix("▸") })
        pty.send("quit\r")
        #expect(try await pty.wait().status == 0)

        let attributes = try FileManager.default.attributesOfItem(atPath: state.history.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let saved = try String(contentsOf: state.history, encoding: .utf8)
        #expect(saved.contains("submit\\040demo") || saved.contains("submit demo"))
    }

    @Test func tabCompletesCommandsFilesAndPromptIDs() async throws {
        let state = try StateFolder()
        let folder = state.url.appendingPathComponent("flows")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent("upscale-4x.json"))
        let pty = try PTYSession(comfysh: ["--demo"], environment: state.environment)
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)

        // A command: one candidate completes with a space.
        pty.send("subm\t")
        try await pty.expectScreen(#"comfysh> submit$"#)
        // A file path.
        pty.send("\(folder.path)/up\t")
        try await pty.expectScreen(#"comfysh> submit \#(NSRegularExpression.escapedPattern(for: folder.path))/upscale-4x\.json$"#)
        pty.send("\u{15}")  // Ctrl-U: clear the line
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)

        // A prompt id, from its first characters.
        pty.send("submit demo\r")
        let submitted = try await pty.expect(#"submitted [0-9a-f-]{36}"#)
        let id = String(submitted.dropFirst("submitted ".count))
        try await pty.expect("✔ \(id.prefix(8)): succeeded", timeout: .seconds(20))
        pty.send("history \(id.prefix(3))\t")
        try await pty.expectScreen(#"comfysh> history \#(id)$"#)
        pty.send("\r")
        try await pty.expect("succeeded")
        pty.send("\u{04}")  // Ctrl-D on an empty line leaves
        #expect(try await pty.wait().status == 0)
    }

    /// After `submit FILE --set`, Tab completes the file's node titles, then their inputs
    /// (from the workflow converted with the server's catalogue); the prompt then runs.
    @Test func tabCompletesNodeTitlesAndInputsAfterSet() async throws {
        let state = try StateFolder()
        let simulator = try await EditorWorkflowRunTests.simulator()
        let file = EditorWorkflowRunTests.loop
        let pty = try PTYSession(comfysh: ["--server", simulator.baseURL], environment: state.environment, columns: 240)
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        // The catalogue is read just after connecting (890 classes, a moment in a debug build).
        for _ in 0..<20 {
            pty.send("servers\r")
            if (try? await pty.expect("890 node classes", timeout: .seconds(1))) != nil { break }
        }
        pty.send("submit \(file) --set Pro\t")
        try await pty.expectScreen(#"--set Progress\.$"#)
        pty.send("ste\t")
        try await pty.expectScreen(#"--set Progress\.steps=$"#)
        pty.send("2 --set Emp\t")
        try await pty.expectScreen(#"--set Progress\.steps=2 --set Empty\\ Image\.$"#)
        pty.send("wi\t")
        try await pty.expectScreen(#"--set Empty\\ Image\.width=$"#)
        pty.send("32 --watch\r")
        try await pty.expect(#"submitted [0-9a-f-]{36} \(3 nodes\) as #"#)
        try await pty.expect(#"✔ [0-9a-f]{8}: succeeded"#, timeout: .seconds(20))
        pty.send("quit\r")
        #expect(try await pty.wait().status == 0)
        await simulator.stop()
    }

    @Test func historyIsKeptAcrossSessionsAndSearchedWithCtrlR() async throws {
        let state = try StateFolder()
        let first = try PTYSession(comfysh: ["--no-connect"], environment: state.environment)
        try await first.expectScreen(#"\[offline\] comfysh>$"#)
        first.send("log 3\r")
        try await first.expectScreen(Self.prompt + "$")
        first.send("diff verbose\r")
        try await first.expectScreen(Self.prompt + "$")
        // A line starting with a space is not kept; a password in a URL is kept redacted.
        first.send(" state --json\r")
        try await first.expectScreen(#""log""#)
        first.send("connect http://me:hunter2@127.0.0.1:9/\r")
        try await first.expectScreen(Self.prompt + "$")
        first.send("quit\r")
        #expect(try await first.wait().status == 0)

        let saved = try String(contentsOf: state.history, encoding: .utf8)
        #expect(!saved.contains("hunter2"))
        #expect(!saved.contains("state"))

        let second = try PTYSession(comfysh: ["--no-connect"], environment: state.environment)
        try await second.expectScreen(#"\[offline\] comfysh>$"#)
        second.send("\u{1B}[A")  // Up: the last line of the previous session
        try await second.expectScreen(#"comfysh> quit$"#)
        second.send("\u{1B}[A")
        try await second.expectScreen(#"comfysh> connect http://me:\*\*\*@127\.0\.0\.1:9/$"#)
        second.send("\u{1B}[A")
        try await second.expectScreen(#"comfysh> diff verbose$"#)
        second.send("\u{15}\u{12}og")  // Ctrl-U, then Ctrl-R and "og"
        try await second.expectScreen(#"log 3"#)
        second.send("\r")
        try await second.expectScreen(Self.prompt + "$")
        second.send("quit\r")
        #expect(try await second.wait().status == 0)
    }

    @Test func ctrlCStopsWatchingAndTheShellGoesOn() async throws {
        let state = try StateFolder()
        let pty = try PTYSession(comfysh: ["--demo"], environment: state.environment)
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        pty.send("watch\r")
        try await pty.expect("watching — Ctrl-C to stop")
        pty.send("\u{03}")
        try await pty.expect("stopped watching")
        // Ctrl-C on a line being typed clears it, and does not leave either.
        pty.send("statu")
        try await pty.expectScreen(#"comfysh> statu$"#)
        pty.send("\u{03}")
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        pty.send("status\r")
        try await pty.expect(#"connection +connected"#)
        pty.send("quit\r")
        #expect(try await pty.wait().status == 0)
    }

    /// The prompt says what the connection is doing as the server goes away and comes back.
    @Test func thePromptFollowsTheConnectionWhenTheServerDropsIt() async throws {
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(5)))
        try await simulator.start()
        let state = try StateFolder()
        let pty = try PTYSession(comfysh: ["--server", simulator.baseURL], environment: state.environment)
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)

        // Refuse reconnection, then cut every socket: lost, then reconnecting with attempts.
        await simulator.setRefusing(status: 503)
        await simulator.dropAllConnections()
        try await pty.expect("● connection lost")
        try await pty.expectScreen(#"\[reconnecting( in [0-9]+ s)? · attempt [0-9]+\] comfysh>$"#)

        await simulator.setRefusing(status: nil)
        try await pty.expect(#"● connection restored \(after [0-9]+ reconnect attempt\(s\) in all\)"#, timeout: .seconds(40))
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        pty.send("quit\r")
        #expect(try await pty.wait().status == 0)
        await simulator.stop()
    }

    /// The same commands piped on stdin: no line editor, no colours or cursor moves, exit 0
    /// at the end of input.
    @Test func aPipedScriptRunsTopToBottomInPlainText() async throws {
        let state = try StateFolder()
        let script = "help\nstatus\nsubmit demo --watch\nqueue\nbogus\nlog 2\n"
        let shell = try Subprocess(["--demo"], environment: state.environment, stdin: script)
        let (lines, status) = await shell.finish()
        #expect(status == 0)
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("Commands:"))
        #expect(lines.contains { $0.hasPrefix("  connection    connected") })
        let notified = try #require(lines.firstIndex { $0.hasPrefix("✔ ") && $0.contains(": succeeded in ") })
        let progress = try #require(lines.firstIndex { $0.hasPrefix("▸ ") && $0.contains("% · prompt ") })
        let diff = try #require(lines.firstIndex { $0.hasPrefix("  + queue.prompts.") })
        // In the order it happened: progress, the notification, then the command's diff.
        #expect(progress < notified && notified < diff)
        #expect(lines.contains("queue: 0 running, 0 pending (server: 0 remaining)"))
        #expect(lines.contains("✘ unknown command 'bogus' — 'help' lists them"))
        // `queue` asked the server (a resync), so the log's last two entries end with it.
        #expect(lines.suffix(2).allSatisfy { $0.hasPrefix("  [") })
        #expect(lines.last?.contains("resynced: 0 running, 0 pending") == true)
    }
}
