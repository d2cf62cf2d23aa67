import LoreRetrieval
import Testing

/// Which words of a question are names a corpus must mention: proper nouns and acronyms,
/// code identifiers, hyphenated compounds; never plain words, sentence openers or numbers.
@Suite("Names in a question")
struct QuestionNameTests {
    func names(_ q: String) -> [String] { QuestionName.extract(q).map(\.text) }

    @Test("proper nouns and acronyms inside a sentence are names; capitals after the first letter always are")
    func properNouns() {
        #expect(names("How do I open a database with SQLCipher using a passphrase?") == ["SQLCipher"])
        #expect(names("Which JDBC driver should I use from Java?") == ["JDBC", "Java"])
        #expect(names("SQLCipher or plain SQLite: which is faster?") == ["SQLCipher", "SQLite"])
        #expect(QuestionName.extract("Is iOS supported?").map(\.kind) == [.properNoun])
    }

    @Test("the first word of a sentence is not a name for its capital alone")
    func sentenceOpeners() {
        #expect(names("Which pragma sets the journal mode? Does it persist?").isEmpty)
        #expect(names("Kubernetes runs it. Where does Docker keep volumes?") == ["Docker"])
    }

    @Test("identifiers keep their words in order; a possessive and surrounding punctuation are dropped")
    func identifiers() {
        let found = QuestionName.extract("Does register_adapter() work with Microsoft.Data.Sqlite's pooling (ASP.NET)?")
        #expect(found.map(\.text) == ["register_adapter", "Microsoft.Data.Sqlite", "ASP.NET"])
        #expect(found.map(\.terms) == [["register", "adapter"], ["microsoft", "data", "sqlite"], ["asp", "net"]])
        #expect(found.allSatisfy { $0.kind == .identifier })
    }

    @Test("hyphenated compounds are names checked part by part")
    func hyphenated() {
        let found = QuestionName.extract("Is the sqlite-vss extension read-only, like Write-Ahead logging?")
        #expect(found.map(\.text) == ["sqlite-vss", "read-only", "Write-Ahead"])
        #expect(found.allSatisfy { $0.kind == .hyphenated })
    }

    @Test("plain words, short words, numbers and abbreviations are not names")
    func notNames() {
        #expect(names("what happens halfway through a greedy merge, e.g. at 3.35.0 or I/O 42?").isEmpty)
        #expect(names("How fast is it? I wonder.").isEmpty)
    }

    @Test("brackets and commas separate words: a call's identifier is a name without its arguments")
    func calls() {
        #expect(names("I called sqlite3_busy_timeout(db, 0) and sqlite3_close_v2() - why?") == ["sqlite3_busy_timeout", "sqlite3_close_v2"])
    }

    @Test("a run of title-case words inside a sentence is one name, beside its words")
    func runs() {
        #expect(
            names("How do I apply Entity Framework Core migrations with Python?") == [
                "Entity", "Framework", "Core", "Entity Framework Core", "Python"
            ])
        #expect(names("Does Core Data use it?") == ["Core", "Data", "Core Data"])
        #expect(names("Where Does it go?") == ["Does"])
    }

    @Test("redaction placeholders are not names")
    func placeholders() {
        #expect(names("I'm [EMAIL] and my key is [AWS_KEY]: how do I turn on WAL mode in [x]?") == ["WAL"])
    }
}

/// Where a name sits, and whose it is: the cues that make an unknown name context.
@Suite("Names as context")
struct NameContextTests {
    @Test("a name only in a statement before the question, or after a possessive, is context; one the question asks about is not")
    func placement() {
        #expect(NamePlacement.isContext("Kibana", in: "We chart it in Kibana. How many pages does a checkpoint copy?"))
        #expect(NamePlacement.isContext("Contoso", in: "Why do readers wait in our Contoso service?"))
        #expect(!NamePlacement.isContext("Sentinel", in: "How do I configure Redis Sentinel for failover?"))
        #expect(!NamePlacement.isContext("Hazelcast", in: "Tell me how to tune Hazelcast"))
        #expect(!NamePlacement.isContext("Absent", in: "How does WAL work?"))
    }

    @Test("people's names come from Faker's name lists, Cyrillic ones also in Latin letters; tools are not people")
    func people() {
        #expect(PersonNames.isPerson("Maria") && PersonNames.isPerson("Kovalenko") && PersonNames.isPerson("Joana Ferreira"))
        #expect(!PersonNames.isPerson("Kubernetes") && !PersonNames.isPerson("Hazelcast") && !PersonNames.isPerson(""))
    }

    @Test("taking names out keeps the rest of the question, possessive included")
    func removing() {
        #expect(QuestionName.removing(["Maria"], from: "Is Maria's claim about WAL right?") == "Is claim about WAL right?")
        #expect(
            QuestionName.removing(["Contoso Cloud", "Contoso"], from: "Does the Contoso Cloud agent slow the writer?")
                == "Does the agent slow the writer?")
    }
}
