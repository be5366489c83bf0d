import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging

/// Builds the Hummingbird application: the HTTP routes, and the WebSocket upgrade on
/// `/ws` and `/api/ws`; behind TLS when the configuration has a certificate.
enum SimulatorServer {
    static func application(
        core: SimulatorCore, faults: FaultSwitches, configuration: SimulatorConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: HeaderRecordingMiddleware(faults: faults))
        router.add(middleware: RefusingMiddleware(faults: faults))
        router.add(middleware: CannedAnswerMiddleware(faults: faults))
        Routes.register(on: router, core: core)
        let webSocket = HTTP1WebSocketUpgradeChannel.Configuration(
            // No server heartbeat, like aiohttp's default; pings from clients are answered.
            ws: .init(maxFrameSize: WebSocketSession.maxIncomingFrame, autoPing: .disabled, closeTimeout: .seconds(2)))
        let plain: HTTPServerBuilder = .http1WebSocketUpgrade(configuration: webSocket) { request, channel, _ in
            faults.record(path: request.path ?? "", request.headerFields.map { ($0.name.canonicalName, $0.value) })
            // A refused upgrade is answered 400 by Hummingbird (the status cannot be
            // chosen there); the client sees a failed upgrade either way.
            guard faults.refusingStatus == nil, !faults.refusingUpgrades, let target = WebSocketTarget(path: request.path ?? "") else {
                return .dontUpgrade
            }
            return .upgrade([:], WebSocketSession.handler(core: core, faults: faults, channel: channel, clientID: target.clientID))
        }
        let server = try configuration.tls.map { try HTTPServerBuilder.tls(plain, tlsConfiguration: try $0.serverConfiguration()) } ?? plain
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// `/ws?clientId=ID` or `/api/ws?clientId=ID`.
struct WebSocketTarget {
    let clientID: String?

    init?(path: String) {
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let route = parts.first, route == "/ws" || route == "/api/ws" else { return nil }
        var clientID: String?
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if kv.first == "clientId", clientID == nil {
                    let raw = kv.count == 2 ? String(kv[1]) : ""
                    clientID = raw.removingPercentEncoding ?? raw
                }
            }
        }
        self.clientID = clientID
    }
}
