import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import ComfyCore

/// Plain HTTP calls against the simulator, through `HTTPClient.shared`.
enum HTTP {
    struct Reply: Sendable {
        let status: Int
        let bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: JSONValue? { try? JSONValue.parse(bytes) }
    }

    static func get(_ url: String) async throws -> Reply {
        try await send("GET", url, body: nil)
    }

    static func post(_ url: String, json: JSONValue?) async throws -> Reply {
        try await send("POST", url, body: json.map { JSONWriter.string($0) })
    }

    static func send(_ method: String, _ url: String, body: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), bytes: Array(buffer.readableBytesView))
    }
}
