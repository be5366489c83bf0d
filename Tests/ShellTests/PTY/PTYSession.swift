import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command running under a real pseudo-terminal (so it sees a terminal on stdin and stdout,
/// and "\u{03}" is a real Ctrl-C), driven through `pty_driver.py` next to this file.
///
///     let pty = try PTYSession(comfysh: [], environment: ["XDG_STATE_HOME": dir.path])
///     try await pty.expect("comfysh> ")
///     pty.send("status\r")
///     let line = try await pty.expect(#"queue: \d+"#)
///     #expect(await pty.close() == 0)
///
/// Every wait has a timeout (10 s unless given), so a test fails instead of hanging. Patterns
/// are Python regular expressions, matched against the output with escape sequences and
/// carriage returns removed, each search starting after the previous match (pexpect-style);
/// `expectScreen` matches the rendered screen instead (what a person would see).
final class PTYSession: Sendable {
    /// The driver script (stdlib-only Python 3).
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("pty_driver.py")

    /// What went wrong, with the screen and the last output, for the test log.
    struct Failure: Error, CustomStringConvertible {
        let message: String
        let screen: [String]
        let tail: String

        var description: String {
            var rows = screen
            while rows.last?.isEmpty == true { rows.removeLast() }
            let shown = rows.enumerated().map { String(format: "%2d|", $0.offset) + $0.element }.joined(separator: "\n")
            return "\(message)\n--- screen ---\n\(shown)\n--- last output ---\n\(tail.debugDescription)"
        }
    }

    /// How the command ended.
    struct Exit: Equatable, Sendable {
        var code: Int32?
        var signal: Int32?
        /// The shell's convention: the exit code, or 128 + the signal number.
        var status: Int32 { code ?? (128 + (signal ?? 0)) }
    }

    let columns: Int
    let rows: Int
    private let process = Process()
    private let input: FileHandle
    private let replies = Replies()
    private let exit = Mutex<Exit?>(nil)
    /// The state folder made for this session (removed at the end), when the test gave none.
    private let temporaryState: URL?

    /// Runs the built `comfysh` with `arguments`.
    convenience init(
        comfysh arguments: [String], environment: [String: String] = [:], columns: Int = 120, rows: Int = 40
    ) throws {
        try self.init(
            command: [Subprocess.executable.path] + arguments, environment: environment, columns: columns,
            rows: rows)
    }

    /// Runs any command (`command[0]` is looked up in `PATH`). The environment is this process's
    /// without `COMFY_URL`/`COMFY_TOKEN`, with `TERM=xterm-256color`, then `environment` on top.
    /// When `environment` has no `XDG_STATE_HOME`, a fresh temporary folder is used, so a test
    /// never touches the real history or client id.
    init(command: [String], environment: [String: String] = [:], columns: Int = 120, rows: Int = 40) throws {
        precondition(!command.isEmpty)
        self.columns = columns
        self.rows = rows
        signal(SIGPIPE, SIG_IGN)  // a dead driver must fail a write, not kill the test process

        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "COMFY_URL")
        env.removeValue(forKey: "COMFY_TOKEN")
        env["TERM"] = "xterm-256color"
        if environment["XDG_STATE_HOME"] == nil {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-pty-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            env["XDG_STATE_HOME"] = dir.path
            temporaryState = dir
        }
        else {
            temporaryState = nil
        }
        for (key, value) in environment { env[key] = value }

        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", Self.driver.path, "--cols", "\(columns)", "--rows", "\(rows)", "--max-seconds", "600", "--"]
            + command
        process.environment = env
        process.currentDirectoryURL = Subprocess.root
        let toDriver = Pipe()
        let fromDriver = Pipe()
        process.standardInput = toDriver
        process.standardOutput = fromDriver
        process.standardError = FileHandle.standardError
        input = toDriver.fileHandleForWriting

        let replies = self.replies
        try process.run()
        PipeReader.lines(fromDriver.fileHandleForReading) { line in
            if let line { replies.push(line) } else { replies.finish() }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
        if let temporaryState { try? FileManager.default.removeItem(at: temporaryState) }
    }

    // MARK: - Driving

    /// Types `text` (control characters included: "\r" is Enter, "\u{03}" Ctrl-C, "\u{04}"
    /// Ctrl-D, "\t" Tab, "\u{12}" Ctrl-R, "\u{1B}[A" Up).
    func send(_ text: String) {
        write(["send": text])
    }

    /// Waits until the output (escape sequences removed) matches `pattern` after the previous
    /// match, and returns the matched text.
    @discardableResult
    func expect(_ pattern: String, timeout: Duration = .seconds(10)) async throws -> String {
        let reply = try await request(["expect": pattern, "timeout": timeout.seconds], timeout: timeout)
        return reply.match ?? ""
    }

    /// Like `expect`, on the raw output (escape sequences kept).
    @discardableResult
    func expectRaw(_ pattern: String, timeout: Duration = .seconds(10)) async throws -> String {
        let reply = try await request(["expect": pattern, "raw": true, "timeout": timeout.seconds], timeout: timeout)
        return reply.match ?? ""
    }

    /// Waits until the rendered screen (rows joined with "\n", trailing blanks removed) matches
    /// `pattern`, and returns the screen rows.
    @discardableResult
    func expectScreen(_ pattern: String, timeout: Duration = .seconds(10)) async throws -> [String] {
        let reply = try await request(["expect_screen": pattern, "timeout": timeout.seconds], timeout: timeout)
        return reply.screen ?? []
    }

    /// The screen now (after reading whatever output is waiting), and the cursor (row, column).
    func screen() async throws -> (rows: [String], cursor: (row: Int, column: Int)) {
        let reply = try await request(["screen": true], timeout: .seconds(5))
        let cursor = reply.cursor ?? [0, 0]
        return (reply.screen ?? [], (cursor.first ?? 0, cursor.last ?? 0))
    }

    /// Changes the window size; the command gets SIGWINCH.
    func resize(columns: Int, rows: Int) async throws {
        _ = try await request(["resize": [columns, rows]], timeout: .seconds(5))
    }

    /// Sends a signal ("TERM", "INT", "HUP", ...) straight to the command.
    func sendSignal(_ name: String) async throws {
        _ = try await request(["signal": name], timeout: .seconds(5))
    }

    /// Waits for the command to exit by itself.
    func wait(timeout: Duration = .seconds(10)) async throws -> Exit {
        let reply = try await request(["wait": timeout.seconds], timeout: timeout)
        let result = Exit(code: reply.exit, signal: reply.signal)
        exit.withLock { $0 = result }
        await finishDriver()
        return result
    }

    /// Hangs up (closes the terminal: SIGHUP), kills the command after `timeout` if it is still
    /// there, and returns its exit status (the code, or 128 + signal). After `wait`, returns
    /// what `wait` saw.
    @discardableResult
    func close(timeout: Duration = .seconds(5)) async -> Int32 {
        if let done = exit.withLock({ $0 }) { return done.status }
        let result: Exit
        if let reply = try? await request(["close": timeout.seconds], timeout: timeout) {
            result = Exit(code: reply.exit, signal: reply.signal)
        }
        else {
            result = Exit(code: nil, signal: SIGKILL)
        }
        exit.withLock { $0 = result }
        await finishDriver()
        return result.status
    }

    // MARK: - Plumbing

    private struct Reply: Decodable {
        var ok: Bool
        var error: String?
        var match: String?
        var screen: [String]?
        var cursor: [Int]?
        var tail: String?
        var exit: Int32?
        var signal: Int32?
        var send_error: String?
    }

    private func write(_ command: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: command) else { return }
        do { try input.write(contentsOf: data + Data("\n".utf8)) }
        catch { replies.fail("cannot write to pty_driver: \(error)") }
    }

    private func request(_ command: [String: Any], timeout: Duration) async throws -> Reply {
        let description = (try? JSONSerialization.data(withJSONObject: command)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        write(command)
        // The driver enforces `timeout` itself; the margin covers a slow or dead driver.
        guard let line = await replies.next(timeout: timeout + .seconds(10)) else {
            throw Failure(message: "\(description): no answer from pty_driver (\(replies.problem ?? "timed out"))", screen: [], tail: "")
        }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(line.utf8)) else {
            throw Failure(message: "\(description): unreadable answer \(line)", screen: [], tail: "")
        }
        guard reply.ok else {
            throw Failure(
                message: "\(description): \(reply.error ?? "failed")"
                    + (reply.send_error.map { " (an earlier send failed: \($0))" } ?? ""),
                screen: reply.screen ?? [], tail: reply.tail ?? "")
        }
        return reply
    }

    private func finishDriver() async {
        try? input.close()
        for _ in 0..<500 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { process.terminate() }
    }
}

/// The driver's answers, one line each, handed to whoever waits (one waiter at a time).
private final class Replies: Sendable {
    private struct State {
        var lines: [String] = []
        var waiter: (id: Int, continuation: CheckedContinuation<String?, Never>)?
        var nextID = 0
        var expired: Set<Int> = []
        var finished = false
        var problem: String?
    }

    private let state = Mutex(State())

    var problem: String? { state.withLock { $0.problem } }

    func push(_ line: String) {
        let waiter: CheckedContinuation<String?, Never>? = state.withLock { s in
            if let w = s.waiter {
                s.waiter = nil
                return w.continuation
            }
            s.lines.append(line)
            return nil
        }
        waiter?.resume(returning: line)
    }

    func finish() {
        let waiter = state.withLock { s in
            s.finished = true
            if s.problem == nil { s.problem = "pty_driver exited" }
            defer { s.waiter = nil }
            return s.waiter?.continuation
        }
        waiter?.resume(returning: nil)
    }

    func fail(_ problem: String) {
        state.withLock { $0.problem = problem }
    }

    /// The next line, or nil after `timeout` or once the driver has gone.
    func next(timeout: Duration) async -> String? {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil, let self else { return }
            let waiter = self.state.withLock { s -> CheckedContinuation<String?, Never>? in
                guard let w = s.waiter, w.id == id else {
                    s.expired.insert(id)  // not waiting yet: the wait ends as soon as it starts
                    return nil
                }
                s.waiter = nil
                return w.continuation
            }
            waiter?.resume(returning: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready: String?? = state.withLock { s in
                if !s.lines.isEmpty { return .some(s.lines.removeFirst()) }
                if s.finished || s.expired.remove(id) != nil { return .some(nil) }
                s.waiter = (id, continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
