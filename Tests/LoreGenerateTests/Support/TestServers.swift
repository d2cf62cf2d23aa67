import Foundation
import LoreCore
import LoreGenerate
import LoreTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `Tests/Fixtures/http/fault_llm.py`: a chat-completions server that fails on demand.
/// One per test process; each test uses its own key, so request counts do not mix.
enum FaultServer {
    static let shared: Result<(server: ServerProcess, port: String), any Error> = Result {
        let server = try ServerProcess(
            "/usr/bin/env", ["python3", TestPaths.repositoryRoot + "/Tests/Fixtures/http/fault_llm.py"], timeout: 30)
        return (server, server.ready)
    }

    /// The base URL that gives `mode` to requests counted under a fresh key.
    static func url(_ mode: String) throws -> (url: String, key: String) {
        let key = UUID().uuidString.prefix(8).lowercased()
        return ("http://127.0.0.1:\(try shared.get().port)/\(key)/\(mode)", String(key))
    }

    struct Stats: Decodable {
        var requests: Int
        var disconnects: Int
        var authorization: String?
        var last: [String: JSONAny]?
    }

    /// What the server saw for `key`.
    static func stats(_ key: String) async throws -> Stats {
        let url = URL(string: "http://127.0.0.1:\(try shared.get().port)/_stats/\(key)")!
        let (data, _) = try await URLSession.shared.data(from: url)
        return try JSONDecoder().decode(Stats.self, from: data)
    }
}

/// Any JSON value, for reading back the request bodies the fault server saw.
enum JSONAny: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONAny]), object([String: JSONAny])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONAny].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONAny].self))
        }
    }
}

/// A generation's events, gathered.
struct Collected {
    var deltas: [String] = []
    var summary: GenerationSummary?
    var text: String { deltas.joined() }
}

extension Generator {
    /// Runs a generation to its end.
    func collect(_ request: GenerationRequest) async throws -> Collected {
        var out = Collected()
        for try await event in generate(request) {
            switch event {
            case .delta(let text):
                #expect(out.summary == nil, "a delta after .finished")
                out.deltas.append(text)
            case .finished(let summary):
                #expect(out.summary == nil, "a second .finished")
                out.summary = summary
            }
        }
        return out
    }
}

/// How a generation ended when it was expected to fail: the error, and whatever came before it.
struct Failure {
    var error: GenerationError?
    var other: (any Error)?
    var before: Collected
    var seconds: Double
}

extension Generator {
    /// Runs a generation expected to throw.
    func failure(_ request: GenerationRequest) async -> Failure {
        let start = ContinuousClock.now
        var seen = Collected()
        do {
            for try await event in generate(request) {
                switch event {
                case .delta(let text): seen.deltas.append(text)
                case .finished(let summary): seen.summary = summary
                }
            }
            return Failure(error: nil, other: nil, before: seen, seconds: (ContinuousClock.now - start).inSeconds)
        } catch let e as GenerationError {
            return Failure(error: e, other: nil, before: seen, seconds: (ContinuousClock.now - start).inSeconds)
        } catch {
            return Failure(error: nil, other: error, before: seen, seconds: (ContinuousClock.now - start).inSeconds)
        }
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A one-message request.
func ask(_ question: String, maxTokens: Int? = nil, stop: [String] = [], temperature: Double? = 0, stream: Bool = true) -> GenerationRequest
{
    GenerationRequest(
        messages: [ChatMessage(.user, question)],
        parameters: GenerationParameters(temperature: temperature, maxTokens: maxTokens, stop: stop),
        question: question, requestID: "test-\(UUID().uuidString.prefix(8))", stream: stream)
}
