import ComfyCore
import Foundation

/// The fleet's jobs in the job store: written before they are sent, kept up to date as
/// they move, read back after a restart.
extension ComfyFleet {
    /// Reads the job store's unfinished jobs back into our state: the ones on a server are
    /// followed (its resync asks its queue and history), the ones never sent are sent.
    /// Returns how many were restored.
    ///
    /// Call it before `open()` or `start()`: a server's resync after it connects then asks
    /// about the restored jobs it holds, and events about them that come first update those
    /// records. Called after, a job a server already reported on is known to the state (a
    /// record made from its events, without its workflow) and is not restored, and one that
    /// ended while no comfysh followed it is asked about only at that server's next resync.
    @discardableResult
    public func resume() async throws(JobStoreError) -> Int {
        guard let jobs else { return 0 }
        let rows = try await jobs.claimOrphans(for: owner)
        let known = Set(store.state.queue.prompts.keys)
        let fresh = rows.filter { !known.contains($0.id) && ($0.server == nil || order.contains($0.server!)) }
        // A job whose server is no longer in the fleet goes back to our queue.
        let moved = rows.filter { !known.contains($0.id) && $0.server != nil && !order.contains($0.server!) }.map { row -> JobRow in
            var row = row
            row.status = .waiting
            row.server = nil
            return row
        }
        let restored = fresh + moved
        for row in restored {
            tracked.insert(row.id)
            written[row.id] = row
        }
        if !restored.isEmpty { dispatch(.fleet(.restored(restored.map(\.record)))) }
        return restored.count
    }

    /// Before a job is posted: its server and attempt are in the job store, so after a
    /// crash it is looked for there, never sent blind a second time.
    func writeBeforeSending(_ id: String) async {
        guard jobs != nil, tracked.contains(id) else { return }
        dirty.insert(id)
        await flush()
    }

    /// After changes: every tracked job they wrote is marked, and written — as the store
    /// has it then — by the writer, which takes every job marked since its last write at
    /// once. Marking never waits for a write: with a write per change, the follower fell
    /// further behind the store with every busy second (a write costs milliseconds, a
    /// busy fleet changes hundreds of times a second), and a job that had finished seconds
    /// before a crash was still `running` in the job store, and ran again on resume
    /// (found by `comfysh-bench chaos --fleet`). A job written back as it was is marked
    /// too; `flush` writes only rows that differ from the last written. Learned durations
    /// change only as a prompt ends, so a prompt's change is when to look at them too.
    func persist(_ changed: ChangedPrompts) {
        guard jobs != nil else { return }
        switch changed {
        case .ids(let ids):
            for id in ids where tracked.contains(id) { dirty.insert(id) }
        case .unknown:
            dirty.formUnion(tracked)
        }
        let learned = store.state.estimates.generation != durationsWritten
        guard !dirty.isEmpty || learned, writer == nil else { return }
        writer = Task { [weak self] in await self?.writeMarked() }
    }

    /// Writes until nothing is marked.
    func writeMarked() async {
        while !dirty.isEmpty || store.state.estimates.generation != durationsWritten { await flush() }
        writer = nil
    }

    /// Reads what earlier processes learned of durations into the state (once, before any
    /// server connects), so a workflow seen before has a sure ETA from its first run here.
    /// A store that cannot be read leaves the ETAs to learn again: nothing else depends on it.
    func loadDurations() async {
        guard let jobs, !durationsLoaded else { return }
        durationsLoaded = true
        guard let entries = try? await jobs.durations(), !entries.isEmpty else { return }
        dispatch(.fleet(.durationsLoaded(entries)))
        durationsWritten = store.state.estimates.generation
    }

    /// Writes the jobs marked dirty, as the store has them now, one write at a time.
    ///
    /// A write never carries an older view of a job than the one before it: the follower
    /// of the store's changes runs behind the store, and a write computed from the change
    /// it is reading could land after a newer one (the row written just before the job was
    /// posted, or the last write at `stop`) and take the job back — to `waiting`, say, so
    /// that a crash then had it sent a second time on resume.
    func flush() async {
        guard let jobs else { return }
        while writing { await withCheckedContinuation { writeWaiters.append($0) } }
        let state = store.state
        let learned = state.estimates.generation != durationsWritten
        guard !dirty.isEmpty || learned else { return }
        writing = true
        if learned {
            let changes = state.estimates.changes(since: durationsWritten)
            durationsWritten = state.estimates.generation
            if !changes.isEmpty { await write(durations: changes, to: jobs) }
        }
        var rows: [JobRow] = []
        for id in dirty.sorted() {
            guard let record = state.queue.prompts[id] else { continue }
            let row = self.row(record, previous: written[id])
            if row != written[id] {
                written[id] = row
                rows.append(row)
            }
        }
        dirty = []
        await write(rows, to: jobs)
        for row in rows where row.status.isTerminal { tracked.remove(row.id) }
        writing = false
        let waiters = writeWaiters
        writeWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Writes new jobs' first rows (before they join our queue), in turn with the others.
    func writeFirst(_ rows: [JobRow]) async {
        guard let jobs else { return }
        while writing { await withCheckedContinuation { writeWaiters.append($0) } }
        writing = true
        for row in rows { written[row.id] = row }
        await write(rows, to: jobs)
        writing = false
        let waiters = writeWaiters
        writeWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// At the end: the follower is stopped, then every tracked job is written as it is now.
    func persistLast() async {
        persisting?.cancel()
        await persisting?.value
        persisting = nil
        await writer?.value
        guard jobs != nil else { return }
        dirty.formUnion(tracked)
        await flush()
        if store.state.estimates.generation != durationsWritten { await flush() }
    }

    /// Learned durations, written as jobs are.
    func write(durations: [DurationEntry], to jobs: any JobStore) async {
        await detached { () async throws(JobStoreError) in try await jobs.saveDurations(durations) }
    }

    func write(_ rows: [JobRow], to jobs: any JobStore) async {
        guard !rows.isEmpty else { return }
        await detached { () async throws(JobStoreError) in try await jobs.save(rows) }
    }

    /// Runs a job-store write in a task of its own, keeping its first failure. Why: `stop`
    /// cancels the follower of the store's changes, which may be in the middle of a write,
    /// and the database gives up on a cancelled task's write — while the rows already
    /// count as written, so the last write at stop skipped them and the job store kept a
    /// finished job `running` for good (found by `comfysh-bench chaos --fleet`). `stop`
    /// waits for the follower, so the write ends before the last one starts.
    func detached(_ write: @escaping @Sendable () async throws(JobStoreError) -> Void) async {
        let failure = await Task { () async -> JobStoreError? in
            do throws(JobStoreError) {
                try await write()
                return nil
            } catch { return error }
        }.value
        if let failure, jobStoreError == nil { jobStoreError = failure }
    }

    /// A record as a row, keeping what the row knew that the record does not (the
    /// workflow once the record has dropped it, wall-clock times).
    func row(_ record: PromptRecord, previous: JobRow?) -> JobRow {
        let now = Date().timeIntervalSince1970
        var row = previous ?? JobRow(id: record.id, status: record.status, workflow: record.body ?? .null, owner: owner.id, submittedAt: now, updatedAt: now)
        row.owner = owner.id
        row.status = record.status
        row.server = record.server
        row.sentTo = record.sentTo
        if let body = record.body { row.workflow = body }
        row.label = record.label ?? row.label
        row.priority = record.priority
        row.pinned = record.pinned
        row.reruns = record.reruns
        row.accepted = record.accepted
        row.outputs = record.outputs
        row.error = record.error?.json ?? record.interrupted?.json
        if record.status == .running || record.startedAt != nil, row.startedAt == nil { row.startedAt = now }
        if record.status == .waiting || record.status == .queued, record.startedAt == nil { row.startedAt = nil }
        if record.status.isTerminal, row.finishedAt == nil { row.finishedAt = now }
        if row != previous { row.updatedAt = now }
        return row
    }
}
