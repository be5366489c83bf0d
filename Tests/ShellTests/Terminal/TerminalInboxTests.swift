import Dispatch
import Testing

@testable import ComfyShell

/// The requests other threads leave for the terminal thread, and when the thread must be woken.
@Suite struct TerminalInboxTests {
    @Test func beforeTheStartNothingIsQueuedOrWoken() {
        let inbox = TerminalInbox()
        #expect(inbox.phase == .idle)
        #expect(!inbox.print("early"))  // printed by the caller itself
        #expect(!inbox.setPrompt("a> "))  // kept, but there is no thread to wake
        #expect(!inbox.setLive("50%"))
        #expect(inbox.begin(prompt: "b> "))
        #expect(!inbox.begin(prompt: "c> "))
        #expect(inbox.phase == .running)
        // The prompt given to start is what the thread starts with, not a change; the live
        // line set before is.
        #expect(inbox.take() == .init(prompt: nil, printed: [], live: .some("50%")))
        #expect(inbox.live == "50%")
    }

    @Test func requestsAreTakenOnceAndInOrder() {
        let inbox = TerminalInbox()
        #expect(inbox.begin(prompt: "> "))
        #expect(inbox.print("one"))
        #expect(inbox.print("two\n"))
        #expect(inbox.setPrompt("[busy] > "))
        #expect(inbox.setLive("10%"))
        #expect(inbox.setLive(nil))
        #expect(inbox.take() == .init(prompt: "[busy] > ", printed: ["one", "two\n"], live: .some(nil)))
        #expect(inbox.take() == .init(prompt: nil, printed: [], live: nil))
    }

    @Test func anUnchangedPromptOrLiveLineWakesNobody() {
        let inbox = TerminalInbox()
        #expect(inbox.begin(prompt: "> "))
        #expect(!inbox.setPrompt("> "))
        #expect(!inbox.setLive(nil))
        #expect(inbox.setLive("x"))
        #expect(!inbox.setLive("x"))
        #expect(inbox.take() == .init(prompt: nil, printed: [], live: .some("x")))
    }

    @Test func stoppingAsksTheThreadThenItClosesTheInbox() {
        let inbox = TerminalInbox()
        #expect(inbox.begin(prompt: "> "))
        #expect(inbox.print("queued"))
        #expect(!inbox.stopRequested)
        #expect(inbox.requestStop() == .running)
        #expect(inbox.stopRequested)
        #expect(inbox.requestStop() == .stopping)
        #expect(inbox.close() == ["queued"])
        #expect(inbox.phase == .stopped)
        #expect(!inbox.print("late"))  // straight to stdout from here on
        inbox.threadFinished()
        #expect(inbox.waitForThread(timeout: .now()))
        #expect(inbox.waitForThread(timeout: .now()))  // a second stop() gets through too
    }

    @Test func aTerminalNeverStartedStopsAtOnce() {
        let inbox = TerminalInbox()
        #expect(inbox.requestStop() == .idle)
        #expect(inbox.phase == .stopped)
        #expect(!inbox.begin(prompt: "> "))
        #expect(!inbox.waitForThread(timeout: .now()))  // there never was a thread
    }
}
