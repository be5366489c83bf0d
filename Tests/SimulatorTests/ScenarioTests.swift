import ComfySimulator
import Testing

/// Each reproducible recording, played against the simulator: every socket must
/// receive the recorded sequence of messages (types and the fields that name nodes,
/// steps and queue lengths), and HTTP must answer as recorded.
@Suite(.timeLimit(.minutes(1))) struct ScenarioTests {
    @Test func connectIdle() async throws {
        let (recording, result) = try await ScenarioChecks.play("connect_idle")
        ScenarioChecks.expectSameFrames(recording, result)
    }

    @Test func successWithPreviewMetadataAndProgressText() async throws {
        let (recording, result) = try await ScenarioChecks.play("success_progress")
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    @Test func successWithLegacyPreviews() async throws {
        let (recording, result) = try await ScenarioChecks.play("success_progress_legacy")
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    @Test func cachedRerun() async throws {
        let (recording, result) = try await ScenarioChecks.play("cached_rerun")
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    @Test func executionError() async throws {
        let (recording, result) = try await ScenarioChecks.play("execution_error")
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    /// The recorder interrupted after the 2nd `progress`: the worker is held there.
    @Test func interrupt() async throws {
        let (recording, result) = try await ScenarioChecks.play("interrupt", holds: [2: 2])
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    /// Five prompts, a delete while the first runs, a clear when the second starts. On
    /// the real server the `status` broadcasts race with the worker's messages, so
    /// only their order among themselves is compared.
    @Test func queueManyDeleteAndClear() async throws {
        let (recording, result) = try await ScenarioChecks.play("queue_many", holds: [8: 4, 10: 4])
        ScenarioChecks.expectSameFramesAnyStatusPosition(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    @Test func invalidPrompts() async throws {
        let (recording, result) = try await ScenarioChecks.play("invalid_prompt")
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    /// Closed after the 2nd `progress`; steps 3 and 4 ran while no socket was there;
    /// reconnected with the same client id before step 5.
    @Test func reconnectMidRun() async throws {
        let (recording, result) = try await ScenarioChecks.play("reconnect_midrun", holds: [2: 2, 3: 4])
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }

    @Test func history() async throws {
        let (recording, result) = try await ScenarioChecks.play("history")
        ScenarioChecks.expectSameFrames(recording, result)
        ScenarioChecks.expectSameHTTP(result)
    }
}
