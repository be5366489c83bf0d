import NIOSSL

/// A certificate for the simulator to serve `https`/`wss` with, so the client's TLS
/// handling (verification on, an extra CA trusted on request, no fallback to plain) is
/// tested against a real handshake on loopback.
public struct SimulatorTLS: Sendable {
    /// PEM: the server's certificate, then any intermediates.
    public var certificateChainPEM: String
    /// PEM: the server certificate's private key.
    public var privateKeyPEM: String

    public init(certificateChainPEM: String, privateKeyPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }

    func serverConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    }
}
