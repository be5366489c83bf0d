import Foundation
import Synchronization

/// The built `comfysh` binary as a subprocess, its standard output line by line.
final class ComfyshProcess: Sendable {
    let process = Process()
    let exit: ExitWatch
    let lines: AsyncStream<String>
    private let errText = Text()

    final class Text: Sendable {
        let value = Mutex("")
        func withLock<T>(_ body: (inout String) -> T) -> T { value.withLock { body(&$0) } }
    }

    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("comfysh")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/comfysh")
    }

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = Self.executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["COMFY_URL", "COMFY_TOKEN", "COMFYSH_DASHBOARD_TOKEN"] { env.removeValue(forKey: key) }
        env["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-dashboard-\(UUID().uuidString)").path
        env["XDG_CONFIG_HOME"] = env["XDG_STATE_HOME"]
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let (lines, sink) = AsyncStream<String>.makeStream()
        self.lines = lines
        exit = ExitWatch(process)
        try process.run()
        LineReader.follow(out.fileHandleForReading, into: sink)
        let errText = errText
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            errText.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    var stderr: String { errText.withLock { $0 } }

    /// The port of `· dashboard … at http://127.0.0.1:PORT/`, once it says so.
    func dashboardPort() async -> Int? {
        for await line in lines {
            guard line.hasPrefix("· dashboard"), let range = line.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) else { continue }
            return Int(line[range].dropFirst("http://127.0.0.1:".count).dropLast())
        }
        return nil
    }

    func status() async -> Int32 { await exit.wait() }

    func stop() async -> Int32 {
        if process.isRunning { process.interrupt() }
        return await status()
    }
}
