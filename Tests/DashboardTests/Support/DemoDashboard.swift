import ComfyCore
import ComfyDashboard
import ComfyLive
import ComfySimulator
import Foundation

/// Simulators, a fleet following them and a dashboard of that fleet, in this process.
struct DemoDashboard {
    let simulators: [ComfyUISimulator]
    var simulator: ComfyUISimulator { simulators[0] }
    let fleet: ComfyFleet
    let dashboard: Dashboard

    static func start(
        stepDelay: Duration? = nil, configuration: DashboardConfiguration = DashboardConfiguration(port: 0, demo: true),
        servers: Int = 1
    ) async throws -> DemoDashboard {
        var simulators: [ComfyUISimulator] = []
        var configurations: [ClientConfiguration] = []
        for index in 0..<servers {
            let simulator = ComfyUISimulator(configuration: .init(stepDelay: stepDelay))
            try await simulator.start()
            simulators.append(simulator)
            var settings = ServerSettings(url: simulator.baseURL)
            settings.clientID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            var configuration = try settings.configuration()
            // A name with dots, as `host:port` names are: the page's keys must not be confused by them.
            configuration.name = servers == 1 ? "demo" : "127.0.0.\(index + 1):8188"
            configurations.append(configuration)
        }
        let fleet = ComfyFleet(servers: configurations, clock: ContinuousClock())
        _ = try await fleet.open()
        let dashboard = Dashboard(fleet: fleet, configuration: configuration)
        try await dashboard.start()
        return DemoDashboard(simulators: simulators, fleet: fleet, dashboard: dashboard)
    }

    func stop() async {
        await dashboard.stop()
        await fleet.stop()
        for simulator in simulators { await simulator.stop() }
    }
}
