/// A kind of personal data or secret that ``PIIDetector`` finds.
///
/// The raw value is the kind's stable name in JSON, logs and configuration (`"credit_card"`).
public enum PIIKind: String, CaseIterable, Sendable, Codable {
    /// An e-mail address: `local@domain.tld`, with a dotted domain and an alphabetic top-level domain.
    case email
    /// A telephone number: international (`+44 20 7946 0958`, `0044 20 7946 0958`), North American
    /// (`(212) 555-0199`, `212-555-0199`) or a grouped national number with a trunk 0 (`020 7946 0958`,
    /// `(0161) 496 0066`), with its extension if any (`212-555-0199 ext. 12`); a bare digit run only
    /// after a phone word (`call 2125550199`).
    case phone
    /// A payment card number of 13-19 digits with a known issuer prefix that passes the Luhn check.
    case creditCard = "credit_card"
    /// An International Bank Account Number of the right length for its country, passing mod-97.
    case iban
    /// A US Social Security number, `AAA-GG-SSSS` (or with spaces), in the ranges that are issued;
    /// nine digits without separators only after "SSN" or "social security" (`SSN: 078051120`).
    case usSSN = "us_ssn"
    /// A dotted-quad IPv4 address.
    case ipv4
    /// An IPv6 address, full or `::`-compressed, possibly with an IPv4 tail.
    case ipv6
    /// An AWS access key id (`AKIA...`, `ASIA...`).
    case awsAccessKey = "aws_access_key"
    /// An OpenAI-style secret key (`sk-...`, `sk-proj-...`, `sk-ant-...`, `sk-svcacct-...`).
    case openAIKey = "openai_key"
    /// A GitHub token (`ghp_...`, `gho_...`, `ghu_...`, `ghs_...`, `ghr_...`, `github_pat_...`).
    case githubToken = "github_token"
    /// A Slack token (`xoxb-...`, `xoxp-...`, ...).
    case slackToken = "slack_token"
    /// A PEM private key block, `-----BEGIN ... PRIVATE KEY-----` to its `-----END ...-----` line.
    case privateKey = "private_key"
    /// A JSON Web Token: three base64url segments, the first one starting `eyJ` (`{"`).
    case jwt

    /// The placeholder that replaces it in redacted text, e.g. "[EMAIL]", "[CREDIT_CARD]".
    public var placeholder: String {
        switch self {
        case .email: "[EMAIL]"
        case .phone: "[PHONE]"
        case .creditCard: "[CREDIT_CARD]"
        case .iban: "[IBAN]"
        case .usSSN: "[US_SSN]"
        case .ipv4: "[IPV4]"
        case .ipv6: "[IPV6]"
        case .awsAccessKey: "[AWS_ACCESS_KEY]"
        case .openAIKey: "[OPENAI_KEY]"
        case .githubToken: "[GITHUB_TOKEN]"
        case .slackToken: "[SLACK_TOKEN]"
        case .privateKey: "[PRIVATE_KEY]"
        case .jwt: "[JWT]"
        }
    }

    /// True for the secrets family (keys, tokens, private keys, JWTs).
    public var isSecret: Bool {
        switch self {
        case .awsAccessKey, .openAIKey, .githubToken, .slackToken, .privateKey, .jwt: true
        case .email, .phone, .creditCard, .iban, .usSSN, .ipv4, .ipv6: false
        }
    }

    /// Which kind wins when two overlapping matches have the same length: the more specific format.
    var specificity: Int {
        switch self {
        case .privateKey: 13
        case .jwt: 12
        case .awsAccessKey: 11
        case .githubToken: 10
        case .slackToken: 9
        case .openAIKey: 8
        case .iban: 7
        case .creditCard: 6
        case .usSSN: 5
        case .email: 4
        case .ipv6: 3
        case .ipv4: 2
        case .phone: 1
        }
    }
}

/// One match: its kind and where it is, as UTF-8 byte offsets into the scanned text.
///
/// A range always falls on character boundaries (matches are ASCII, but for accented Latin
/// letters in an e-mail's local part): `String(decoding: Array(text.utf8)[m.utf8Range], as: UTF8.self)`
/// is the matched text.
public struct PIIMatch: Sendable, Equatable {
    /// What was found.
    public var kind: PIIKind
    /// Where it is: UTF-8 byte offsets into the scanned text, end exclusive.
    public var utf8Range: Range<Int>

    /// A match of `kind` over the UTF-8 bytes `utf8Range`.
    public init(kind: PIIKind, utf8Range: Range<Int>) {
        self.kind = kind
        self.utf8Range = utf8Range
    }
}
