import Foundation
import ComfySimulator
import ComfyCore
import Testing

/// `comfysh run` against the simulator serving `https`/`wss` with a certificate from a test
/// CA (`Tests/Fixtures/tls`): verification is on, so the unknown CA is refused with a TLS
/// message (exit 3); `--cacert` trusts it, and then everything — HTTP and the WebSocket —
/// goes over TLS.
@Suite(.timeLimit(.minutes(1))) struct TLSRunTests {
    static let fixtures = Subprocess.root.appendingPathComponent("Tests/Fixtures/tls")

    func secureSimulator() async throws -> ComfyUISimulator {
        let tls = SimulatorTLS(
            certificateChainPEM: try String(contentsOf: Self.fixtures.appendingPathComponent("server.pem"), encoding: .utf8),
            privateKeyPEM: try String(contentsOf: Self.fixtures.appendingPathComponent("server.key"), encoding: .utf8))
        let simulator = ComfyUISimulator(configuration: .init(stepDelay: .milliseconds(2), tls: tls))
        try await simulator.start()
        return simulator
    }

    @Test func aCertificateFromAnUnknownCAIsRefused() async throws {
        let (folder, simulator) = (try TestFolder(), try await secureSimulator())
        await simulator.setRecordingHeaders(["x-probe"])
        let run = try Subprocess(["run", try folder.workflow("ok.json"), "--server", simulator.baseURL, "--connect-timeout", "5", "--header", "X-Probe: 1"],
                                 environment: folder.environment)
        let (lines, status) = await run.finish()
        let requests = await simulator.receivedHeaders
        await simulator.stop()
        #expect(simulator.baseURL.hasPrefix("https://"))
        #expect(status == 3)
        #expect(run.stderr == "comfysh run: cannot reach \(simulator.baseURL): TLS: the server's certificate is not trusted (verification is on; --cacert FILE trusts an extra CA) (waited up to 5 s)\n")
        #expect(lines.isEmpty)
        #expect(requests.isEmpty)  // not one request got through
    }

    @Test func withTheCATrustedTheRunSucceedsOverHTTPSAndWSS() async throws {
        let (folder, simulator) = (try TestFolder(), try await secureSimulator())
        await simulator.setRecordingHeaders(["x-probe"])
        let ca = Self.fixtures.appendingPathComponent("ca.pem").path
        // By name: the WebSocket library sends the host as SNI, which cannot be an IP address.
        let server = "https://localhost:\(simulator.port)"
        let run = try Subprocess(["run", try folder.workflow("ok.json"), "--server", server, "--cacert", ca, "--json", "--header", "X-Probe: 1"],
                                 environment: folder.environment)
        let (lines, status) = await run.finish()
        let requests = await simulator.receivedHeaders
        await simulator.stop()
        #expect(status == 0, "\(run.stderr)")
        #expect(lines.last.flatMap { try? JSONValue.parse($0) }?["status"] == "succeeded")
        // The socket too: a plain `ws` upgrade could not have reached this server at all.
        #expect(requests.contains { $0.path.hasPrefix("/ws?clientId=") })
        #expect(requests.contains { $0.path == "/system_stats" })
    }

    /// The same server by IP address: HTTPS works, the WebSocket cannot (SNI), and the
    /// run says why at once (no retry can help) instead of a bare handshake failure.
    @Test func wssToAnIPAddressSaysWhyItCannot() async throws {
        let (folder, simulator) = (try TestFolder(), try await secureSimulator())
        let ca = Self.fixtures.appendingPathComponent("ca.pem").path
        let run = try Subprocess(["run", try folder.workflow("ok.json"), "--server", simulator.baseURL, "--cacert", ca, "--connect-timeout", "50"],
                                 environment: folder.environment)
        let (_, status) = await run.finish()
        await simulator.stop()
        #expect(status == 3)
        #expect(run.stderr == "comfysh run: \(simulator.baseURL): cannot open its WebSocket: TLS: wss:// to an IP address is not supported; use a host name the server's certificate names\n")
    }
}
