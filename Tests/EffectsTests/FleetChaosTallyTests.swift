import ComfyCore
import ComfyLive
import ComfySimulator
import Testing
@testable import ComfyChaos

/// The fleet chaos run's verdict (`FleetChaosTally.judge`): the job store's rows against
/// the servers' ledgers. The run itself needs the comfysh binary and real time
/// (`comfysh-bench chaos --fleet`); the judgement is checked here on made-up rows.
@Suite struct FleetChaosTallyTests {
    func row(_ id: String, _ status: PromptRecord.Status, on server: String?, sentTo: [String]? = nil, fails: Bool = false) -> JobRow {
        JobRow(
            id: id, status: status, server: server, sentTo: sentTo ?? server.map { [$0] } ?? [], workflow: .object([]),
            label: "/tmp/x/\(id)\(fails ? "-fail" : "").json", submittedAt: 1, updatedAt: 2)
    }

    func ran(_ server: String, _ status: String) -> (server: String, run: CompletedRun) {
        (server, CompletedRun(status: status, outputs: .object([])))
    }

    /// A tally that struck as the plan asks (two kills, the doomed server stopped).
    func struck() -> FleetChaosTally {
        var tally = FleetChaosTally()
        tally.kills = [(seconds: 3, completed: 10), (seconds: 9, completed: 40)]
        tally.stoppedAt = 5
        return tally
    }

    @Test func everyJobEndedAsDesignedOnceIsAPass() {
        var tally = struck()
        tally.judge(
            rows: [
                row("a", .succeeded, on: "slow"),
                row("b", .succeeded, on: "flapping", sentTo: ["doomed", "flapping"]),
                row("c", .failed, on: "doomed", fails: true),
            ],
            ledger: ["a": [ran("slow", "success")], "b": [ran("flapping", "success")], "c": [ran("doomed", "error")]],
            jobs: 3)
        #expect(tally.lost.isEmpty && tally.duplicated.isEmpty && tally.wrong.isEmpty)
        #expect(tally.succeeded == 2 && tally.failedByDesign == 1 && tally.movedOn == 1)
        #expect(tally.perServer == ["slow": 1, "flapping": 1, "doomed": 1])
        #expect(tally.passed)
        #expect(tally.lines.last == "✔ 0 lost, 0 completed twice, every job succeeded or failed by design")
    }

    @Test func aJobCompletedTwiceFails() {
        var tally = struck()
        tally.judge(rows: [row("a", .succeeded, on: "slow")], ledger: ["a": [ran("doomed", "success"), ran("slow", "success")]], jobs: 1)
        #expect(tally.duplicated == ["a: completed 2 times (doomed, slow)"])
        #expect(!tally.passed)
    }

    /// A run the doomed server completed that the job store did not have ended when it
    /// stopped for good (the run waited for it in vain) is one no client could know of
    /// after: its second run elsewhere is reported, not failed. Only then: heard of in
    /// time, or taken by the job store as completed there, a second run is a failure.
    @Test func aSecondRunAfterOneNoClientCouldKnowOfIsReportedNotFailed() {
        var tally = struck()
        tally.unheardOnDoomed = ["a", "c"]
        tally.judge(
            rows: [
                row("a", .succeeded, on: "slow", sentTo: ["doomed", "slow"]),  // unheard: exempt
                row("b", .succeeded, on: "slow", sentTo: ["doomed", "slow"]),  // heard of in time: twice
                row("c", .succeeded, on: "doomed"),  // the job store took doomed's run: twice
            ],
            ledger: [
                "a": [ran("doomed", "success"), ran("slow", "success")],
                "b": [ran("doomed", "success"), ran("slow", "success")],
                "c": [ran("doomed", "success"), ran("slow", "success")],
            ],
            jobs: 3)
        #expect(tally.unknowable == ["a: completed on doomed, slow; doomed's run was unheard of when it stopped"])
        #expect(tally.duplicated == ["b: completed 2 times (doomed, slow)", "c: completed 2 times (doomed, slow)"])
        #expect(tally.perServer == ["slow": 3])
        #expect(tally.wrong == ["c: the job store says doomed, it completed on slow"])
        #expect(!tally.passed)
        // Alone, the unknowable one passes, and says so.
        var alone = struck()
        alone.unheardOnDoomed = ["a"]
        alone.judge(rows: [row("a", .succeeded, on: "slow", sentTo: ["doomed", "slow"])],
                    ledger: ["a": [ran("doomed", "success"), ran("slow", "success")]], jobs: 1)
        #expect(alone.duplicated.isEmpty && alone.lost.isEmpty && alone.wrong.isEmpty)
        #expect(alone.passed)
        #expect(alone.lines.contains("  · twice where no client could know: a: completed on doomed, slow; doomed's run was unheard of when it stopped"))
        #expect(alone.lines[2].hasPrefix("faults: doomed stopped for good at 5.0 s after 0 completions (1 of its runs unheard of then); "))
    }

    @Test func aJobUnfinishedOrMissingFromTheStoreIsLost() {
        var tally = struck()
        tally.judge(rows: [row("a", .queued, on: "flapping"), row("b", .succeeded, on: "slow")], ledger: ["b": [ran("slow", "success")]], jobs: 3)
        #expect(tally.lost == ["1 job(s) not in the job store", "a: queued on flapping (sent to flapping)"])
        #expect(!tally.passed)
    }

    @Test func anOutcomeOtherThanDesignedOrThanTheServersSayIsWrong() {
        var tally = struck()
        tally.judge(
            rows: [
                row("a", .succeeded, on: "slow", fails: true),  // built to fail
                row("b", .succeeded, on: "slow"),  // the servers say it failed
                row("c", .succeeded, on: "slow"),  // it completed elsewhere
                row("d", .succeeded, on: "slow"),  // no server ran it
            ],
            ledger: ["a": [ran("slow", "success")], "b": [ran("slow", "error")], "c": [ran("flapping", "success")], "e": [ran("slow", "success")]],
            jobs: 4)
        #expect(tally.wrong == [
            "e: completed on slow, not in the job store",
            "a (a-fail.json): succeeded",
            "b: succeeded, the servers say error on slow",
            "c: the job store says slow, it completed on flapping",
            "d: succeeded, the servers say it never completed",
        ])
        #expect(tally.lost.isEmpty && tally.duplicated.isEmpty)
        #expect(!tally.passed)
    }

    @Test func aRunWhereTheFaultsDidNotStrikeIsNoProof() {
        var tally = FleetChaosTally()
        tally.judge(rows: [row("a", .succeeded, on: "slow")], ledger: ["a": [ran("slow", "success")]], jobs: 1)
        #expect(tally.lost.isEmpty && tally.duplicated.isEmpty && tally.wrong.isEmpty)
        #expect(!tally.passed)  // comfysh was never killed, the doomed server never stopped
        tally = struck()
        tally.timedOut = true
        #expect(!tally.passed)
    }
}
