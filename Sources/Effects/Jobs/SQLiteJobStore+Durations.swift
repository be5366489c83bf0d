import ComfyCore
import GRDB

/// The learned durations (the ETA's source) in the `duration` table, beside the jobs: a
/// figure per key, replaced as the fleet learns.
extension SQLiteJobStore {
    public func durations() async throws(JobStoreError) -> [DurationEntry] {
        do {
            return try await database.read { db in
                try Row.fetchAll(db, sql: "SELECT key, seconds, runs, per_step, tail FROM duration").compactMap { row -> DurationEntry? in
                    guard let key = row["key"] as String?, let seconds = row["seconds"] as Double?, let runs = row["runs"] as Int?,
                        seconds.isFinite, seconds >= 0, runs >= 0
                    else { return nil }  // a row no comfysh wrote: skipped, never trusted
                    return DurationEntry(key: key, stat: .init(seconds: seconds, runs: runs, perStep: row["per_step"], tail: row["tail"]))
                }
            }
        } catch {
            throw Self.problem(error, path: path)
        }
    }

    public func saveDurations(_ entries: [DurationEntry]) async throws(JobStoreError) {
        guard !entries.isEmpty else { return }
        do {
            try await database.write { db in
                for e in entries {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO duration (key, seconds, runs, per_step, tail) VALUES (?, ?, ?, ?, ?)",
                        arguments: [e.key, e.stat.seconds, e.stat.runs, e.stat.perStep, e.stat.tail])
                }
            }
        } catch {
            throw Self.problem(error, path: path)
        }
    }
}
