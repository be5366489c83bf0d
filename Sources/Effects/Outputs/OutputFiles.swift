#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ComfyCore

/// Downloads a prompt's output files through `/view` into a folder of the user's choice.
///
/// File names come from the server and are not trusted: a name or subfolder with `..`,
/// an absolute path, or a separator where none belongs is refused; files are created with
/// `O_EXCL | O_NOFOLLOW`, so nothing outside the folder is written through a symlink and
/// nothing is overwritten unless asked (an existing name gets ` (1)`, ` (2)`…).
public struct OutputFiles: Sendable {
    /// One file a prompt's outputs name: `{filename, subfolder, type}` under an output node.
    public struct File: Sendable, Equatable {
        /// The output node that made it.
        public var node: String
        /// Its name on the server (not trusted: checked before anything is written).
        public var filename: String
        /// Its folder under the server's output folder; `""` for none.
        public var subfolder: String
        /// Which server folder it is in: `output`, `temp` or `input`.
        public var type: String

        /// A file as an output names it.
        public init(node: String, filename: String, subfolder: String, type: String) {
            self.node = node
            self.filename = filename
            self.subfolder = subfolder
            self.type = type
        }

        /// `GET /view` for this file.
        public var request: APIRequest { .view(filename: filename, subfolder: subfolder, type: type) }
    }

    /// What became of one file.
    public enum Outcome: Sendable, Equatable {
        /// Written at `path`, inside the chosen folder, `bytes` long.
        case saved(path: String, bytes: Int)
        /// Not downloaded: its name from the server is unsafe (`..`, an absolute path, a separator).
        case refused(File, reason: String)
        /// The download or the write failed, and why (no answer, an HTTP status, a file that
        /// cannot be created).
        case failed(File, reason: String)
    }

    let http: any ComfyHTTP
    let folder: URL
    let overwrite: Bool

    /// Downloads through `http` into `folder` (created when needed). `overwrite`: replace an
    /// existing file rather than add ` (1)`, ` (2)`… to the new one's name.
    public init(http: any ComfyHTTP, folder: String, overwrite: Bool = false) {
        self.http = http
        self.folder = URL(fileURLWithPath: folder, isDirectory: true)
        self.overwrite = overwrite
    }

    /// The files named in a prompt's outputs (`images`, `gifs`, `video`, `audio`, `3d`…:
    /// any array of `{filename, subfolder, type}`).
    public static func files(in outputs: [JSONField]) -> [File] {
        outputs.flatMap { node in
            (node.value.objectValue ?? []).flatMap { kind in
                (kind.value.arrayValue ?? []).compactMap { item -> File? in
                    guard let name = item["filename"]?.stringValue else { return nil }
                    return File(node: node.key, filename: name, subfolder: item["subfolder"]?.stringValue ?? "",
                                type: item["type"]?.stringValue ?? "output")
                }
            }
        }
    }

    /// Downloads every file named in `outputs` (a prompt record's), one at a time, in order.
    public func download(_ outputs: [JSONField]) async -> [Outcome] {
        var results: [Outcome] = []
        for file in Self.files(in: outputs) { results.append(await download(file)) }
        return results
    }

    /// Downloads one file; an unsafe name is refused before anything is asked.
    public func download(_ file: File) async -> Outcome {
        guard let relative = Self.safeRelativePath(file) else {
            return .refused(file, reason: "unsafe file name from the server: \(JSONWriter.quoted(file.subfolder + "/" + file.filename))")
        }
        let answer = await http.download(file.request, timeout: .seconds(120), maxBytes: 1 << 30)
        guard let status = answer.status else { return .failed(file, reason: answer.failure?.description ?? "no answer") }
        guard status == 200 else { return .failed(file, reason: "HTTP \(status) for /view") }
        do {
            let path = try write(answer.bytes, to: relative)
            return .saved(path: path, bytes: answer.bytes.count)
        } catch {
            return .failed(file, reason: "\(error)")
        }
    }

    /// The file's name and subfolder are plain names (no `..`, no absolute path, no
    /// separator where none belongs): what a download, or the dashboard's `/view`, accepts.
    public static func isSafe(_ file: File) -> Bool { safeRelativePath(file) != nil }

    /// `subfolder/filename` when every component is a plain name; nil otherwise.
    static func safeRelativePath(_ file: File) -> [String]? {
        let folders = file.subfolder.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let parts = folders + [file.filename]
        for part in parts {
            if part.isEmpty || part == "." || part == ".." || part.contains("/") || part.contains("\\") || part.contains("\0") {
                return nil
            }
        }
        if file.subfolder.hasPrefix("/") { return nil }
        return parts
    }

    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    func write(_ bytes: [UInt8], to parts: [String]) throws -> String {
        var directory = folder
        for part in parts.dropLast() { directory.appendPathComponent(part, isDirectory: true) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The directory must still be inside the folder once links are resolved.
        let root = folder.resolvingSymlinksInPath().path
        guard directory.resolvingSymlinksInPath().path.hasPrefix(root) else {
            throw WriteError(description: "\(directory.path) leads outside \(folder.path)")
        }
        let name = parts.last!
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        for n in 0..<1000 {
            let candidate = n == 0 ? name : "\(stem) (\(n))" + (ext.isEmpty ? "" : ".\(ext)")
            let path = directory.appendingPathComponent(candidate).path
            var flags = O_WRONLY | O_CREAT | O_NOFOLLOW
            flags |= overwrite ? O_TRUNC : O_EXCL
            let fd = open(path, flags, 0o644)
            if fd < 0 {
                if errno == EEXIST, !overwrite { continue }
                throw WriteError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
                if n < 0 { throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += n
            }
            return path
        }
        throw WriteError(description: "too many files named \(name) in \(directory.path)")
    }
}
