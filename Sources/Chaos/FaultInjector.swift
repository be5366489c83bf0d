import ComfySimulator

/// Strikes the simulator with one fault and lifts it after its window.
struct FaultInjector: Sendable {
    let simulator: ComfyUISimulator
    let plan: ChaosPlan

    /// Malformed input a broken proxy or server could send: truncated JSON, not JSON,
    /// a message of an unknown type, binary frames shorter than their headers.
    static let malformedText = [
        #"{"type": "progress", "data": {"value": 3, "max""#,
        "not json at all",
        #"{"type": "chaos_unknown", "data": {"x": 1}}"#,
        #"{"type": "executing"}"#,
    ]
    static let malformedBinary: [[UInt8]] = [[0, 0], [0, 0, 0, 4, 0, 0], [0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xD8]]

    func strike(_ fault: ChaosFault, window: Duration) async {
        switch fault {
        case .drop:
            await simulator.dropAllConnections()
        case .restart:
            await simulator.restart()
        case .malformed:
            for text in Self.malformedText { await simulator.sendRaw(text: text) }
            for bytes in Self.malformedBinary { await simulator.sendRaw(binary: bytes) }
        case .stall:
            await simulator.setStalled(true)
            await hold(window)
            await simulator.setStalled(false)
        case .delay:
            await simulator.setFrameDelay(plan.frameDelay)
            await hold(window)
            await simulator.setFrameDelay(nil)
        case .refuse:
            await simulator.setRefusing(status: 403)
            await simulator.dropAllConnections()
            await hold(window)
            await simulator.setRefusing(status: nil)
        case .slowHTTP:
            await simulator.setHTTPDelay(plan.httpDelay)
            await hold(window)
            await simulator.setHTTPDelay(nil)
        }
    }

    /// Lifts every fault (at the end, or when the run is cut short).
    func liftAll() async {
        await simulator.setStalled(false)
        await simulator.setFrameDelay(nil)
        await simulator.setRefusing(status: nil)
        await simulator.setHTTPDelay(nil)
    }

    private func hold(_ window: Duration) async {
        try? await Task.sleep(for: window)
    }
}
