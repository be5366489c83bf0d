/// How the editor shows an input: as a widget with a value the prompt sends, or as a
/// socket only. The rules follow the ComfyUI frontend (its widget constructors and
/// `widgetStore.inputIsWidget`), because a saved workflow's `widgets_values` are
/// positional over exactly the widgets the editor made.
public enum WidgetKind: Sendable, Hashable {
    case int, float, string, boolean, combo
    /// `COMFY_DYNAMICCOMBO_V3`: a combo whose selected option adds widgets of its own,
    /// right after it.
    case dynamicCombo
    /// A widget of the editor's own for a non-standard type (`COLOR`, `CURVE`,
    /// `IMAGECOMPARE`, `BOUNDING_BOX`…): its saved value is sent as it is.
    case custom(String)
    /// A value the editor produces only when it queues (a capture of the 3D viewport, a
    /// microphone recording, a webcam frame). A saved file holds one only sometimes.
    case editorCaptured(String)

    /// The type name used in listings and messages.
    public var typeName: String {
        switch self {
        case .int: "INT"
        case .float: "FLOAT"
        case .string: "STRING"
        case .boolean: "BOOLEAN"
        case .combo: "COMBO"
        case .dynamicCombo: "COMBO"
        case .custom(let type), .editorCaptured(let type): type
        }
    }
}

/// What the editor's "control after generate" widget does to its value between runs.
public enum ControlMode: String, Sendable, Hashable, CaseIterable {
    case fixed, increment, decrement, randomize
    /// Combos only: `increment` that wraps to the first choice.
    case incrementWrap = "increment-wrap"
}

extension InputSpec {
    /// Types the frontend draws a widget for besides INT, FLOAT, STRING, BOOLEAN and
    /// COMBO (core widget constructors and core extensions). An input of another type is a
    /// socket, owning no `widgets_values` slot, unless it is `socketless`.
    static let editorWidgetTypes: Set<String> = [
        "MARKDOWN", "IMAGEUPLOAD", "COLOR", "IMAGECOMPARE", "BOUNDING_BOX", "BOUNDING_BOXES", "CHART", "GALLERIA",
        "PAINTER", "COMPOSITOR", "TEXTAREA", "CURVE", "RANGE", "VIDEO_EDIT", "RESOLUTION_PREVIEW", "COLORS",
        "LOAD_3D", "LOAD_3D_ADVANCED", "PREVIEW_3D", "AUDIO_UI", "AUDIO_RECORD", "WEBCAM",
    ]

    /// Widget types whose value the editor computes at queue time and that the node
    /// cannot run without.
    static let capturedTypes: Set<String> = ["AUDIO_RECORD", "WEBCAM"]

    /// The widget the editor gives this input, or nil when it is a socket only.
    /// `className` matters for one input: `Load3D.image` is the viewport capture, while
    /// the same `LOAD_3D` type elsewhere (`viewport_state`) is a plain saved state.
    public func widget(of className: String) -> WidgetKind? {
        if isForcedInput { return nil }
        let shown = option("widgetType")?.stringValue ?? type
        switch shown {
        case "INT": return .int
        case "FLOAT": return .float
        case "STRING": return .string
        case "BOOLEAN": return .boolean
        case "COMBO": return .combo
        case Self.dynamicComboType: return .dynamicCombo
        default: break
        }
        if Self.capturedTypes.contains(shown) || (shown == "LOAD_3D" && className == "Load3D" && name == "image") {
            return .editorCaptured(shown)
        }
        if Self.editorWidgetTypes.contains(shown) || option("socketless")?.boolValue == true { return .custom(shown) }
        return nil
    }

    /// The "control after generate" widget the editor adds after this one, with the mode
    /// a new node starts in: INT inputs flagged `control_after_generate` (or, unflagged,
    /// named `seed` or `noise_seed`), and combos that ask for one.
    public func control(of className: String) -> ControlMode? {
        guard let kind = widget(of: className) else { return nil }
        let flag = option("control_after_generate")
        switch kind {
        case .int:
            if let flag {
                if case .string(let mode) = flag { return ControlMode(rawValue: mode) ?? .randomize }
                return flag.boolValue == true ? .randomize : nil
            }
            return name == "seed" || name == "noise_seed" ? .randomize : nil
        case .combo:
            guard let flag else { return nil }
            if case .string(let mode) = flag { return ControlMode(rawValue: mode) ?? .randomize }
            return flag.boolValue == true ? .randomize : nil
        default:
            return nil
        }
    }

    /// `widgets_values` slots the editor keeps after this widget, besides its control,
    /// that the prompt never sees: the two controls of a remote combo with a refresh
    /// button, and the four fields of the image-crop component.
    func interfaceSlots() -> Int {
        var slots = 0
        if option("remote")?["refresh_button"]?.boolValue == true { slots += 2 }
        if option("component")?.stringValue == "ImageCrop" { slots += 4 }
        return slots
    }

    /// The value a freshly made widget holds: the declared default, else a combo's
    /// first choice, else the type's zero.
    public func editorDefault(of className: String) -> JSONValue {
        if let declaredDefault { return declaredDefault }
        switch widget(of: className) {
        case .combo?, .dynamicCombo?: return choices.first ?? .null
        case .int?, .float?: return 0
        case .string?: return ""
        case .boolean?: return false
        default: return .null
        }
    }
}
