/// A structural diff of two JSON trees, naming each changed leaf by its path.
enum JSONDiff {
    static func diff(_ old: JSONValue, _ new: JSONValue, at path: String, into out: inout [DiffLine]) {
        guard old != new else { return }
        switch (old, new) {
        case (.object(let a), .object(let b)):
            for field in a where !b.contains(where: { $0.key == field.key }) {
                out.append(DiffLine(.removed, join(path, field.key), old: field.value))
            }
            for field in b {
                if let previous = a.first(where: { $0.key == field.key }) {
                    diff(previous.value, field.value, at: join(path, field.key), into: &out)
                } else {
                    out.append(DiffLine(.added, join(path, field.key), new: field.value))
                }
            }
        case (.array(let a), .array(let b)) where a.count == b.count:
            for i in a.indices where a[i] != b[i] { diff(a[i], b[i], at: "\(path)[\(i)]", into: &out) }
        case (.array(let a), .array(let b)) where b.count > a.count && Array(b.prefix(a.count)) == a:
            for i in a.count..<b.count { out.append(DiffLine(.added, "\(path)[\(i)]", new: b[i])) }
        default:
            out.append(DiffLine(.changed, path, old: old, new: new))
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}
