import ArgumentParser
import ComfyCore
import ComfyDashboard
import ComfyLive
import ComfySimulator
import Foundation

/// `comfysh dashboard`: the fleet in a browser page, served from this process.
public struct DashboardCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve a live web dashboard of the servers (one page, on 127.0.0.1:8190 by default).",
        discussion: """
            The page shows every server's connection (connected, reconnecting with its \
            countdown, offline, breaker open) with its round trip and quality; the queue — \
            running, waiting in comfysh, waiting on each server, finished — for every prompt \
            on the servers, whoever submitted it; the running prompt's progress, step rate, \
            ETA, executing node and live preview; outputs as thumbnails (fetched through \
            comfysh: the browser needs neither access to ComfyUI nor its token); the log; and \
            toasts. It submits workflows (a file, or dropped on the page), cancels, \
            interrupts and clears, as the shell does. /metrics is in Prometheus' text format.

            The page's files are in the binary: no CDN, works offline. It listens on \
            127.0.0.1 only, unless --listen names another address, which needs --token (or \
            $COMFYSH_DASHBOARD_TOKEN): open the page once as http://HOST:PORT/?token=TOKEN \
            (a cookie then stands for it), or send 'Authorization: Bearer TOKEN'.

            Exit status: 0 when interrupted (Ctrl-C); 2 bad options (a non-loopback address \
            without a token); 3 the address cannot be bound.
            """
    )

    @OptionGroup var server: ServerOptions

    @Flag(help: "Serve a simulated ComfyUI server too, and follow it (offers its demo workflow on the page).")
    var demo = false

    @Option(help: ArgumentHelp("Where to listen: HOST:PORT, [V6]:PORT or :PORT. Not a loopback address: --token is required.", valueName: "address"))
    var listen = "127.0.0.1:8190"

    @Option(help: ArgumentHelp("A secret every request must carry (default: $COMFYSH_DASHBOARD_TOKEN).", valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp("The job store (default: $XDG_STATE_HOME/comfysh/jobs.sqlite; none with --demo).", valueName: "file"))
    var jobs: String?

    public init() {}

    public func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration = DashboardConfiguration(demo: demo)
        do {
            (configuration.host, configuration.port) = try DashboardConfiguration.parse(listen: listen)
            configuration.token = token ?? environment["COMFYSH_DASHBOARD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            try configuration.check()
        } catch {
            Terminal.error("comfysh dashboard: \(error)")
            throw ExitCode(2)
        }
        var simulator: ComfyUISimulator?
        var options = server
        if demo {
            let demoServer = ComfyUISimulator()
            do { try await demoServer.start() } catch {
                Terminal.error("comfysh dashboard: could not start the demo server: \(error)")
                throw ExitCode(3)
            }
            simulator = demoServer
            options.servers = ["demo=\(demoServer.baseURL)"]
        }
        let configurations: [ClientConfiguration]
        let store: SQLiteJobStore?
        do {
            (_, configurations) = try options.configurations(policy: FleetPolicy())
            store = demo ? nil : try SQLiteJobStore(path: jobs ?? SQLiteJobStore.defaultPath)
        } catch {
            Terminal.error("comfysh dashboard: \(error)")
            await simulator?.stop()
            throw ExitCode(2)
        }
        let fleet = ComfyFleet(servers: configurations, clock: ContinuousClock(), jobs: store)
        // Servers that are down show as such on the page, and are tried in the background.
        await fleet.start()
        let dashboard = Dashboard(fleet: fleet, configuration: configuration)
        do { try await dashboard.start() } catch {
            Terminal.error("comfysh dashboard: cannot listen on \(listen): \(error)")
            await fleet.stop()
            await simulator?.stop()
            throw ExitCode(3)
        }
        if let simulator { Terminal.print("· demo: a simulated ComfyUI server at \(simulator.baseURL)") }
        let names = configurations.map { "\($0.name ?? "default") (\($0.endpoint))" }.joined(separator: ", ")
        Terminal.print("· dashboard of \(names) at \(dashboard.url)\(configuration.token == nil ? "" : " (open it once with ?token=…)") — Ctrl-C to stop")
        for await _ in Interrupts.stream() { break }
        await dashboard.stop()
        await fleet.stop()
        await simulator?.stop()
    }
}
