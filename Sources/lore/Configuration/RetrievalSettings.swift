import Foundation

/// Retrieval defaults (`retrieval:` in the configuration).
struct RetrievalSettings: Codable, Equatable {
    init() {}
}
