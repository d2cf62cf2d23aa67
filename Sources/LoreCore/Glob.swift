/// A shell-style glob: `*` matches within one path component, `**` across components,
/// `?` one character and `[abc]` / `[a-z]` / `[!a]` a class.
///
/// A pattern without `/` is matched against the last path component; one with `/`
/// against the whole relative path.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let chars: [Character]
    private let matchesBasename: Bool

    public init(_ pattern: String) {
        self.pattern = pattern
        self.chars = Array(pattern)
        self.matchesBasename = !pattern.contains("/")
    }

    public var description: String { pattern }

    /// Whether `path` (relative, `/`-separated) matches.
    public func matches(_ path: String) -> Bool {
        let subject: Substring
        if matchesBasename, let slash = path.lastIndex(of: "/") {
            subject = path[path.index(after: slash)...]
        } else {
            subject = path[...]
        }
        return Self.match(chars[...], Array(subject)[...])
    }

    private static func match(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>) -> Bool {
        var p = p, s = s
        while let c = p.first {
            switch c {
            case "*":
                let doubleStar = p.dropFirst().first == "*"
                var rest = p.dropFirst(doubleStar ? 2 : 1)
                if doubleStar, rest.first == "/" {
                    // "**/" also matches zero directories.
                    if match(rest.dropFirst(), s) { return true }
                }
                if rest.isEmpty { return doubleStar || !s.contains("/") }
                var t = s
                while true {
                    if match(rest, t) { return true }
                    guard let f = t.first else { return false }
                    if f == "/" && !doubleStar { return false }
                    t = t.dropFirst()
                }
                rest = []
            case "?":
                guard let f = s.first, f != "/" else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            case "[":
                guard let f = s.first, f != "/", let close = p.dropFirst(2).firstIndex(of: "]") else {
                    guard s.first == "[" else { return false }
                    p = p.dropFirst(); s = s.dropFirst(); continue
                }
                var set = p[(p.startIndex + 1)..<close]
                let negate = set.first == "!" || set.first == "^"
                if negate { set = set.dropFirst() }
                var hit = false
                var k = set.startIndex
                while k < set.endIndex {
                    if k + 2 < set.endIndex, set[k + 1] == "-" {
                        if set[k] <= f && f <= set[k + 2] { hit = true }
                        k += 3
                    } else {
                        if set[k] == f { hit = true }
                        k += 1
                    }
                }
                if hit == negate { return false }
                p = p[(close + 1)...]; s = s.dropFirst()
            default:
                guard s.first == c else { return false }
                p = p.dropFirst(); s = s.dropFirst()
            }
        }
        return s.isEmpty
    }
}
