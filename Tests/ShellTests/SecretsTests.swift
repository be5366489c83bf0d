import Foundation
import ComfySimulator
import ComfyCore
import Testing

/// Secrets never leave the request: planted tokens (a `--header`, `$COMFY_TOKEN`, and a
/// password and token typed in a `connect` URL) reach the server — so the check is not
/// vacuous — and appear in none of what comfysh prints or writes: `run --json` output and
/// errors, the shell's trace, `state --json`, `log`, `status`, a recorded transcript (and
/// its replay), the history file and every other file in the state folder. Where a header
/// is shown, its value is `***`.
@Suite(.timeLimit(.minutes(1))) struct SecretsTests {
    @Test func plantedTokensReachTheServerAndAppearInNoOutputOrFile() async throws {
        let folder = try TestFolder()
        let simulator = try await TestFolder.simulator()
        await simulator.setRecordingHeaders(["authorization", "x-api-key"])
        let mark = UUID().uuidString.prefix(8)
        let headerToken = "HDR-\(mark)-planted"
        let envToken = "ENV-\(mark)-planted"
        let keyToken = "KEY-\(mark)-planted"
        let urlPassword = "PWD-\(mark)-planted"
        let queryToken = "QRY-\(mark)-planted"
        let secrets = [headerToken, envToken, keyToken, urlPassword, queryToken]
        var outputs: [(what: String, text: String)] = []
        let workflow = try folder.workflow("flow.json")

        // 1. `run --json`, with the header; a refused run; a malformed header.
        let run = try Subprocess(["run", workflow, "--server", simulator.baseURL, "--json",
                                  "--header", "Authorization: Bearer \(headerToken)"], environment: folder.environment)
        let (runLines, runStatus) = await run.finish()
        #expect(runStatus == 0, "\(run.stderr)")
        outputs += [("run --json", runLines.joined(separator: "\n")), ("run stderr", run.stderr)]
        let runHeaders = await simulator.receivedHeaders
        await simulator.setRefusing(status: 401)
        let refused = try Subprocess(["run", workflow, "--server", simulator.baseURL, "--header", "Authorization: Bearer \(headerToken)"],
                                     environment: folder.environment)
        let (refusedLines, refusedStatus) = await refused.finish()
        #expect(refusedStatus == 2)
        outputs += [("refused run", refusedLines.joined(separator: "\n")), ("refused run stderr", refused.stderr)]
        await simulator.setRefusing(status: nil)
        let malformed = try Subprocess(["run", workflow, "--server", simulator.baseURL, "--header", "Authorization Bearer \(headerToken)"],
                                       environment: folder.environment)
        _ = await malformed.finish()
        #expect(malformed.stderr == "comfysh run: bad --header \"***\": expected 'Name: value'\n")
        outputs.append(("malformed header", malformed.stderr))

        // 2. The shell, scripted: `$COMFY_TOKEN` and another header; trace, record, state, log.
        let transcript = folder.url.appendingPathComponent("session.jsonl").path
        let script = ["trace on", "record \(transcript)", "submit \(workflow) --watch", "state --json", "log 100", "status",
                      "queue", "history", "record stop", "record \(transcript)", "quit"].joined(separator: "\n") + "\n"
        let shell = try Subprocess(["--server", simulator.baseURL, "--header", "X-Api-Key: \(keyToken)"],
                                   environment: folder.environment.merging(["COMFY_TOKEN": envToken]) { $1 }, stdin: script)
        let (shellLines, shellStatus) = await shell.finish()
        #expect(shellStatus == 0, "\(shell.stderr)")
        outputs += [("shell", shellLines.joined(separator: "\n")), ("shell stderr", shell.stderr)]
        #expect(shellLines.contains { $0.hasPrefix("← ") || $0.hasPrefix("⇢ ") }, "the trace was on")
        #expect(shellLines.contains { $0.hasPrefix("  headers ") && $0.hasSuffix("X-Api-Key: ***, Authorization: ***") })
        // A recording never replaces a file.
        #expect(shellLines.contains("✘ cannot record to \(transcript): the file exists"))
        let recorded = try String(contentsOfFile: transcript, encoding: .utf8)
        #expect(recorded.contains(#""headers":["X-Api-Key: ***","Authorization: ***"]"#))
        outputs.append(("transcript", recorded))
        let replay = try Subprocess(["replay", transcript, "--json"], environment: folder.environment)
        let (replayLines, replayStatus) = await replay.finish()
        #expect(replayStatus == 0)
        outputs.append(("replay --json", replayLines.joined(separator: "\n")))

        // 3. The line editor, whose history is a file: a password and a token typed in a URL.
        let pty = try PTYSession(comfysh: ["--server", simulator.baseURL, "--header", "Authorization: Bearer \(headerToken)"],
                                 environment: folder.environment)
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        pty.send("connect http://me:\(urlPassword)@127.0.0.1:\(simulator.port)/?token=\(queryToken)\r")
        try await pty.expect(#"● connected to http://127\.0\.0\.1:[0-9]+ "#)
        try await pty.expectScreen(#"\[connected · idle\] comfysh>$"#)
        // What the shell printed (the typed line itself is the user's own echo).
        let screen = try await pty.screen().rows.filter { !$0.contains("comfysh> connect ") }
        outputs.append(("line editor screen", screen.joined(separator: "\n")))
        pty.send("quit\r")
        #expect(try await pty.wait().status == 0)
        let history = try String(contentsOf: folder.url.appendingPathComponent("state/comfysh/history"), encoding: .utf8)
        #expect(history.contains("me:***@127.0.0.1") && history.contains("token=***"))
        let stateFiles = try FileManager.default.subpathsOfDirectory(atPath: folder.url.path)
        for file in stateFiles {
            let path = folder.url.appendingPathComponent(file).path
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { outputs.append(("file \(file)", text)) }
        }
        // Private: the files comfysh writes are the user's alone.
        for file in ["state/comfysh/history", "state/comfysh/client_id", "session.jsonl"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder.url.appendingPathComponent(file).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }

        let received = await simulator.receivedHeaders
        await simulator.stop()

        // Sent: each token, on HTTP requests and on the WebSocket upgrade.
        func sent(_ value: String, in headers: [ReceivedHeader]) -> (http: Bool, socket: Bool) {
            let carrying = headers.filter { $0.value.contains(value) }
            return (carrying.contains { !$0.path.hasPrefix("/ws") }, carrying.contains { $0.path.hasPrefix("/ws") })
        }
        #expect(sent("Bearer \(headerToken)", in: runHeaders) == (true, true))
        #expect(sent("Bearer \(envToken)", in: received) == (true, true))
        #expect(sent(keyToken, in: received) == (true, true))
        // Never printed, never written.
        for (what, text) in outputs {
            for secret in secrets {
                #expect(!text.contains(secret), "\(what) contains a planted secret")
            }
        }
    }
}
