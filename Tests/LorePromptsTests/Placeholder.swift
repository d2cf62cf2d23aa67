import Testing

@Suite struct LorePromptsPlaceholder { @Test func builds() {} }
