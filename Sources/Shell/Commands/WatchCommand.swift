import ArgumentParser
import ComfyLive
import Foundation
import ComfyCore

/// `comfysh watch`: follow a server's queue and prompts, ours and observed.
public struct WatchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow the servers' queues and prompts until interrupted (Ctrl-C).",
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
        let configurations: [ClientConfiguration]
        do { (_, configurations) = try server.configurations(policy: FleetPolicy()) } catch {
            Terminal.error("comfysh watch: \(error)")
            throw ExitCode(2)
        }
        // Watching submits nothing: no job store.
        let fleet = ComfyFleet(servers: configurations, clock: ContinuousClock())
        do {
            for (name, failure) in try await fleet.open().sorted(by: { $0.key < $1.key }) {
                Terminal.error("comfysh watch: \(name): \(failure) (watching the others)")
            }
        } catch {
            Terminal.error("comfysh watch: \(error)")
            throw ExitCode(error.kind == .refused ? 2 : 3)
        }
        let many = configurations.count > 1
        if !json {
            let what = many ? "\(configurations.count) servers (\(configurations.compactMap(\.name).joined(separator: ", ")))" : "\(configurations[0].endpoint)"
            Terminal.print("· watching \(what) (Ctrl-C to stop)")
        }
        let events = fleet.events()
        let interrupted = Interrupts.stream()
        let json = json
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    if json {
                        if let object = event.json { Terminal.print(JSONWriter.string(object)) }
                    } else if let line = EventText.line(event, names: [:], fleet: many) {
                        Terminal.print(line)
                    }
                }
            }
            group.addTask { for await _ in interrupted { return } }
            await group.next()
            group.cancelAll()
        }
        await fleet.stop()
    }
}
