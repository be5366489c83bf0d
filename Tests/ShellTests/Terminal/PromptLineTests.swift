import ComfyCore
@testable import ComfyShell
import Testing

/// The shell's prompt says what the state says: running, queued, idle (issue 15: it used to
/// say `1 queued` for a whole run, the server's count read as all waiting).
@Suite struct PromptLineTests {
    let me = "me0000000000000000000000000000001"
    func at(_ s: Double) -> Timestamp { Timestamp(seconds: s) }

    func line(_ actions: [Event]) -> String {
        var state = AppState()
        state.apply(ComfyAction(at: at(0), .connection(.opened(socket: 0, path: "/ws?clientId=\(me)", clientID: me))))
        for (i, event) in actions.enumerated() { state.apply(ComfyAction(at: at(Double(i + 1)), event)) }
        return PromptLine.render(state, now: nil, style: Style(enabled: false))
    }

    func status(_ remaining: Int) -> Event { .server(.status(.init(queueRemaining: remaining, sid: nil))) }

    @Test func idleRunningAndQueuedAsTheStateHasThem() {
        #expect(line([status(0)]) == "[connected · idle] comfysh> ")
        // The server counts the running prompt in `queue_remaining`.
        #expect(line([.server(.executionStart(promptID: "p1", timestamp: nil)), status(1)]) == "[connected · 1 running] comfysh> ")
        #expect(line([.server(.executionStart(promptID: "p1", timestamp: nil)), status(3)]) == "[connected · 1 running · 2 queued] comfysh> ")
        #expect(line([status(2)]) == "[connected · 2 queued] comfysh> ")
        #expect(line([]) == "[connected · queue ?] comfysh> ")
    }
}
