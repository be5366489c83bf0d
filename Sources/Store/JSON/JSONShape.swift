/// Which parts of a JSON value a reader needs: `JSONReader.readValue(shape:)` builds those
/// and only checks the rest.
///
/// Why: an HTTP answer is interpreted from a few of its fields (`HTTPResultDecoder`), but
/// a whole `JSONValue` tree of it was built first — a `POST /prompt` body's every input,
/// a history entry's whole graph — and released: the tree was most of what a replay paid
/// for a transcript's HTTP lines (docs/performance.md, "Replay"). A part that is not
/// needed is still read as strictly as `readValue()` reads it, so a document is refused
/// exactly when it would be.
public indirect enum JSONShape: Sendable {
    /// The whole value.
    case whole
    /// Not needed: checked, not built; `.null` stands in its place.
    case skipped
    /// An object: the members called one of `members`' names read with that shape (every
    /// one of them, in order), every other member read with `others` — or left out of the
    /// object when `others` is nil (so only for a reader that never counts or walks the
    /// members). A value that is not an object is read whole.
    case object(_ members: [(name: StaticString, shape: JSONShape)], others: JSONShape?)
    /// An array: element `i` read with `elements[i]`, the ones after with `rest`; the
    /// count stays. A value that is not an array is read whole.
    case array(_ elements: [JSONShape], rest: JSONShape)
}
