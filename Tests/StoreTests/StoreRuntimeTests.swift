@testable import ComfyCore
import Testing

@Suite struct StoreRuntimeTests {
    @Test func subscribersSeeEveryChangeInDispatchOrder() async throws {
        let store = ComfyStore()
        let changes = store.changes()
        let actions = try Fixture.actions("success_progress").map(\.action)
        for action in actions { store.dispatch(action) }
        var seen = 0
        var previous = AppState()
        for await change in changes {
            #expect(change.action == actions[seen])
            #expect(change.old == previous)
            previous = change.new
            seen += 1
            if seen == actions.count { break }
        }
        #expect(previous == store.state)
        #expect(store.state.prompt("61c72f8c-db00-4528-8c9e-48b99686c2ff")?.status == .succeeded)
    }

    @Test func dispatchReturnsTheReducersCommands() {
        let store = ComfyStore()
        let commands = store.dispatch(ComfyAction(at: .zero, .user(.resync)))
        #expect(commands == [.resync])
    }

    @Test func aFinishedSubscriptionIsDropped() async {
        let store = ComfyStore()
        do {
            let changes = store.changes(bufferingNewest: 1)
            var iterator = changes.makeAsyncIterator()
            store.dispatch(ComfyAction(at: .zero, .user(.resync)))
            _ = await iterator.next()
        }
        // Dispatching with no live subscriber must still work.
        #expect(store.dispatch(ComfyAction(at: .zero, .user(.resync))) == [.resync])
    }
}
