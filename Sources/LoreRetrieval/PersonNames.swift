/// Given names and surnames (every locale of Faker, Cyrillic ones also in Latin letters),
/// from `Resources/person-names.txt`, written by `scripts/make-person-names`. A question
/// that mentions a person the documents never name ("my colleague Maria") is not about
/// that person: the name is context.
public enum PersonNames {
    /// The lower-cased names, parsed once on first use.
    public static let all: Set<String> = {
        let text = String(decoding: PackageResources.person_names_txt, as: UTF8.self)
        var out = Set<String>(minimumCapacity: 60_000)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") { out.insert(String(line)) }
        return out
    }()

    /// Whether every word of `name` is a given name or a surname.
    public static func isPerson(_ name: String) -> Bool {
        let words = name.split { !$0.isLetter && $0 != "'" && $0 != "’" }.map { $0.lowercased() }
        return !words.isEmpty && words.allSatisfy { all.contains($0) }
    }
}
