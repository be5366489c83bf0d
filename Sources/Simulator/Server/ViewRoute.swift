import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /view`: an output file's bytes, with the server's checks on the name.
enum ViewRoute {
    static func respond(to query: [String: String], core: SimulatorCore) async -> Response {
        guard var filename = query["filename"] else { return HTTPReplies.empty(status: 404) }
        var type = query["type"] ?? "output"
        // "name.png [temp]" picks the folder, as `folder_paths.annotated_filepath` does.
        for annotation in ["output", "input", "temp"] where filename.hasSuffix(" [\(annotation)]") {
            filename = String(filename.dropLast(annotation.count + 3))
            type = annotation
        }
        guard !filename.isEmpty, !filename.hasPrefix("/"), !filename.contains("..") else { return HTTPReplies.empty(status: 400) }
        guard ["output", "input", "temp"].contains(type) else { return HTTPReplies.empty(status: 400) }
        let subfolder = query["subfolder"] ?? ""
        guard let normalized = normalize(subfolder) else { return HTTPReplies.empty(status: 403) }
        let name = String(filename.split(separator: "/").last ?? "")
        guard await core.hasFile(type: type, subfolder: normalized, filename: name) else { return HTTPReplies.empty(status: 404) }
        return Response(
            status: .ok,
            headers: [.contentType: "image/png", .contentDisposition: "filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: SampleImages.outputPNG)))
    }

    /// The subfolder inside its folder, or nil when it points outside (a 403).
    private static func normalize(_ subfolder: String) -> String? {
        var parts: [Substring] = []
        for part in subfolder.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }
}
