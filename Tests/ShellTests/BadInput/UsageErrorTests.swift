import Foundation
import Testing

/// Every usage error exits 2, as `run --help` and docs/reliability.md promise (not
/// swift-argument-parser's default 64), with the parser's message on standard error and
/// nothing on standard output.
@Suite(.timeLimit(.minutes(1))) struct UsageErrorTests {
    @Test(arguments: [
        (["run", "--bogus", "x.json"], "Error: Unknown option '--bogus'. Did you mean '--out'?"),
        (["run"], "Error: Missing expected argument '<workflow.json> ...' (or --resume)"),
        (["run", "x.json", "--connect-timeout", "soon"], "Error: The value 'soon' is invalid for '--connect-timeout <connect-timeout>'"),
        (["watch", "--json", "extra"], "Error: Unexpected argument 'extra'"),
        (["replay"], "Error: Missing expected argument '<transcript>'"),
        (["no-such-subcommand"], "Error: Unexpected argument 'no-such-subcommand'"),
    ] as [([String], String)])
    func aUsageErrorExits2(arguments: [String], message: String) async throws {
        let folder = try TestFolder()
        let process = try Subprocess(arguments, environment: folder.environment)
        let (lines, status) = await process.finish()
        #expect(status == 2)
        #expect(process.stderr.split(separator: "\n").first.map(String.init) == message)
        #expect(lines.isEmpty)
    }

    @Test func helpIsNotAnError() async throws {
        let folder = try TestFolder()
        let process = try Subprocess(["run", "--help"], environment: folder.environment)
        let (lines, status) = await process.finish()
        #expect(status == 0)
        #expect(lines.first == "OVERVIEW: Submit workflows (either format) and follow them to the end.")
    }
}
