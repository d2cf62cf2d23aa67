import Testing

@Suite struct LoreRetrievalPlaceholder { @Test func builds() {} }
