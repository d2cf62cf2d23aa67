import Testing

@Suite struct LoreGeneratePlaceholder { @Test func builds() {} }
