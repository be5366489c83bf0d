import ArgumentParser
import ComfyLive
import Foundation
import ComfyCore

/// `comfysh watch`: follow a server's queue and prompts, ours and observed.
public struct WatchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a server's queue and prompts until interrupted (Ctrl-C).",
        discussion: """
            Prints every prompt's life as it happens — prompts of this client and prompts seen \
            through the server's broadcasts, the queue and history — and keeps the connection \
            through drops and restarts. With --json, one JSON object per line per event.

            Exit status: 0 when interrupted; 2 bad options or refused credentials; 3 the \
            server could not be reached within the connect timeout.
            """
    )

    @OptionGroup var server: ServerOptions

    @Flag(help: "One JSON object per line for each event.")
    var json = false

    public init() {}

    public func run() async throws {
        let configuration: ClientConfiguration
        do { configuration = try server.configuration() } catch {
            Terminal.error("comfysh watch: \(error)")
            throw ExitCode(2)
        }
        let client: ComfyClient<ContinuousClock>
        do { client = try await LiveConnection.open(configuration) } catch {
            Terminal.error("comfysh watch: \(error)")
            if case .refused = error { throw ExitCode(2) }
            throw ExitCode(3)
        }
        if !json { Terminal.print("· watching \(configuration.endpoint) (Ctrl-C to stop)") }
        let changes = client.store.changes()
        let interrupted = Interrupts.stream()
        let json = json
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var reporter = RunReporter(tracked: nil)
                for await change in changes {
                    for event in reporter.events(change) {
                        if json {
                            Terminal.print(JSONWriter.string(event))
                        } else if let line = RunReporter.line(event, names: [:]) {
                            Terminal.print(line)
                        }
                    }
                }
            }
            group.addTask { for await _ in interrupted { return } }
            await group.next()
            group.cancelAll()
        }
        await client.stop()
    }
}
