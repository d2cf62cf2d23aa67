// LoreRetrieval: see docs/ARCHITECTURE.md.
