import Testing

@testable import LoreGuardrails

/// One reported match, as the kind and the matched text (for readable expectations).
private struct Hit: Equatable, CustomStringConvertible {
    var kind: PIIKind
    var text: String
    init(_ kind: PIIKind, _ text: String) { (self.kind, self.text) = (kind, text) }
    var description: String { "\(kind.rawValue)(\(text))" }
}

/// What `detector` reports in `text`.
private func hits(_ text: String, _ detector: PIIDetector = PIIDetector()) -> [Hit] {
    let bytes = Array(text.utf8)
    return detector.find(in: text).map { Hit($0.kind, String(decoding: bytes[$0.utf8Range], as: UTF8.self)) }
}

/// The UTF-8 byte range of the first occurrence of `needle` in `text`.
private func byteRange(of needle: String, in text: String) -> Range<Int>? {
    let haystack = Array(text.utf8), n = Array(needle.utf8)
    guard n.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - n.count) where haystack[start..<(start + n.count)].elementsEqual(n) {
        return start..<(start + n.count)
    }
    return nil
}

/// Each text is found to hold exactly one `kind`, the given substring (the whole text when nil).
private func expectFound(
    _ kind: PIIKind, _ cases: [(text: String, match: String?)], sourceLocation: SourceLocation = #_sourceLocation
) {
    for (text, match) in cases {
        let expected = match ?? text
        #expect(hits(text) == [Hit(kind, expected)], "in \(text.debugDescription)", sourceLocation: sourceLocation)
        let found = PIIDetector().find(in: text)
        #expect(
            found.first?.utf8Range == byteRange(of: expected, in: text), "range in \(text.debugDescription)",
            sourceLocation: sourceLocation)
    }
}

/// None of the texts holds anything the detector reports.
private func expectNothing(_ texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for text in texts {
        #expect(hits(text) == [], "in \(text.debugDescription)", sourceLocation: sourceLocation)
    }
}

@Suite("PII kinds")
struct PIIKindTests {
    @Test("each kind has a stable snake_case name and an upper-case bracketed placeholder")
    func names() {
        #expect(PIIKind.allCases.count == 13)
        #expect(PIIKind.creditCard.rawValue == "credit_card")
        #expect(PIIKind.usSSN.rawValue == "us_ssn")
        #expect(PIIKind.awsAccessKey.rawValue == "aws_access_key")
        #expect(PIIKind(rawValue: "openai_key") == .openAIKey)
        #expect(PIIKind.email.placeholder == "[EMAIL]")
        #expect(PIIKind.creditCard.placeholder == "[CREDIT_CARD]")
        for kind in PIIKind.allCases {
            #expect(kind.placeholder == "[" + kind.rawValue.uppercased() + "]")
        }
    }

    @Test("the secrets family is keys, tokens, private keys and JWTs; personal data is not secret")
    func secrets() {
        let secrets = Set(PIIKind.allCases.filter(\.isSecret))
        #expect(secrets == [.awsAccessKey, .openAIKey, .githubToken, .slackToken, .privateKey, .jwt])
    }
}

@Suite("PII detector: what is found")
struct PIIDetectorFindsTests {
    @Test("e-mail addresses: local@domain.tld, with dotted domains, tags, capitals, inside sentences and brackets")
    func emails() {
        expectFound(
            .email,
            [
                ("jane.doe@example.com", nil),
                ("Write to maria.garcia+news@mail.example.co.uk.", "maria.garcia+news@mail.example.co.uk"),
                ("Contact: <John_Smith@Sub.Example.ORG>", "John_Smith@Sub.Example.ORG"),
                ("mailto:ops-team@my-company.io?subject=hi", "ops-team@my-company.io"),
                ("(x.y@sub-domain.example-site.info)", "x.y@sub-domain.example-site.info"),
                ("邮箱wang@example.cn联系", "wang@example.cn")
            ])
        #expect(PIIDetector().find(in: "Write to maria@example.org today") == [PIIMatch(kind: .email, utf8Range: 9..<26)])
    }

    @Test("phone numbers: +CC in groups of spaces, dashes, dots or parentheses, 00CC, and North American forms")
    func phones() {
        expectFound(
            .phone,
            [
                ("+1 (415) 555-0132", nil), ("+44 20 7946 0958", nil), ("+49 30 901820", nil), ("+33 1 23 45 67 89", nil),
                ("+81-3-1234-5678", nil), ("+91 98765 43210", nil), ("0044 20 7946 0958", nil), ("+14155550132", nil),
                ("+44 (0)20 7946 0958", nil), ("+1(415)555-0132", nil), ("+49.30.901820", nil),
                ("(212) 555-0199", nil), ("(212)555-0199", nil), ("212-555-0199", nil), ("212.555.0199", nil),
                ("212 555 0199", nil), ("1-800-555-0199", nil), ("020 7946 0958", nil), ("01 23 45 67 89", nil),
                ("Call me at +1 415 555 0132, thanks.", "+1 415 555 0132"),
                ("tel:+44-20-7946-0958;", "+44-20-7946-0958"),
                ("Office (212) 555-0199 ext. 4", "(212) 555-0199 ext. 4"),
                ("+1 415 555 0132 2 times", "+1 415 555 0132")
            ])
        #expect(PIIDetector().find(in: "Call +1 (415) 555-0132 now") == [PIIMatch(kind: .phone, utf8Range: 5..<22)])
    }

    @Test("phone numbers with an extension: x, x., ext, ext., extn, extension or # after a space; the extension is in the match")
    func phoneExtensions() {
        expectFound(
            .phone,
            [
                ("+1-617-555-0143x2817", nil), ("(312) 555-0178 ext. 9", nil), ("312.555.0178 x405", nil),
                ("312-555-0178 x. 77", nil), ("(312)555-0178x31", nil), ("1-800-555-0100 Ext.2244", nil),
                ("+44 20 7946 0321 ext 14", nil), ("+33 1 23 45 67 89 x12", nil), ("212 555 0147 extension 3301", nil),
                ("212-555-0147 #52", nil), ("020 7946 0111 extn 5", nil),
                ("Support: 415.555.0190 x88, weekdays only.", "415.555.0190 x88"),
                ("Ring (646) 555-0122 EXT: 310 if urgent", "(646) 555-0122 EXT: 310")
            ])
        #expect(hits("212-555-0199 x1234567") == [Hit(.phone, "212-555-0199")])  // 7 digits: no extension
        #expect(hits("212-555-0199 ext") == [Hit(.phone, "212-555-0199")])
        #expect(PIIDetector().redact("dial 617.555.0101x9 now").text == "dial [PHONE] now")
    }

    @Test("bare digit runs are phones right after a phone word: call, phone, tel, mobile, cell, fax, ...")
    func contextPhones() {
        expectFound(
            .phone,
            [
                ("call 6175550143", "6175550143"), ("Phone: 3125550199", "3125550199"), ("tel. 13125550199", "13125550199"),
                ("Mobile 0612345678 (after 6pm)", "0612345678"), ("cell: 7185550112", "7185550112"),
                ("Please call me at 2065550177 tomorrow.", "2065550177"), ("FAX 4045550160", "4045550160"),
                ("contact_phone=3035550188", "3035550188"), ("Tél. : 0145678901", "0145678901"),
                ("her phone number is 3125550199x7", "3125550199x7"), ("mobile: 512 345 678", "512 345 678")
            ])
    }

    @Test("national forms: an area code with its trunk 0 in parentheses, two groups, area-dash groups")
    func nationalPhones() {
        expectFound(
            .phone,
            [
                ("(0161) 496 0123", nil), ("(030) 1234567", nil), ("(07) 4127 8901", nil), ("(08550) 96232", nil),
                ("(089)-1234567", nil), ("07700 900123", nil), ("05858 94343", nil), ("08-123 45 67", nil),
                ("0303-12 34 56", nil)
            ])
    }

    @Test("SSNs written as nine digits in a row, right after SSN or social security")
    func bareSSNs() {
        expectFound(
            .usSSN,
            [
                ("SSN: 219099999", "219099999"), ("social security number 078051120", "078051120"),
                ("SSN#457555462", "457555462"), ("Social Security No. 123456789", "123456789"),
                ("the employee's SSN is 536226798.", "536226798"), ("ssn=401234567", "401234567")
            ])
    }

    @Test("card numbers: 13-19 digits, grouped or not, with a known issuer prefix, passing Luhn")
    func cards() {
        expectFound(
            .creditCard,
            [
                ("4111 1111 1111 1111", nil), ("4111-1111-1111-1111", nil), ("4111111111111111", nil),
                ("4222222222222", nil),  // Visa, 13 digits
                ("5555 5555 5555 4444", nil), ("2223 0031 2200 3222", nil),  // Mastercard
                ("3782 822463 10005", nil), ("371449635398431", nil),  // Amex
                ("6011 1111 1111 1117", nil), ("6500 0000 0000 0002", nil),  // Discover
                ("3056 9309 0259 04", nil), ("3056 930902 5904", nil),  // Diners
                ("3530 1113 3330 0000", nil),  // JCB
                ("6200 0000 0000 0005", nil),  // UnionPay
                ("Paid with card 4111 1111 1111 1111 exp 12/27.", "4111 1111 1111 1111"),
                ("card=5555555555554444;", "5555555555554444")
            ])
        #expect(PIIDetector().find(in: "Card: 4111 1111 1111 1111.") == [PIIMatch(kind: .creditCard, utf8Range: 6..<25)])
    }

    @Test("IBANs: compact or in groups of four, the country's length, mod-97 valid")
    func ibans() {
        expectFound(
            .iban,
            [
                ("DE89370400440532013000", nil), ("DE89 3704 0044 0532 0130 00", nil),
                ("GB82WEST12345698765432", nil), ("GB82 WEST 1234 5698 7654 32", nil),
                ("FR14 2004 1010 0505 0001 3M02 606", nil), ("NL91ABNA0417164300", nil), ("NO9386011117947", nil),
                ("BE68539007547034", nil), ("CH9300762011623852957", nil),
                ("Pay to IBAN DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00"),
                ("iban=ES9121000418450200051332, ref 7", "ES9121000418450200051332")
            ])
    }

    @Test("US SSNs: AAA-GG-SSSS or with spaces, in the issued ranges")
    func ssns() {
        expectFound(
            .usSSN,
            [
                ("123-45-6789", nil), ("078 05 1120", nil), ("SSN: 219-09-9999.", "219-09-9999"),
                ("her social is 536-22-1234 on file", "536-22-1234")
            ])
    }

    @Test("IPv4 addresses: four 0-255 octets without leading zeros, with ports, prefixes and punctuation")
    func ipv4() {
        expectFound(
            .ipv4,
            [
                ("192.168.1.1", nil), ("0.0.0.0", nil), ("255.255.255.255", nil), ("8.8.8.8", nil),
                ("connect to 10.0.0.1:8080 now", "10.0.0.1"), ("allow 172.16.0.0/12", "172.16.0.0"),
                ("server at 127.0.0.1.", "127.0.0.1"), ("[203.0.113.7]", "203.0.113.7")
            ])
    }

    @Test("IPv6 addresses: full, ::-compressed, loopback, with an IPv4 tail, zone or port")
    func ipv6() {
        expectFound(
            .ipv6,
            [
                ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", nil), ("2001:db8::8a2e:370:7334", nil),
                ("fe80::1", nil), ("::1", nil), ("::ffff:192.0.2.1", nil), ("2001:DB8::1", nil), ("fe80::", nil),
                ("listen [::1]:8080", "::1"), ("link fe80::1%eth0 up", "fe80::1"), ("host 2001:db8::1.", "2001:db8::1")
            ])
    }

    @Test("AWS access key ids: AKIA/ASIA/... and 16 capitals or digits")
    func aws() {
        expectFound(
            .awsAccessKey,
            [
                ("AKIAIOSFODNN7EXAMPLE", nil), ("ASIAY34FZKBOKMUTVV7A", nil), ("AROA1234567890ABCDEF", nil),
                ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", "AKIAIOSFODNN7EXAMPLE")
            ])
    }

    @Test("OpenAI-style keys: sk-, sk-proj-, sk-ant-, sk-svcacct- with 20+ characters, letters and digits")
    func openAI() {
        expectFound(
            .openAIKey,
            [
                ("sk-abcdefghij1234567890ABCD", nil), ("sk-proj-abc123def456ghi789jkl012mno", nil),
                ("sk-ant-api03-AbCdEf1234567890GhIjKlMn_xyz", nil), ("sk-svcacct-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2", nil),
                ("OPENAI_API_KEY=\"sk-proj-T3BlbkFJ4n5m6o7p8q9r0s1t2u3v\"", "sk-proj-T3BlbkFJ4n5m6o7p8q9r0s1t2u3v")
            ])
    }

    @Test("GitHub tokens: ghp_/gho_/ghu_/ghs_/ghr_ and 36 letters or digits, github_pat_ and 22+")
    func github() {
        expectFound(
            .githubToken,
            [
                ("ghp_1234567890abcdefghijABCDEFGHIJ123456", nil), ("gho_16C7e42F292c6912E7710c838347Ae178B4a", nil),
                ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", nil),
                ("token: ghs_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 (CI)", "ghs_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")
            ])
    }

    @Test("Slack tokens: xox[abposr]- and dashed segments, 10+ characters with a digit")
    func slack() {
        expectFound(
            .slackToken,
            [
                ("xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", nil),
                ("xoxp-123456789012-123456789012-123456789012-abcdef0123456789abcdef0123456789", nil),
                ("SLACK_TOKEN=xoxa-2-abcdef123456 # bot", "xoxa-2-abcdef123456")
            ])
    }

    @Test("private keys: the whole PEM block, BEGIN through END; without an END, to the end of the text")
    func privateKeys() {
        let block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Wq\nQ29weXJpZ2h0\n-----END RSA PRIVATE KEY-----"
        expectFound(
            .privateKey,
            [
                (block, nil),
                ("key:\n" + block + "\nafter", block),
                ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", nil),
                ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", nil),
                (
                    "x -----BEGIN PGP PRIVATE KEY BLOCK----- lQdGBF -----END PGP PRIVATE KEY BLOCK----- y",
                    "-----BEGIN PGP PRIVATE KEY BLOCK----- lQdGBF -----END PGP PRIVATE KEY BLOCK-----"
                )
            ])
    }

    @Test("JWTs: eyJ and three dot-separated base64url segments")
    func jwts() {
        let token =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        expectFound(.jwt, [(token, nil), ("Authorization: Bearer \(token).", token), ("?t=\(token)&x=1", token)])
    }

    @Test("several kinds in one text are reported in order of position")
    func several() {
        let text = "Mail ann@example.com or +44 20 7946 0958; card 4111 1111 1111 1111, host 10.1.2.3, key AKIAIOSFODNN7EXAMPLE."
        #expect(
            hits(text) == [
                Hit(.email, "ann@example.com"), Hit(.phone, "+44 20 7946 0958"), Hit(.creditCard, "4111 1111 1111 1111"),
                Hit(.ipv4, "10.1.2.3"), Hit(.awsAccessKey, "AKIAIOSFODNN7EXAMPLE")
            ])
    }
}

@Suite("PII detector: look-alikes that are not found")
struct PIIDetectorLookAlikeTests {
    @Test("not e-mail: localhost, decorators, mentions, package versions, retina image names")
    func notEmails() {
        expectNothing([
            "user@localhost", "@Test func works()", "ping @maria about it", "lodash@4.17.21", "npm i react@latest",
            "logo@2x.png", "a@b.c", "joe@example.c", "@types/node@18.0.0", "x@-bad.com", "name@domain.123"
        ])
    }

    @Test("not phones: order numbers, dates, versions, IPs, times, plain digit runs, numbers glued to tokens")
    func notPhones() {
        expectNothing([
            "order 4155550132", "Order #100234987 shipped", "2024-03-15", "15.03.2024", "03/15/2024", "v2.10.4",
            "release 1.2.3", "at 12:30:45", "ORD-2024-000123", "invoice INV-212-555-0199", "SKU 212-555-01995",
            "415.555.0132.5", "+12 34", "2+2 = 4", "call 555-0199", "ISBN 978-3-16-148410-0", "ref 00000 12345"
        ])
    }

    @Test("not phones or SSNs: digit runs without a phone or SSN word before them, SKUs, timestamps, ids")
    func notContextForms() {
        expectNothing([
            // SKUs and part numbers shaped like phone numbers, with a suffix or a prefix
            "SKU 741-180-1968-B", "part 212-555-0199-XL", "item 212-555-0199/2", "AB-212-555-0199",
            // nine digits outside an SSN context: order, ZIP+4, tracking, routing numbers
            "Order #219099999", "ZIP 021394307", "ZIP+4 02139-4307", "tracking 457555462", "routing number 021000021",
            "SSN 1234567890", "SSN: 000123456", "ssn 666123456", "SSN: 912345678", "SSN 123450000",
            // ten digits outside a phone context: ISBN-10, account ids, unix times
            "ISBN 0306406152", "account 4417823190", "created 1715000000", "order 6175550143", "id=3125550199",
            "my iphone 3125550199", "microphone 3125550199",
            // phone words before things that are not numbers of a phone
            "call at 2024-05-06 12:30", "call 2024-05-06T12:30:00", "phone 20240506123000", "call 1234 5678",
            "phone 4111 1111 1111 1112", "mobile 00:1A:2B:3C:4D:5E", "call localhost:8080",
            "phone 0003125550199", "Phone model 42X sold 123456789 units",
            // hashes, UUIDs, versions, MAC addresses, ports
            "md5 9e107d9d372bb6826bd81d3542a419d6", "550e8400-e29b-41d4-a716-446655440000", "version 10.4.2.1",
            "00-1A-2B-3C-4D-5E", "port 5432",
            // card-length digits inside an IBAN-shaped string with a wrong checksum
            "TR21 5802 7567 7121 2368 4607 42"
        ])
    }

    @Test("not cards: Luhn failures, unknown prefixes, runs too long, UUIDs, hashes, glued numbers")
    func notCards() {
        expectNothing([
            "4111 1111 1111 1112", "4111111111111112", "1234 5678 9012 3456", "9400 1000 0000 0000 0000",
            "41111111111111111111", "4111-1111-1111-1111-2222", "INV-4111111111111111", "card 4111111111111111x",
            "550e8400-e29b-41d4-a716-446655440000", "timestamp 1710505845123",
            "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        ])
    }

    @Test("not IBANs: wrong checksum, wrong length for the country, unknown country, broken groups")
    func notIBANs() {
        expectNothing([
            "GB83WEST12345698765432", "DE89370400440532013001", "DE8937040044053201300", "DE893704004405320130001",
            "ZZ89370400440532013000", "DE89 3704 0044 0532 013 000", "de89370400440532013000"
        ])
    }

    @Test("not SSNs: area 000, 666 or 9xx, group 00, serial 0000, part of longer numbers")
    func notSSNs() {
        expectNothing([
            "000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000",
            "1-123-45-6789", "123-45-6789-0", "123-45-67890", "123-45 6789", "12345-6789"
        ])
    }

    @Test("not IPv4: versions, five parts, octets over 255, leading zeros, glued to letters")
    func notIPv4() {
        expectNothing([
            "1.2.3.4.5", "v1.2.3.4", "version 1.2.3.4", "Version: 10.0.1.2", "build 4.0.12.1", "256.1.1.1",
            "01.2.3.4", "192.168.1", "1.2.3.4-beta", "ip10.0.0.1", "10.0.0.1a"
        ])
    }

    @Test("not IPv6: times, C++ scopes, MAC addresses, a lone ::, slices, too many groups")
    func notIPv6() {
        expectNothing([
            "12:30:45", "std::vector<int>", "Foo::Bar::baz()", "00:1a:2b:3c:4d:5e", "00:1A:2B:3C:4D:5E:6F:70", "::",
            "a[1::2]", "x[::2]", "1:2:3:4:5:6:7:8:9", "2001:db8::1::2", "12345::1", "fe80::1g"
        ])
    }

    @Test("not secrets: placeholders, wrong lengths, prefixes inside other words, public keys")
    func notSecrets() {
        expectNothing([
            "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX", "XAKIAIOSFODNN7EXAMPLE", "AKIAiosfodnn7example",
            "sk-your-api-key-goes-here", "sk-12345", "task-sk-abcdefghij1234567890", "risk-abcdefghij1234567890xyz",
            "ghp_short123", "ghx_1234567890abcdefghijABCDEFGHIJ123456", "github_pat_short",
            "xoxb-your-token-here", "xoxz-1234567890-abcdef",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----",
            "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", "eyJshort.eyJshort.sig"
        ])
    }
}

@Suite("PII detector: redaction, overlaps, options and edge cases")
struct PIIDetectorBehaviourTests {
    @Test("redact replaces each match with its placeholder and keeps the rest byte for byte")
    func redact() {
        let text = "Email: jane@example.com, card 4111 1111 1111 1111, ssn 123-45-6789.\n\tEnd  "
        let (redacted, matches) = PIIDetector().redact(text)
        #expect(redacted == "Email: [EMAIL], card [CREDIT_CARD], ssn [US_SSN].\n\tEnd  ")
        #expect(matches.map(\.kind) == [.email, .creditCard, .usSSN])
        #expect(matches.map(\.utf8Range) == [7..<23, 30..<49, 55..<66])  // ranges in the original text
    }

    @Test("redacting a text without matches gives it back unchanged")
    func redactNothing() {
        let text = "Nothing here: version 1.2.3, order #4155550132, 東京 and émigré."
        let (redacted, matches) = PIIDetector().redact(text)
        #expect(redacted == text)
        #expect(matches.isEmpty)
    }

    @Test("non-ASCII text around matches: ranges are UTF-8 offsets and redaction keeps every character whole")
    func nonASCII() {
        let text = "Zürich: +41 44 668 18 00 — 東京の連絡先 müller@example.de 😀!"
        let matches = PIIDetector().find(in: text)
        #expect(
            matches == [
                PIIMatch(kind: .phone, utf8Range: 9..<25),
                PIIMatch(kind: .email, utf8Range: 49..<67)  // ü, —, 東京の連絡先 count 2, 3 and 3 bytes each
            ])
        #expect(hits(text) == [Hit(.phone, "+41 44 668 18 00"), Hit(.email, "müller@example.de")])
        let (redacted, _) = PIIDetector().redact(text)
        #expect(redacted == "Zürich: [PHONE] — 東京の連絡先 [EMAIL] 😀!")
        #expect(PIIDetector().redact("电话+86 138 0013 8000，邮箱li@example.cn。").text == "电话[PHONE]，邮箱[EMAIL]。")
    }

    @Test("on overlap the longer match wins: an IPv6 address with an IPv4 tail, an international number, an e-mail")
    func overlapLonger() {
        #expect(hits("::ffff:192.0.2.1") == [Hit(.ipv6, "::ffff:192.0.2.1")])
        #expect(hits("+1 212-555-0199") == [Hit(.phone, "+1 212-555-0199")])
        #expect(hits("4111111111111111@example.com") == [Hit(.email, "4111111111111111@example.com")])
        #expect(hits("tel:+1-123-45-6789") == [Hit(.phone, "+1-123-45-6789")])
    }

    @Test("overlap resolution: longest first, the more specific kind on a tie, then the leftmost")
    func resolve() {
        let resolved = PIIDetector.resolve([
            PIIMatch(kind: .phone, utf8Range: 0..<10), PIIMatch(kind: .creditCard, utf8Range: 2..<21),
            PIIMatch(kind: .ipv4, utf8Range: 30..<40), PIIMatch(kind: .phone, utf8Range: 30..<40),
            PIIMatch(kind: .email, utf8Range: 45..<50), PIIMatch(kind: .email, utf8Range: 48..<53)
        ])
        #expect(
            resolved == [
                PIIMatch(kind: .creditCard, utf8Range: 2..<21), PIIMatch(kind: .ipv4, utf8Range: 30..<40),
                PIIMatch(kind: .email, utf8Range: 45..<50)
            ])
    }

    @Test("disabled kinds are not reported, and still keep their text from other kinds")
    func disabledKinds() {
        let text = "ann@example.com +44 20 7946 0958 4111 1111 1111 1111 10.0.0.1"
        #expect(hits(text, PIIDetector(kinds: [.email])) == [Hit(.email, "ann@example.com")])
        #expect(hits(text, PIIDetector(kinds: [.phone, .ipv4])) == [Hit(.phone, "+44 20 7946 0958"), Hit(.ipv4, "10.0.0.1")])
        #expect(hits(text, PIIDetector(kinds: [])) == [])
        #expect(PIIDetector(kinds: [.jwt]).redact(text).text == text)
        // With IPv6 off, the IPv4 tail of an IPv6 address is not reported on its own.
        #expect(hits("::ffff:192.0.2.1", PIIDetector(kinds: [.ipv4])) == [])
        #expect(PIIDetector(kinds: Set(PIIKind.allCases.filter(\.isSecret))).redact(text).text == text)
    }

    @Test("an empty text has no matches and redacts to itself")
    func empty() {
        #expect(PIIDetector().find(in: "").isEmpty)
        let (text, matches) = PIIDetector().redact("")
        #expect(text == "")
        #expect(matches.isEmpty)
    }

    @Test("matches at the very start and end of the text, and back to back")
    func edges() {
        #expect(hits("1.1.1.1") == [Hit(.ipv4, "1.1.1.1")])
        #expect(hits("a@example.com,b@example.com") == [Hit(.email, "a@example.com"), Hit(.email, "b@example.com")])
        #expect(PIIDetector().redact("10.0.0.1\n10.0.0.2").text == "[IPV4]\n[IPV4]")
    }

    @Test("a 100 KB text without personal data has no matches (and is scanned in linear time)")
    func largeCleanText() {
        let sentence =
            "Release v2.3.1 (build 2024-03-15) closed order #100234987 at 12:30:45; see std::vector, "
            + "hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, @maria, café 東京. "
        var text = ""
        while text.utf8.count < 100_000 { text += sentence }
        #expect(PIIDetector().find(in: text).isEmpty)
    }

    @Test("pathological inputs finish: long runs of token prefixes, separators and @ signs")
    func pathological() {
        #expect(PIIDetector().find(in: String(repeating: "sk-", count: 30_000)).isEmpty)
        #expect(PIIDetector().find(in: String(repeating: "a:", count: 50_000)).isEmpty)
        #expect(PIIDetector().find(in: String(repeating: "a@", count: 50_000)).isEmpty)
        #expect(PIIDetector().find(in: String(repeating: "1234 5678 ", count: 10_000)).isEmpty)
        #expect(PIIDetector().find(in: String(repeating: "xoxb-", count: 20_000)).isEmpty)
        let begins = String(repeating: "-----BEGIN RSA PRIVATE KEY----- ", count: 3_000)
        #expect(PIIDetector().find(in: begins) == [PIIMatch(kind: .privateKey, utf8Range: 0..<begins.utf8.count)])
        #expect(PIIDetector().find(in: String(repeating: "1", count: 100_000)).isEmpty)
    }
}
