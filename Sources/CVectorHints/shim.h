// Cache hints Swift cannot express: a prefetch of the line holding an address (hnswlib
// prefetches each neighbour's record before computing its distance). Header-only: nothing
// is linked.
static inline void lore_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
