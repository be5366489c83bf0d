import ArgumentParser
import ComfyLive
import Foundation
import ComfyCore

/// `comfysh replay FILE [--json]`: feed a transcript through the real decoder and reducers.
public struct ReplayCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded transcript through the decoder and reducers.",
        discussion: """
            Reads a transcript in the JSON Lines format of the recorded fixtures (see \
            Tests/Fixtures/comfyui/README.md). WebSocket open and close lines become \
            connection events, incoming frames go through the protocol decoder, HTTP lines \
            become HTTP results, and each line's "t" is the action's time.

            Without --json, prints each action and the state diff it caused. With --json, \
            prints the final state as one JSON object (its keys are documented in docs/state.md).

            Exit status: 0 on success; 2 if the file is missing or a line is not a \
            transcript line (malformed frames inside valid lines are logged in the state \
            as protocol errors instead).
            """
    )

    @Argument(help: "The transcript to replay (.jsonl).", completion: .file(extensions: ["jsonl"]))
    var transcript: String

    @Flag(help: "Print the final state as one JSON object instead of the diffs.")
    var json = false

    @Flag(help: "Also show fields that change on every frame (last frame time, progress update time).")
    var verbose = false

    @Option(help: "How many log entries the state keeps.")
    var logCapacity = LogState.defaultCapacity

    public init() {}

    public func run() throws {
        // The file is streamed line by line (`TranscriptFile`): a long transcript is
        // never held whole, and memory stays flat (docs/performance.md, "Replay").
        var state = AppState(logCapacity: logCapacity)
        do {
            if json {
                try TranscriptActions.replay(path: transcript, into: &state)
                Terminal.printLine(JSONWriter.bytes(state.json))
                return
            }
            let printer = DiffPrinter(verbose: verbose)
            try TranscriptActions.replay(path: transcript, into: &state) { step in
                Terminal.print(
                    printer.render(
                        action: step.action, line: step.line, diff: StateDiff.between(step.old, step.new),
                        commands: step.commands))
            }
            Terminal.print(printer.footer(state))
        } catch {
            Terminal.error("comfysh replay: \(transcript): \(error)")
            throw ExitCode(2)
        }
    }
}
