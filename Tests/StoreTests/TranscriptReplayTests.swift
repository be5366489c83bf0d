import ComfyLive
@testable import ComfyCore
import Testing

/// Every shared transcript replayed through the real decoder and reducers, with exact
/// assertions on the final state (the server's truth) and on key intermediate states.
@Suite struct TranscriptReplayTests {
    @Test func successProgressEndsSucceededWithBothOutputs() throws {
        let state = try Fixture.state("success_progress")
        let id = "61c72f8c-db00-4528-8c9e-48b99686c2ff"
        let p = try #require(state.prompt(id))
        #expect(p.status == .succeeded)
        #expect(p.owner == .ours)
        #expect(p.number == 0)
        #expect(p.nodeCount == 5)
        #expect(p.outputs == [
            JSONField("5", images(("progress_00016_.png", "comfy_test", "output"))),
            JSONField("4", images(("ComfyUI_temp_uuyvv_00001_.png", "", "temp"))),
        ])
        #expect(p.startedAt == Timestamp(seconds: 0.0073))
        #expect(p.finishedAt == Timestamp(seconds: 2.0205))
        #expect(state.queue.remaining == 0)
        #expect(state.queue.runningIDs.isEmpty && state.queue.pendingIDs.isEmpty)
        #expect(state.nodes.promptID == id)
        #expect(state.nodes.executing == nil)
        #expect(state.nodes.byID.mapValues(\.state) == ["1": .finished, "2": .finished, "3": .finished, "4": .finished, "5": .finished])
        // Node order is not graph order: 5 ran before 3.
        #expect(state.nodes.executed == ["1", "2", "5", "3", "4"])
        #expect(state.progress.fraction == 1)
        #expect(state.progress.etaSeconds == 0)
        #expect(state.progress.texts == ["2": "step 10/10"])
        #expect(state.progress.preview?.count == 10)
        #expect(state.progress.preview?.nodeID == "2")
        #expect(state.connection.previewMetadata)
        #expect(state.connection.phase == .disconnected(reason: "closed by the client"))
        #expect(state.connection.serverFeatures?["max_upload_size"] == .number(104_857_600))
    }

    @Test func successProgressMidRunShowsStepRateAndALowerBoundETA() throws {
        // Line 34 is `progress 5/10` for node 2.
        let state = try Fixture.state("success_progress", throughLine: 34)
        #expect(state.progress.node == "2")
        #expect(state.progress.value == 5 && state.progress.max == 10)
        #expect(state.progress.startedAt == Timestamp(seconds: 0.0073))
        // Node 1 finished, node 2 half way, 3 more to go: (1 + 0.5) / 5.
        #expect(abs(state.progress.fraction - 0.3) < 1e-9)
        let rate = try #require(state.progress.stepsPerSecond)
        #expect(rate > 4.9 && rate < 5.1)  // 10 steps of 0.2 s
        // The transcript has no graph (no body of ours): what is left after node 2 is not
        // known, so the ETA is node 2's five steps left at their rate from its first step
        // (1 at 0.209) to its fifth (at 1.0113), and says it is a lower bound.
        let eta = try #require(state.progress.etaSeconds)
        #expect(abs(eta - (1.0113 - 0.209) / 4 * 5) < 1e-9)
        #expect(state.progress.etaBasis == .lowerBound)
        #expect(state.prompt("61c72f8c-db00-4528-8c9e-48b99686c2ff")?.status == .running)
        #expect(state.nodes.executing == "2")
    }

    @Test func legacyPreviewsAreAttributedToOurRunningNode() throws {
        let state = try Fixture.state("success_progress_legacy")
        let p = try #require(state.prompt("f3b11f49-fec7-4622-9e58-4b4c23e12588"))
        #expect(p.status == .succeeded)
        #expect(p.outputs.map(\.key) == ["5", "4"])
        #expect(!state.connection.previewMetadata)
        #expect(state.progress.preview?.mimeType == "image/jpeg")
        #expect(state.progress.preview?.count == 10)
        #expect(state.progress.preview?.nodeID == "2")
        #expect(state.progress.texts.isEmpty)
    }

    @Test func cachedRerunsRecordCachedNodesAndOutputsWithoutExecuting() throws {
        let run2 = try Fixture.state("cached_rerun", throughLine: 50)
        let second = try #require(run2.prompt("32b1f66b-7803-4c86-9944-e9e9548629dd"))
        #expect(second.status == .succeeded)
        #expect(second.cached == ["1", "2", "3", "4", "5"])
        #expect(second.outputs == [
            JSONField("4", images(("ComfyUI_temp_uuyvv_00003_.png", "", "temp"))),
            JSONField("5", images(("cached_1044536061_00001_.png", "comfy_test", "output"))),
        ])
        #expect(run2.nodes.cached == ["1", "2", "3", "4", "5"])
        #expect(run2.nodes.executed.isEmpty)  // nothing ran
        #expect(run2.nodes.byID.mapValues(\.state) == ["4": .finished, "5": .finished])
        #expect(run2.progress.fraction == 1)

        let state = try Fixture.state("cached_rerun")
        let third = try #require(state.prompt("aa1a3679-a450-47f6-b6ac-b26065578340"))
        #expect(third.status == .succeeded)
        #expect(third.cached == ["1", "2", "3", "4"])
        #expect(third.outputs.map(\.key) == ["4", "5"])
        #expect(third.outputs[1].value == images(("cached_1044536061_b_00001_.png", "comfy_test", "output")))
        #expect(state.nodes.executed == ["5"])
        #expect(state.prompt("e354be6f-b786-4b2e-8145-6e5582a13738")?.status == .succeeded)
        #expect(state.queue.prompts.count == 3)
    }

    @Test func executionErrorRecordsTheFailureAndMarksTheNode() throws {
        // Line 18 is execution_error; the last progress_state still showed node 2 running.
        let atError = try Fixture.state("execution_error", throughLine: 18)
        let id = "6bebeaf6-2392-491f-8b54-106acdbd12a3"
        let p = try #require(atError.prompt(id))
        #expect(p.status == .failed)
        let error = try #require(p.error)
        #expect(error.exceptionType == "RuntimeError")
        #expect(error.exceptionMessage == "TestFail: deliberate failure\n")
        #expect(error.nodeID == "2")
        #expect(error.nodeType == "TestFail")
        #expect(error.executed == ["1"])
        #expect(!error.traceback.isEmpty)
        #expect(atError.nodes.byID["2"]?.state == .failed)
        #expect(atError.nodes.byID["1"]?.state == .finished)
        #expect(atError.nodes.executing == nil)
        #expect(!atError.nodes.byID.values.contains { $0.state == .running })

        // History confirms it: error, no outputs.
        let final = try Fixture.state("execution_error")
        let confirmed = try #require(final.prompt(id))
        #expect(confirmed.status == .failed)
        #expect(confirmed.fromHistory)
        #expect(confirmed.outputs.isEmpty)
        #expect(confirmed.error?.exceptionType == "RuntimeError")
        #expect(final.log.entries.contains { $0.kind == "execution_error" && $0.level == .error })
    }

    @Test func interruptMarksPromptAndNodeInterrupted() throws {
        let state = try Fixture.state("interrupt")
        let p = try #require(state.prompt("4dd2b091-1d43-43e6-a6ae-ae66100d76c3"))
        #expect(p.status == .interrupted)
        #expect(p.interrupted?.nodeID == "2")
        #expect(p.interrupted?.nodeType == "TestSleep")
        #expect(p.error == nil)
        #expect(p.fromHistory)
        #expect(state.nodes.byID["2"]?.state == .interrupted)
        #expect(state.nodes.executing == nil)
    }

    @Test func queueManyTracksDeleteAndClear() throws {
        let ids = [
            "218d48be-111f-4d94-b1bb-a2b87616904f", "bd3508e0-f215-4970-a905-c2e9a2e2bcb0",
            "981e570a-2857-45f8-b159-c06b1014e08a", "1c0d87be-afa6-48b9-a939-feab37b715da",
            "29166048-0644-47ec-9fef-d0db7d822d2d",
        ]
        // After the first GET /queue (line 24): one running, four pending in number order.
        let snapshot = try Fixture.state("queue_many", throughLine: 24)
        #expect(snapshot.queue.runningIDs == [ids[0]])
        #expect(snapshot.queue.pendingIDs == Array(ids[1...]))
        #expect(snapshot.queue.remaining == 5)

        // After the delete (line 26) and its status broadcast (line 27): the fifth is
        // cancelled, the rest unchanged.
        let afterDelete = try Fixture.state("queue_many", throughLine: 27)
        #expect(afterDelete.prompt(ids[4])?.status == .cancelled)
        #expect(afterDelete.queue.pendingIDs == [ids[1], ids[2], ids[3]])
        #expect(afterDelete.queue.remaining == 4)

        // After the clear (line 54): the running second prompt is untouched, 3 and 4 cancelled.
        let afterClear = try Fixture.state("queue_many", throughLine: 54)
        #expect(afterClear.prompt(ids[1])?.status == .running)
        #expect(afterClear.prompt(ids[2])?.status == .cancelled)
        #expect(afterClear.prompt(ids[3])?.status == .cancelled)
        #expect(afterClear.queue.pendingIDs.isEmpty)
        #expect(afterClear.queue.runningIDs == [ids[1]])

        let final = try Fixture.state("queue_many")
        #expect(ids.map { final.prompt($0)?.status } == [.succeeded, .succeeded, .cancelled, .cancelled, .cancelled])
        #expect(final.prompt(ids[0])?.outputs == [JSONField("3", images(("ComfyUI_temp_czuiu_00001_.png", "", "temp")))])
        #expect(final.prompt(ids[1])?.outputs == [JSONField("3", images(("ComfyUI_temp_czuiu_00002_.png", "", "temp")))])
        #expect(final.queue.remaining == 0)
    }

    @Test func queueRemainingFollowsTheRecordedSequence() throws {
        var seen: [Int] = []
        for (_, action) in try Fixture.actions("queue_many") {
            if case .server(.status(let s)) = action.event, let n = s.queueRemaining { seen.append(n) }
        }
        #expect(seen == [0, 1, 1, 2, 3, 4, 5, 4, 3, 3, 1, 0])
    }

    @Test func reconnectMidRunReattachesAndFinishes() throws {
        let id = "cb2617c7-e829-470d-8304-9e5060d4e95b"
        // While away (after the close at line 21) the prompt is still running as far as we know.
        let away = try Fixture.state("reconnect_midrun", throughLine: 21)
        #expect(away.connection.phase == .disconnected(reason: "closed by the client"))
        #expect(away.prompt(id)?.status == .running)

        // The short `executing {"node": "2"}` after reconnect (line 26) reattaches us.
        let back = try Fixture.state("reconnect_midrun", throughLine: 26)
        #expect(back.connection.phase == .connected)
        #expect(back.connection.connects == 2)
        #expect(back.nodes.promptID == id)
        #expect(back.nodes.executing == "2")
        #expect(back.prompt(id)?.status == .running)
        #expect(back.log.entries.contains { $0.message.contains("reattached") })

        let final = try Fixture.state("reconnect_midrun")
        let p = try #require(final.prompt(id))
        #expect(p.status == .succeeded)
        #expect(p.fromHistory)
        #expect(p.outputs == [JSONField("3", images(("ComfyUI_temp_czuiu_00003_.png", "", "temp")))])
        #expect(!final.nodes.byID.values.contains { $0.state == .running })
    }

    @Test func reconnectAsksForAResync() throws {
        let actions = try Fixture.actions("reconnect_midrun")
        var state = AppState()
        var commandsOnReopen: [Command] = []
        for (line, action) in actions {
            let commands = state.apply(action)
            if line == 23 { commandsOnReopen = commands }
        }
        #expect(commandsOnReopen == [.resync, .fetchCapabilities])
    }

    @Test func invalidPromptKeepsEveryRejectionAndAcceptsWithWarnings() throws {
        let state = try Fixture.state("invalid_prompt")
        #expect(state.queue.rejected.map(\.type) == [
            "prompt_outputs_failed_validation", "missing_node_type", "prompt_outputs_failed_validation",
            "prompt_outputs_failed_validation", "prompt_no_outputs", "no_prompt", "invalid_prompt_id",
        ])
        #expect(state.queue.rejected.allSatisfy { $0.status == 400 })
        let first = state.queue.rejected[0]
        #expect(first.nodeErrors.count == 1)
        #expect(first.nodeErrors[0].nodeID == "2")
        #expect(first.nodeErrors[0].classType == "TestProgressLoop")
        #expect(first.nodeErrors[0].errors.map(\.type) == ["required_input_missing"])
        #expect(first.nodeErrors[0].errors.first?.inputName == "image")
        let missing = state.queue.rejected[1]
        #expect(missing.nodeErrors.isEmpty)
        #expect(missing.extraInfo["class_type"] != nil)
        #expect(missing.message == "Node 'Invert Image' not found. The custom node may not be installed.")
        let two = state.queue.rejected[2]
        #expect(two.nodeErrors.map(\.nodeID).sorted() == ["1", "2"])
        #expect(two.nodeErrors.flatMap { $0.errors.map(\.type) }.sorted() == ["invalid_input_type", "value_smaller_than_min"])
        #expect(state.queue.rejected[3].nodeErrors.first?.errors.first?.type == "exception_during_inner_validation")
        // The error types reach the log too, so a person sees them.
        #expect(state.log.entries.filter { $0.kind == "prompt_rejected" }.count == 7)
        #expect(state.log.entries.contains { $0.message.contains("invalid_prompt_id") })
        // Nothing was queued for the seven rejections.
        #expect(state.queue.prompts.count == 1)

        // A 200 with node_errors is accepted, with warnings, and runs to success.
        let p = try #require(state.prompt("bd8f7a89-37d2-4531-b558-b7f0290d2605"))
        #expect(p.status == .succeeded)
        #expect(p.warnings.map(\.nodeID) == ["3"])
        #expect(p.outputs.map(\.key) == ["5"])
        #expect(state.log.entries.contains { $0.level == .warning && $0.message.contains("with warnings") })
    }

    @Test func historyListingReconcilesEveryPromptItNames() throws {
        let state = try Fixture.state("history")
        let mine = try #require(state.prompt("f06f3acc-10a3-4675-9953-5d6ec3e248b7"))
        #expect(mine.status == .succeeded)
        #expect(mine.owner == .ours)
        #expect(mine.fromHistory)
        #expect(mine.outputs.map(\.key) == ["5", "4"])
        // The four older prompts of the listing are someone else's (another client id).
        let others = ["76a55961-a626-4919-a95f-d2881be9b589", "ebde772b-4fc1-47d3-a27f-6a8af7bcb0b3",
                      "afa655e9-faaf-49cf-8947-82afe66b2ed3", "83a44de4-e46a-4447-8b97-8a077e590f2d"]
        for id in others {
            let p = try #require(state.prompt(id))
            #expect(p.status == .succeeded && p.owner == .observed && p.fromHistory)
        }
        #expect(state.prompt(others[0])?.outputs == [JSONField("3", images(("ComfyUI_temp_czuiu_00004_.png", "", "temp")))])
        // GET /history/{unknown} → {} is noted, and invents no prompt.
        #expect(state.prompt("3426fed7-1c49-4ece-932d-a0e99e79e587") == nil)
        #expect(state.log.entries.contains { $0.message.contains("no history for 3426fed7") })
    }

    @Test func connectIdleRecordsSessionsAndNegotiation() throws {
        let first = try Fixture.state("connect_idle", throughLine: 5)
        #expect(first.connection.clientID == "310e73219d64450fa45cb814344eb50e")
        #expect(first.connection.sessionID == "310e73219d64450fa45cb814344eb50e")
        #expect(first.connection.previewMetadata)
        #expect(first.connection.serverFeatures?["supports_model_type_tags"] == .bool(true))
        // A second socket without clientId: the server invents an id; nothing is negotiated.
        let second = try Fixture.state("connect_idle", throughLine: 8)
        #expect(second.connection.socket == 1)
        #expect(second.connection.sessionID == "30bdc1fbe70247e1b88478044f7b0bae")
        #expect(!second.connection.previewMetadata)
        #expect(second.connection.serverFeatures == nil)
        let final = try Fixture.state("connect_idle")
        #expect(final.connection.connects == 2)
        #expect(final.queue.prompts.isEmpty)
        #expect(final.log.entries.filter { $0.level == .error }.isEmpty)
    }

    @Test func httpMiscFillsServerFacts() throws {
        let state = try Fixture.state("http_misc")
        #expect(state.connection.server?.comfyuiVersion == "0.33.0")
        #expect(state.connection.server?.os == "linux")
        #expect(state.connection.serverFeatures?["supports_preview_metadata"] == .bool(true))
        #expect(state.queue.remaining == 0)
        #expect(state.log.entries.filter { $0.level == .error }.isEmpty)
    }

    /// The server's truth: wherever a transcript fetched history, our final state agrees
    /// with the last history entry it returned, in status and outputs.
    @Test(arguments: Fixture.all) func finalStateAgreesWithServerHistory(name: String) throws {
        let state = try Fixture.state(name)
        for (_, entry) in try Fixture.entries(name) {
            guard case .http(_, "GET", let path, 200, _, let response) = entry, path.hasPrefix("/history") else { continue }
            for field in response.objectValue ?? [] {
                let history = try #require(HTTPResultDecoder.historyEntry(id: field.key, field.value))
                let p = try #require(state.prompt(field.key))
                let expected: PromptRecord.Status =
                    switch history.outcome {
                    case .success?: .succeeded
                    case .error?: .failed
                    case .interrupted?: .interrupted
                    case nil: .ended
                    }
                #expect(p.status == expected, "\(name): \(field.key)")
                #expect(p.outputs == history.outputs, "\(name): \(field.key)")
            }
        }
    }

    /// Whatever the transcript, no prompt is left running or queued at the end (every
    /// recording waits for its prompts), no node is left running, and nothing failed to decode.
    @Test(arguments: Fixture.all) func replayEndsSettledWithoutProtocolErrors(name: String) throws {
        let state = try Fixture.state(name)
        #expect(state.queue.unfinishedIDs.isEmpty)
        #expect(!state.nodes.byID.values.contains { $0.state == .running })
        #expect(!state.log.entries.contains { $0.kind == "protocol_error" || $0.kind == "unknown" })
    }

    @Test(arguments: Fixture.all) func replayIsDeterministic(name: String) throws {
        #expect(try Fixture.state(name) == Fixture.state(name))
    }
}
