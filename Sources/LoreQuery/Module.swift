// LoreQuery: see docs/ARCHITECTURE.md.
