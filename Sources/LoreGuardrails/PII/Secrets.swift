extension PIIText {
    /// The longest body a token scanner reads; a longer run of token characters is no token.
    static var maxTokenBody: Int { 1024 }

    /// An AWS access key id at `i`: `AKIA`, `ASIA`, `AGPA`, `AIDA`, `AROA`, `ANPA`, `ANVA` or `AIPA`
    /// and 16 capitals or digits, standing alone (`AKIAIOSFODNN7EXAMPLE`).
    func awsAccessKey(at i: Int) -> Int? {
        guard self[i] == UInt8(ascii: "A") else { return nil }
        switch (self[i + 1], self[i + 2], self[i + 3]) {
        case (UInt8(ascii: "K"), UInt8(ascii: "I"), UInt8(ascii: "A")), (UInt8(ascii: "S"), UInt8(ascii: "I"), UInt8(ascii: "A")),
            (UInt8(ascii: "G"), UInt8(ascii: "P"), UInt8(ascii: "A")), (UInt8(ascii: "I"), UInt8(ascii: "D"), UInt8(ascii: "A")),
            (UInt8(ascii: "R"), UInt8(ascii: "O"), UInt8(ascii: "A")), (UInt8(ascii: "N"), UInt8(ascii: "P"), UInt8(ascii: "A")),
            (UInt8(ascii: "N"), UInt8(ascii: "V"), UInt8(ascii: "A")), (UInt8(ascii: "I"), UInt8(ascii: "P"), UInt8(ascii: "A")):
            break
        default:
            return nil
        }
        for k in (i + 4)..<(i + 20) where !(upper(k) || digit(k)) { return nil }
        return word(i + 20) ? nil : i + 20
    }

    /// An OpenAI-style key at `i`: `sk-`, optionally `proj-`, `ant-`, `svcacct-` or `admin-`, then
    /// 20+ of `[A-Za-z0-9_-]` with at least one letter and one digit (so `sk-your-key-here-please`
    /// is not one). Trailing dashes are left out.
    func openAIKey(at i: Int) -> Int? {
        guard matches("sk-", at: i) else { return nil }
        var s = i + 3
        if matches("proj-", at: s) {
            s += 5
        } else if matches("ant-", at: s) {
            s += 4
        } else if matches("svcacct-", at: s) {
            s += 8
        } else if matches("admin-", at: s) {
            s += 6
        }
        var j = s, letters = false, digits = false
        while j - s <= Self.maxTokenBody {
            let c = self[j]
            if Self.isDigit(c) {
                digits = true
            } else if Self.isAlpha(c) {
                letters = true
            } else if c != UInt8(ascii: "_") && c != UInt8(ascii: "-") {
                break
            }
            j += 1
        }
        if j - s > Self.maxTokenBody { return nil }
        while j > s, self[j - 1] == UInt8(ascii: "-") { j -= 1 }
        guard j - s >= 20, letters, digits else { return nil }
        return j
    }

    /// A GitHub token at `i`: `ghp_`, `gho_`, `ghu_`, `ghs_` or `ghr_` and 30+ letters and digits
    /// (36 in issued tokens; a little slack for hand-typed ones), or `github_pat_` and 22+ of
    /// `[A-Za-z0-9_]`; nothing glued after.
    func githubToken(at i: Int) -> Int? {
        if matches("github_pat_", at: i) {
            let s = i + 11
            var j = s
            while j - s <= Self.maxTokenBody, word(j) { j += 1 }
            return (22...Self.maxTokenBody).contains(j - s) ? j : nil
        }
        guard self[i] == UInt8(ascii: "g"), self[i + 1] == UInt8(ascii: "h"), self[i + 3] == UInt8(ascii: "_") else { return nil }
        switch self[i + 2] {
        case UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r"): break
        default: return nil
        }
        let s = i + 4
        var j = s
        while j - s <= Self.maxTokenBody, alnum(j) { j += 1 }
        guard (30...Self.maxTokenBody).contains(j - s), !word(j) else { return nil }
        return j
    }

    /// A Slack token at `i`: `xoxa-`, `xoxb-`, `xoxp-`, `xoxo-`, `xoxs-` or `xoxr-`, then segments of
    /// letters and digits joined by single dashes, 10+ characters with at least one digit
    /// (`xoxb-your-token-here` is not one).
    func slackToken(at i: Int) -> Int? {
        guard matches("xox", at: i), self[i + 4] == UInt8(ascii: "-") else { return nil }
        switch self[i + 3] {
        case UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "s"), UInt8(ascii: "r"): break
        default: return nil
        }
        let s = i + 5
        var j = s, digits = false
        while j - s <= Self.maxTokenBody {
            let start = j
            while j - s <= Self.maxTokenBody, alnum(j) {
                if digit(j) { digits = true }
                j += 1
            }
            guard j > start, self[j] == UInt8(ascii: "-"), alnum(j + 1) else { break }
            j += 1
        }
        guard (10...Self.maxTokenBody).contains(j - s), digits, !word(j) else { return nil }
        return j
    }

    /// A PEM private key block at `i`: from `-----BEGIN [A-Z ]*PRIVATE KEY-----` (or `... PRIVATE
    /// KEY BLOCK-----`, PGP) through the next `-----END [A-Z ]*PRIVATE KEY-----`, or to the end of
    /// the text when there is none.
    func privateKey(at i: Int) -> Int? {
        guard matches("-----BEGIN ", at: i), let header = privateKeyLabelEnd(from: i + 11) else { return nil }
        var j = header
        while j < count {
            if base[j] == UInt8(ascii: "-"), matches("-----END ", at: j), let end = privateKeyLabelEnd(from: j + 9) {
                return end
            }
            j += 1
        }
        return count
    }

    /// Just past `[A-Z ]*PRIVATE KEY( BLOCK)?-----` at `s`.
    private func privateKeyLabelEnd(from s: Int) -> Int? {
        var j = s
        while j - s < 64, upper(j) || self[j] == UInt8(ascii: " ") { j += 1 }
        guard matches("-----", at: j) else { return nil }
        if j - s >= 11, matches("PRIVATE KEY", at: j - 11) { return j + 5 }
        if j - s >= 17, matches("PRIVATE KEY BLOCK", at: j - 17) { return j + 5 }
        return nil
    }

    /// A JSON Web Token at `i`: `eyJ` (base64url of `{"`) starting three base64url segments of 10+
    /// characters each, joined by dots, nothing glued after.
    func jwt(at i: Int) -> Int? {
        guard matches("eyJ", at: i) else { return nil }
        var j = i
        for segment in 0..<3 {
            if segment > 0 {
                guard self[j] == UInt8(ascii: ".") else { return nil }
                j += 1
            }
            let s = j
            while j - s <= 16_384, word(j) || self[j] == UInt8(ascii: "-") { j += 1 }
            guard (10...16_384).contains(j - s) else { return nil }
        }
        return j
    }
}
