import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import ComfyCore

/// `ComfyHTTP` over AsyncHTTPClient: pooled keep-alive connections on the same NIO event
/// loops as the socket, TLS verification always on (plus an optional extra CA file).
public final class AsyncHTTPComfyHTTP: ComfyHTTP {
    let client: HTTPClient
    let endpoint: ServerEndpoint
    let headers: [(name: String, value: String)]
    /// The largest body read; ComfyUI's full node catalogue is a few MB.
    let maxBody = 64 << 20

    /// A client for `endpoint`. `headers` go on every request; `extraCAFile` is a PEM file of
    /// extra CAs to trust; `connectTimeout` bounds opening each connection.
    public init(endpoint: ServerEndpoint, headers: [(name: String, value: String)] = [], extraCAFile: String? = nil,
                connectTimeout: Duration = .seconds(10)) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let extraCAFile { tls.additionalTrustRoots = [.file(extraCAFile)] }
        let configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(connectTimeout.seconds * 1e9))))
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.endpoint = endpoint
        self.headers = headers
    }

    /// Sends `api` and waits at most `timeout`. The answer's body is read up to 64 MiB, as
    /// JSON when it is JSON; no answer is an exchange with `status` nil and the failure
    /// classified.
    public func send(_ api: APIRequest, timeout: Duration) async -> HTTPExchange {
        var request = HTTPClientRequest(url: endpoint.url(api.route))
        request.method = .init(rawValue: api.method.rawValue)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body = api.body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: JSONWriter.string(body)))
        }
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            let buffer = try await response.body.collect(upTo: maxBody)
            let bytes = Array(buffer.readableBytesView)
            let parsed: JSONValue = bytes.isEmpty ? .string("") : ((try? JSONValue.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
            return HTTPExchange(
                api, status: Int(response.status.code), response: parsed, milliseconds: (ContinuousClock.now - started).seconds * 1000)
        } catch {
            return HTTPExchange(
                api, status: nil, response: nil, failure: classify(error), milliseconds: (ContinuousClock.now - started).seconds * 1000)
        }
    }

    public func download(_ api: APIRequest, timeout: Duration, maxBytes: Int) async -> HTTPDownload {
        var request = HTTPClientRequest(url: endpoint.url(api.route))
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            let buffer = try await response.body.collect(upTo: maxBytes)
            return HTTPDownload(
                status: Int(response.status.code), bytes: Array(buffer.readableBytesView),
                contentType: response.headers.first(name: "Content-Type"))
        } catch {
            return HTTPDownload(status: nil, bytes: [], failure: classify(error))
        }
    }

    /// Closes the pooled connections. Call it once, when the client is done.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
