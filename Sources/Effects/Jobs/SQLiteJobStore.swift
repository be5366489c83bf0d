#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ComfyCore
import Foundation
import GRDB

/// The embedded job store: one SQLite database (GRDB) in write-ahead-log mode, mode 0600,
/// at `$XDG_STATE_HOME/comfysh/jobs.sqlite` by default.
///
/// Several comfysh processes may use it at once (SQLite serialises their writes; each waits
/// up to five seconds for another's): every job names the process that follows it, and a
/// process resumes only jobs whose owner is gone, claiming each in one conditional write,
/// so no job is followed — or sent — by two processes. A damaged file is reported, never
/// repaired or replaced behind the user's back.
public final class SQLiteJobStore: JobStore {
    /// The database file.
    public let path: String
    private let queue: DatabaseQueue
    /// The database, for the extensions in other files (reads and writes).
    var database: DatabaseQueue { queue }

    /// The default place: `$XDG_STATE_HOME/comfysh/jobs.sqlite`.
    public static var defaultPath: String {
        ClientIdentity.stateDirectory().appendingPathComponent("jobs.sqlite").path
    }

    /// Opens (creating it if needed) the database at `path`. `writer`: this process sends
    /// jobs and takes the lock; false: it only reads.
    public init(path: String = SQLiteJobStore.defaultPath, writer: Bool = true) throws(JobStoreError) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw JobStoreError(.unwritable, "cannot create \(folder) for the job database: \(error.localizedDescription)")
        }
        let isNew = !FileManager.default.fileExists(atPath: path)
        if !writer, isNew { throw JobStoreError(.other, "no job database at \(path) yet: no job was run with it") }
        // Made 0600 before SQLite opens it (SQLite would make it with the umask's mode). A
        // failure here shows when SQLite opens it, with SQLite's reason.
        if isNew { _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) }
        var configuration = Configuration()
        configuration.readonly = !writer
        configuration.journalMode = writer ? .wal : .default
        configuration.busyMode = .timeout(5)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            if writer { try Self.migrate(queue) }
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM job") }
        } catch {
            throw Self.problem(error, path: path)
        }
        // The WAL and shared-memory files hold the same data: they get the same mode.
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            chmod(path + suffix, 0o600)
        }
    }

    static func migrate(_ queue: DatabaseQueue) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("jobs-1") { db in
            try db.create(table: "job") { t in
                t.primaryKey("id", .text)
                t.column("status", .text).notNull()
                t.column("server", .text)
                t.column("sent_to", .text).notNull()
                t.column("workflow", .text).notNull()
                t.column("label", .text)
                t.column("priority", .double).notNull()
                t.column("pinned", .text)
                t.column("reruns", .integer).notNull()
                t.column("owner", .text)
                t.column("accepted", .boolean).notNull()
                t.column("outputs", .text).notNull()
                t.column("error", .text)
                t.column("submitted_at", .double).notNull()
                t.column("started_at", .double)
                t.column("finished_at", .double)
                t.column("updated_at", .double).notNull()
            }
            try db.create(index: "job_by_status", on: "job", columns: ["status"])
            try db.create(index: "job_by_submission", on: "job", columns: ["submitted_at"])
        }
        migrator.registerMigration("durations-1") { db in
            try db.create(table: "duration") { t in
                t.primaryKey("key", .text)
                t.column("seconds", .double).notNull()
                t.column("runs", .integer).notNull()
                t.column("per_step", .double)
                t.column("tail", .double)
            }
        }
        try migrator.migrate(queue)
    }

    /// SQLite's errors in words: a damaged or foreign file, a locked or read-only one.
    static func problem(_ error: any Error, path: String) -> JobStoreError {
        let text = String(describing: error)
        if let db = error as? DatabaseError {
            switch db.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return JobStoreError(
                    .corrupt, "the job database \(path) is damaged or not a database (\(db.message ?? "SQLite \(db.resultCode)")); move it aside to start a new one (your workflow files are not touched)")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return JobStoreError(.locked, "the job database \(path) is locked by another process; try again when it is done")
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_FULL, .SQLITE_IOERR:
                return JobStoreError(.unwritable, "cannot write the job database \(path) (\(db.message ?? "SQLite \(db.resultCode)"))")
            default: break
            }
        }
        return JobStoreError(.other, "the job database \(path): \(text)")
    }

    public func save(_ jobs: [JobRow]) async throws(JobStoreError) {
        guard !jobs.isEmpty else { return }
        do {
            try await queue.write { db in
                for job in jobs {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO job (id, status, server, sent_to, workflow, label, priority, pinned, reruns,
                              owner, accepted, outputs, error, submitted_at, started_at, finished_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            job.id, job.status.rawValue, job.server, JSONWriter.string(job.sentTo.json), JSONWriter.string(job.workflow),
                            job.label, job.priority, job.pinned.map { JSONWriter.string($0.json) }, job.reruns, job.owner, job.accepted,
                            JSONWriter.string(.object(job.outputs)), job.error.map { JSONWriter.string($0) }, job.submittedAt,
                            job.startedAt, job.finishedAt, job.updatedAt,
                        ])
                }
            }
        } catch {
            throw Self.problem(error, path: path)
        }
    }

    public func claimOrphans(for owner: JobOwner) async throws(JobStoreError) -> [JobRow] {
        let open = PromptRecord.Status.allCases.filter { !$0.isTerminal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let now = Date().timeIntervalSince1970
        do {
            return try await queue.write { db in
                var claimed: [JobRow] = []
                let candidates = try Row.fetchAll(db, sql: "SELECT * FROM job WHERE status IN (\(open)) ORDER BY submitted_at, id").compactMap(Self.job)
                for var job in candidates where owner.isOrphan(owner: job.owner, updatedAt: job.updatedAt, now: now) {
                    // Taken only if nobody took it since it was read (one write, checked).
                    try db.execute(
                        sql: "UPDATE job SET owner = ?, updated_at = ? WHERE id = ? AND owner IS ?",
                        arguments: [owner.id, now, job.id, job.owner])
                    guard db.changesCount == 1 else { continue }
                    job.owner = owner.id
                    job.updatedAt = now
                    claimed.append(job)
                }
                return claimed
            }
        } catch {
            throw Self.problem(error, path: path)
        }
    }

    public func recent(limit: Int) async throws(JobStoreError) -> [JobRow] {
        try await rows("SELECT * FROM job ORDER BY submitted_at DESC, id DESC LIMIT \(max(0, limit))")
    }

    public func job(matching prefix: String) async throws(JobStoreError) -> JobRow? {
        let matches = try await rows("SELECT * FROM job WHERE id LIKE ? ORDER BY id LIMIT 2", [prefix.lowercased() + "%"])
        return matches.count == 1 ? matches[0] : matches.first { $0.id == prefix.lowercased() }
    }

    private func rows(_ sql: String, _ arguments: StatementArguments = []) async throws(JobStoreError) -> [JobRow] {
        do {
            return try await queue.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.job) }
        } catch {
            throw Self.problem(error, path: path)
        }
    }

    /// A row as a job; a row that cannot be read (written by a newer comfysh) is skipped.
    static func job(_ row: Row) -> JobRow? {
        func json(_ column: String) -> JSONValue? {
            (row[column] as String?).flatMap { try? JSONValue.parse(Array($0.utf8)) }
        }
        guard let id = row["id"] as String?, let status = (row["status"] as String?).flatMap(PromptRecord.Status.init(rawValue:)),
            let workflow = json("workflow")
        else { return nil }
        return JobRow(
            id: id, status: status, server: row["server"], sentTo: json("sent_to")?.arrayValue?.compactMap(\.stringValue) ?? [],
            workflow: workflow, label: row["label"], priority: row["priority"] ?? 0,
            pinned: json("pinned")?.arrayValue?.compactMap(\.stringValue), reruns: row["reruns"] ?? 0, owner: row["owner"],
            accepted: row["accepted"] ?? false,
            outputs: json("outputs")?.objectValue ?? [], error: json("error"), submittedAt: row["submitted_at"] ?? 0,
            startedAt: row["started_at"], finishedAt: row["finished_at"], updatedAt: row["updated_at"] ?? 0)
    }
}
