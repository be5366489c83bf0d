import ComfyCore

/// Catalogues (`/object_info`) already read, so a server is asked once per version, not
/// once per connection, and servers with the same catalogue share one value (a fleet of 32
/// identical servers holds one). Each value keeps the whole catalogue (`NodeCatalog`) next
/// to the classes routing reads: the client converts editor workflows with it.
public actor CapabilitiesCache {
    private var byServer: [String: ServerCapabilities] = [:]
    private var shared: [Fingerprint: ServerCapabilities] = [:]

    private struct Fingerprint: Hashable {
        var version: String?
        var classes: Int
        var names: Int
    }

    public init() {}

    /// What `endpoint` at `version` can run, if it was read before.
    func cached(endpoint: String, version: String) -> ServerCapabilities? {
        byServer[endpoint + "|" + version]
    }

    /// Keeps `capabilities` for `endpoint` and returns the value to use: an equal one
    /// already held for another server, or this one.
    func keep(_ capabilities: ServerCapabilities, endpoint: String) -> ServerCapabilities {
        var names = Hasher()
        for name in capabilities.classes.keys.sorted() { names.combine(name) }
        let key = Fingerprint(version: capabilities.version, classes: capabilities.classes.count, names: names.finalize())
        let value: ServerCapabilities
        if let existing = shared[key], existing == capabilities { value = existing } else { value = capabilities }
        shared[key] = value
        if let version = capabilities.version { byServer[endpoint + "|" + version] = value }
        return value
    }
}
