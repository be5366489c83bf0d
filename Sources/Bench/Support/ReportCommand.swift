import ArgumentParser
import ComfyCore

/// A benchmark whose figures make one `Report`: it prints the table, and with `--json`
/// one JSON object as the last line — the same for every subcommand, so written once.
protocol ReportCommand: AsyncParsableCommand {
    var json: Bool { get }
    func measure() async throws -> Report
}

extension ReportCommand {
    func run() async throws {
        let report = try await measure()
        print(report.table)
        if json { print(JSONWriter.string(report.json)) }
    }
}
