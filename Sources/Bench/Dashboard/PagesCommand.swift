import ArgumentParser
import ComfyCore
import Foundation

/// `comfysh-bench pages` (hidden): dashboard pages in a process of their own, so that the
/// CPU a page spends reading its frames — a browser's, on the viewer's machine — is not
/// counted as the dashboard's cost in `dashboard`'s CPU figure.
///
/// Connects `count` page clients to the dashboard at `port`, prints `ready` once each has
/// its snapshot, then reads standard input to its end and prints the frames and bytes the
/// pages received as one JSON line: `{"frames":N,"bytes":N,"snapshots":N}`.
struct PagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages", abstract: "Dashboard page clients in a child process (used by `dashboard`).", shouldDisplay: false)

    @Option(help: "The dashboard's port on 127.0.0.1.")
    var port: Int

    @Option(help: "Page clients.")
    var count = 20

    func run() async throws {
        let readers = (0..<count).map { _ in PageReader(port: port, countEvents: false) }
        for reader in readers { await reader.waitForSnapshot() }
        Self.say("ready")
        // Until the parent closes our input: a thread of its own, not one of the pool's.
        _ = await PipeReader.readToEnd(FileHandle.standardInput).value
        let counts = readers.map(\.counts)
        for reader in readers { await reader.stop() }
        let frames = counts.reduce(0) { $0 + $1.frames }
        let bytes = counts.reduce(0) { $0 + $1.bytes }
        let snapshots = counts.reduce(0) { $0 + $1.snapshots }
        let summary = JSONValue.object([
            JSONField("frames", .number(Double(frames))), JSONField("bytes", .number(Double(bytes))),
            JSONField("snapshots", .number(Double(snapshots))),
        ])
        Self.say(JSONWriter.string(summary))
    }

    /// One line on standard output, written at once (the parent waits for it; `print` buffers).
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The pages of `comfysh-bench pages`, run as a child process.
struct ChildPages {
    private let process: Process
    private let input: Pipe
    private let output: Task<Data, Never>

    /// Starts `count` pages on the dashboard at `port` and returns once every one has its snapshot.
    static func start(port: Int, count: Int) async throws -> ChildPages {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["pages", "--port", String(port), "--count", String(count)]
        let input = Pipe()
        let out = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says the pages are ready; the rest is read at the end.
        let ready = await Self.firstLine(out.fileHandleForReading)
        guard ready == "ready" else {
            process.terminate()
            throw StreamError("the page clients did not start (\(ready ?? "no output"))")
        }
        return ChildPages(process: process, input: input, output: PipeReader.readToEnd(out.fileHandleForReading))
    }

    /// Ends the pages; the frames they received in all.
    func stop() async -> Int {
        try? input.fileHandleForWriting.close()
        let data = await output.value
        process.waitUntilExit()
        guard let value = try? JSONValue.parse(String(decoding: data, as: UTF8.self)) else { return 0 }
        return value["frames"]?.intValue ?? 0
    }

    /// Reads one byte at a time (on a thread of its own) up to the first newline, so
    /// nothing after it is taken from the pipe.
    private static func firstLine(_ handle: FileHandle) async -> String? {
        await withCheckedContinuation { continuation in
            Thread {
                var bytes: [UInt8] = []
                var byte: UInt8 = 0
                while read(handle.fileDescriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }.start()
        }
    }
}
