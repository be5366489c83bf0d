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

    public func send(method: String, route: String, body: JSONValue?, timeout: Duration) async -> HTTPExchange {
        var request = HTTPClientRequest(url: endpoint.url(route))
        request.method = .init(rawValue: method)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body {
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
                method: method, route: route, status: Int(response.status.code), request: body, response: parsed,
                milliseconds: (ContinuousClock.now - started).seconds * 1000)
        } catch {
            return HTTPExchange(
                method: method, route: route, status: nil, request: body, response: nil, failure: describe(error),
                milliseconds: (ContinuousClock.now - started).seconds * 1000)
        }
    }

    public func download(route: String, timeout: Duration, maxBytes: Int) async -> (status: Int?, bytes: [UInt8], failure: String?) {
        var request = HTTPClientRequest(url: endpoint.url(route))
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            let buffer = try await response.body.collect(upTo: maxBytes)
            return (Int(response.status.code), Array(buffer.readableBytesView), nil)
        } catch {
            return (nil, [], describe(error))
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
