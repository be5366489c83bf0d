import ArgumentParser
import Foundation
import ComfyCore

/// `comfysh-bench all` (the default): every figure of the benchmark issue in one run, in
/// a few minutes — decode and reduce, dispatch and diff, the stream (end to end, raw
/// transport, Python), memory, reconnect and dead peer — printed as one table, then (with
/// `--json`) one JSON object on the last line.
///
/// Memory runs in a child process (this same binary, `memory --json`), so its resident
/// figures are not inflated by what the other benchmarks allocated before it.
struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Every figure: decode, dispatch, stream, replay, memory, connection (the default).")

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    @Option(help: "Minimum seconds to measure each decode and dispatch figure.")
    var seconds = 2.0

    @Option(help: "Reconnect and dead-peer samples.")
    var samples = 3

    func run() async throws {
        let started = ContinuousClock.now
        var report = Report()

        var decode = try DecodeCommand.parse([])
        decode.seconds = seconds
        report.merge(try decode.measure())

        var dispatch = try DispatchCommand.parse([])
        dispatch.seconds = seconds
        report.merge(dispatch.measure())

        report.merge(try await StreamCommand.parse([]).measure())

        report.merge(try await ReplayBenchCommand.parse([]).measure())

        progress("memory (a child process: \(CommandLine.arguments[0]) memory --json)")
        report.merge(Self.childReport(["memory", "--json"]))

        var connection = try ConnectionCommand.parse([])
        connection.samples = samples
        report.merge(try await connection.measure())

        report.context.append(JSONField("total_seconds", .number(((ContinuousClock.now - started).inSeconds * 10).rounded() / 10)))
        print(report.table)
        if json { print(JSONWriter.string(report.json)) }
    }

    /// Runs this binary with `arguments` and reads the JSON object on its last line back
    /// into rows; a failure becomes a note.
    static func childReport(_ arguments: [String]) -> Report {
        var report = Report()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        if !FileManager.default.fileExists(atPath: "/proc/self/exe") {
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        }
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch {
            report.notes.append("\(arguments[0]) failed to start: \(error.localizedDescription)")
            return report
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let last = text.split(separator: "\n").last,
            let object = try? JSONValue.parse(String(last)), case .object(let fields) = object
        else {
            report.notes.append("\(arguments[0]) failed (exit \(process.terminationStatus))")
            return report
        }
        // The child's table rows, in its order; its notes are the lines after the table.
        let kinds = Report.kindsByName(text)
        for field in fields {
            if case .number(let n) = field.value, let kind = kinds[field.key] {
                report.add(field.key, n, kind)
            } else if field.value.isNull, let kind = kinds[field.key] {
                report.add(field.key, nil, kind)
            } else {
                report.context.append(field)
            }
        }
        // Its notes: the lines after the table rows, before the JSON.
        let names = Set(fields.map(\.key))
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(2) {
            let first = line.split(separator: " ").first.map(String.init) ?? ""
            if names.contains(first) || first == "figure" || first.hasPrefix("---") { continue }
            report.notes.append(String(line))
        }
        return report
    }
}
