import Foundation
import Synchronization

/// The built `comfysh` binary run as a subprocess, its output readable line by line as it
/// comes (so a test can act on an event, e.g. cut the connection once a prompt runs).
final class Subprocess: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `comfysh` binary built next to this test bundle.
    static var executable: URL { built("comfysh") }

    /// A product of this package built next to this test bundle.
    static func built(_ name: String) -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/\(name)")
    }

    let process = Process()
    let lines: AsyncStream<String>
    private let stderrText = TextBox()
    private let exited: AsyncStream<Int32>
    /// Ends when standard error has been read to its end.
    private let errEnd = AsyncStream<Never>.makeStream()

    /// `stdin`: text the program reads on its standard input (then end of input); nil: none.
    init(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, program: String = "comfysh") throws {
        process.executableURL = Self.built(program)
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "COMFY_URL")
        env.removeValue(forKey: "COMFY_TOKEN")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        let (lines, sink) = AsyncStream<String>.makeStream()
        self.lines = lines
        let (exited, exitSink) = AsyncStream<Int32>.makeStream()
        self.exited = exited
        process.terminationHandler = { p in
            exitSink.yield(p.terminationStatus)
            exitSink.finish()
        }
        try process.run()
        // Read only once it runs: a failed launch leaves no reader blocked on the pipe.
        PipeReader.lines(out.fileHandleForReading) { line in
            if let line { sink.yield(line) } else { sink.finish() }
        }
        let errText = stderrText
        let errEnd = errEnd
        PipeReader.start(err.fileHandleForReading) { data in
            if data.isEmpty { errEnd.1.finish() }
            errText.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        if let input, let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
    }

    /// Waits for the exit status (the test's time limit bounds it).
    func status() async -> Int32 {
        for await status in exited { return status }
        return process.terminationStatus
    }

    var stderr: String { stderrText.text.withLock { $0 } }

    /// Every remaining line, then the exit status.
    func finish() async -> (lines: [String], status: Int32) {
        var all: [String] = []
        for await line in lines { all.append(line) }
        for await _ in errEnd.0 {}
        return (all, await status())
    }
}

final class TextBox: Sendable {
    let text = Mutex("")
}
