import Foundation
import Testing

@testable import ComfyShell

/// The history file as libedit writes it ("_HiStOrY_V2_", then one line per entry, oldest
/// first, blanks written `\040`): private, redacted, capped, and without lines that start
/// with a space.
@Suite struct HistoryFileTests {
    /// A folder of the test's own, removed at the end; the history goes in a folder inside
    /// it that does not exist yet.
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)")
        var file: URL { url.appendingPathComponent("comfysh/history") }
        deinit { try? FileManager.default.removeItem(at: url) }

        func saved() throws -> String { try String(contentsOf: file, encoding: .utf8) }

        func permissions(_ url: URL) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        }
    }

    @Test func eachEnteredLineIsSavedInAPrivateFile() throws {
        let folder = Folder()
        let history = try #require(HistoryFile(file: folder.file))
        #expect(!FileManager.default.fileExists(atPath: folder.file.path))
        history.add("status")
        history.add("run wf.json")
        #expect(try folder.saved() == "_HiStOrY_V2_\nstatus\nrun\\040wf.json\n")
        #expect(try folder.permissions(folder.file) == 0o600)
        #expect(try folder.permissions(folder.file.deletingLastPathComponent()) == 0o700)
        // No temporary file is left next to it.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.file.deletingLastPathComponent().path)
        #expect(names == ["history"])
    }

    @Test func linesStartingWithASpaceAndBlankLinesAreNotKept() throws {
        let folder = Folder()
        let history = try #require(HistoryFile(file: folder.file))
        history.add("log 3")
        history.add(" login secret")
        history.add("")
        history.add(" \t ")
        #expect(history.count == 1)
        #expect(try folder.saved() == "_HiStOrY_V2_\nlog\\0403\n")
    }

    @Test func secretsAreRedactedBeforeTheyAreStored() throws {
        let folder = Folder()
        let history = try #require(HistoryFile(file: folder.file))
        history.add("connect http://me:hunter2@127.0.0.1:9/")
        history.add("connect http://h/?token=abc&x=1&api_key=k2")
        let saved = try folder.saved()
        #expect(
            saved == "_HiStOrY_V2_\nconnect\\040http://me:***@127.0.0.1:9/\nconnect\\040http://h/?token=***&x=1&api_key=***\n")
        #expect(!saved.contains("hunter2") && !saved.contains("abc") && !saved.contains("k2"))
    }

    @Test func anImmediateRepeatIsStoredOnce() throws {
        let folder = Folder()
        let history = try #require(HistoryFile(file: folder.file))
        history.add("queue")
        history.add("queue")
        history.add("state")
        history.add("queue")
        #expect(history.count == 3)
        #expect(try folder.saved() == "_HiStOrY_V2_\nqueue\nstate\nqueue\n")
    }

    /// Starts from a file of 999 lines (writing it line by line would rewrite it 1000 times).
    @Test func theLast1000LinesAreKeptAndEachNewOneIsSavedOnceFull() throws {
        let folder = Folder()
        try FileManager.default.createDirectory(
            at: folder.file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let start = "_HiStOrY_V2_\n" + (1...999).map { "log\\040\($0)\n" }.joined()
        try Data(start.utf8).write(to: folder.file)
        let history = try #require(HistoryFile(file: folder.file))
        #expect(history.count == 999)
        history.add("log 1000")
        #expect(try folder.saved() == start + "log\\0401000\n")
        // Full: the oldest line goes, the count stays 1000, and the file is saved all the same.
        for n in 1001...1005 { history.add("log \(n)") }
        #expect(history.count == 1000)
        let lines = try folder.saved().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 1002)  // the header, 1000 lines, and the empty string after the last "\n"
        #expect(lines.first == "_HiStOrY_V2_")
        #expect(lines[1] == "log\\0406")
        #expect(lines[1000] == "log\\0401005")
        #expect(lines.last == "")
    }

    @Test func aSecondSessionStartsFromTheFileAndAddsToIt() throws {
        let folder = Folder()
        do {
            let first = try #require(HistoryFile(file: folder.file))
            first.add("log 3")
            first.add("diff verbose")
        }
        let second = try #require(HistoryFile(file: folder.file))
        #expect(second.count == 2)
        second.add("quit")
        #expect(try folder.saved() == "_HiStOrY_V2_\nlog\\0403\ndiff\\040verbose\nquit\n")
    }

    @Test func withoutAFileTheHistoryIsKeptInMemoryOnly() throws {
        let history = try #require(HistoryFile(file: nil))
        history.add("status")
        history.save()
        #expect(history.count == 1)
    }
}
