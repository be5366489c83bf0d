/// The files the simulated nodes "write": names and counters as ComfyUI makes them,
/// and the set `GET /view` serves from. Every file holds the same small PNG.
struct OutputFiles {
    /// `"<type>/<subfolder>/<filename>"` of every file written.
    private var paths: Set<String> = []
    private var counters: [String: Int] = [:]
    /// `ComfyUI_temp_xxxxx_`: a new random prefix per server start, like the real one.
    private var tempPrefix = "ComfyUI_temp_\(Identifiers.tempPrefix())"

    struct Escape: Error {
        let message: String
    }

    /// `PreviewImage`: `{"images": [{filename, subfolder: "", type: "temp"}]}`.
    mutating func newTemp() -> PyJSON {
        let name = next(prefix: tempPrefix, subfolder: "", type: "temp")
        return Self.ui(filename: name, subfolder: "", type: "temp")
    }

    /// `SaveImage`: `<prefix>_NNNNN_.png`, the directory part of the prefix becoming the
    /// subfolder. A prefix that leaves the output folder fails, as on the server.
    mutating func newOutput(prefix: String) throws(Escape) -> PyJSON {
        guard let (subfolder, base) = Self.split(prefix) else {
            throw Escape(message: "**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: \(prefix)")
        }
        let name = next(prefix: base, subfolder: subfolder, type: "output")
        return Self.ui(filename: name, subfolder: subfolder, type: "output")
    }

    func contains(type: String, subfolder: String, filename: String) -> Bool {
        paths.contains(Self.path(type, subfolder, filename))
    }

    /// A restarted server clears its temp folder; saved outputs stay on disk.
    mutating func restart() {
        paths = paths.filter { !$0.hasPrefix("temp/") }
        counters = counters.filter { !$0.key.hasPrefix("temp/") }
        tempPrefix = "ComfyUI_temp_\(Identifiers.tempPrefix())"
    }

    private mutating func next(prefix: String, subfolder: String, type: String) -> String {
        let key = Self.path(type, subfolder, prefix)
        let counter = counters[key, default: 0] + 1
        counters[key] = counter
        let digits = String(counter)
        let name = "\(prefix)_\(String(repeating: "0", count: max(0, 5 - digits.count)))\(digits)_.png"
        paths.insert(Self.path(type, subfolder, name))
        return name
    }

    private static func path(_ type: String, _ subfolder: String, _ name: String) -> String {
        subfolder.isEmpty ? "\(type)/\(name)" : "\(type)/\(subfolder)/\(name)"
    }

    private static func ui(filename: String, subfolder: String, type: String) -> PyJSON {
        .object([
            "images": .array([.object(["filename": .string(filename), "subfolder": .string(subfolder), "type": .string(type)])])
        ])
    }

    /// `os.path.normpath` then dirname/basename; nil when the result escapes the folder.
    static func split(_ prefix: String) -> (subfolder: String, base: String)? {
        guard !prefix.hasPrefix("/") else { return nil }
        var parts: [Substring] = []
        for part in prefix.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        guard let base = parts.popLast() else { return nil }
        return (parts.joined(separator: "/"), String(base))
    }
}
