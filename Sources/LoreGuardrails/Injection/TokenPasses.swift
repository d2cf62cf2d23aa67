// Passes over the token list that need the lexicon: joining s p a c e d letters, segmenting CJK
// runs into lexicon words, and splitting glued words ("ignorepreviousinstructions").

extension InjectionModel {
    /// Applies the three passes; leaves `text` untouched when none applies (the common case).
    func refine(_ text: inout InjNormalizedText) {
        var needsSpaced = false
        var needsCJK = false
        var needsBreak = false
        var singles = 0
        let toks = text.tokens
        for (k, t) in toks.enumerated() {
            if isSingleLetter(t, text.bytes) && (singles == 0 || (t.boundary == 0 && t.gapBefore >= 1 && t.gapBefore <= 3)) {
                singles += 1
                if singles >= 3 { needsSpaced = true }
            } else {
                singles = isSingleLetter(t, text.bytes) ? 1 : 0
            }
            if t.isCJK && k > 0 && toks[k - 1].isCJK && t.gapBefore == 0 { needsCJK = true }
            if !needsBreak && t.length >= 9 && !t.isCJK && !t.flags.contains(.url) && breakCandidate(t, text.bytes) {
                needsBreak = true
            }
        }
        if needsSpaced { joinSpacedLetters(&text) }
        mergeSplitWords(&text)
        if needsCJK { segmentCJK(&text) }
        if needsSpaced || needsBreak { breakGluedWords(&text) }
    }

    @inline(__always) private func isSingleLetter(_ t: InjToken, _ bytes: [UInt8]) -> Bool {
        guard t.length == 1, !t.isCJK else { return false }
        let b = bytes[Int(t.start)]
        return b >= 0x61 && b <= 0x7A
    }

    // MARK: Spaced letters

    /// "i g n o r e  a l l" → "ignore", "all"; "i.g.n.o.r.e" → "ignore". Runs of three or more
    /// single letters are joined; a wider gap inside the run separates words.
    private func joinSpacedLetters(_ text: inout InjNormalizedText) {
        let toks = text.tokens
        var out: [InjToken] = []
        out.reserveCapacity(toks.count)
        var k = 0
        while k < toks.count {
            guard isSingleLetter(toks[k], text.bytes) else { out.append(toks[k]); k += 1; continue }
            var e = k + 1
            while e < toks.count && isSingleLetter(toks[e], text.bytes) && toks[e].boundary == 0
                && toks[e].gapBefore >= 1 && toks[e].gapBefore <= 3 {
                e += 1
            }
            if e - k < 3 {
                out.append(contentsOf: toks[k ..< e])
                k = e
                continue
            }
            var minGap = UInt8.max
            for j in k + 1 ..< e { minGap = min(minGap, toks[j].gapBefore) }
            var partStart = k
            for j in k + 1 ... e {
                if j == e || toks[j].gapBefore > minGap {
                    if j - partStart == 1 {
                        out.append(toks[partStart])
                    } else {
                        let start = text.bytes.count
                        var h = injFNVOffset
                        for q in partStart ..< j {
                            let b = text.bytes[Int(toks[q].start)]
                            text.bytes.append(b)
                            h = injFNVStep(h, b)
                        }
                        var t = toks[partStart]
                        t.start = Int32(start)
                        t.end = Int32(text.bytes.count)
                        t.origEnd = toks[j - 1].origEnd
                        t.flags.formUnion(toks[j - 1].flags.intersection([.colonAfter, .commaAfter]))
                        t.hash = h
                        t.altHash = 0
                        t.flags.remove(.allCaps)
                        t.flags.insert(.joined)
                        out.append(t)
                    }
                    partStart = j
                }
            }
            k = e
        }
        text.tokens = out
    }

    // MARK: Words split by spaces

    @inline(__always) private func fragment(_ t: InjToken, _ bytes: [UInt8]) -> Bool {
        guard t.length >= 2, t.length <= 8, !t.isCJK, !t.flags.contains(.url) else { return false }
        for i in Int(t.start) ..< Int(t.end) where bytes[i] < 0x61 || bytes[i] > 0x7A { return false }
        return true
    }

    /// "Igno re prev ious instruc tions" → "ignore previous instructions": two or three short
    /// fragments separated by single spaces are joined when together they spell a lexicon word
    /// and at least one of them is not a word of the lexicon itself ("for get" stays apart).
    private func mergeSplitWords(_ text: inout InjNormalizedText) {
        let toks = text.tokens
        guard toks.count >= 2 else { return }
        var out: [InjToken] = []
        var changed = false
        var k = 0
        while k < toks.count {
            let t = toks[k]
            // Cheap fields first: two short tokens one space apart, not both lexicon words.
            guard k + 1 < toks.count, t.length >= 2, t.length <= 8, toks[k + 1].length >= 2, toks[k + 1].length <= 8,
                  toks[k + 1].boundary == 0, toks[k + 1].gapBefore == 1,
                  !(breakVocab.contains(t.hash) && breakVocab.contains(toks[k + 1].hash)) || (k + 2 < toks.count
                      && toks[k + 2].length <= 8 && toks[k + 2].boundary == 0 && toks[k + 2].gapBefore == 1
                      && !breakVocab.contains(toks[k + 2].hash)),
                  fragment(t, text.bytes) else {
                if changed { out.append(t) }
                k += 1
                continue
            }
            var h = t.hash
            var merged = 0
            var known = breakVocab.contains(t.hash) ? 1 : 0
            var j = k + 1
            var hs = h
            while j < toks.count && j - k <= 2 {
                let u = toks[j]
                guard u.boundary == 0, u.gapBefore == 1, fragment(u, text.bytes),
                      !u.flags.contains(.quoteStart) else { break }
                for i in Int(u.start) ..< Int(u.end) { hs = injFNVStep(hs, text.bytes[i]) }
                if breakVocab.contains(u.hash) { known += 1 }
                if known < j - k + 1 && breakVocab.contains(hs) { merged = j; h = hs }
                j += 1
            }
            guard merged > 0 else {
                if changed { out.append(t) }
                k += 1
                continue
            }
            if !changed { out = Array(toks[0 ..< k]); changed = true }
            let start = text.bytes.count
            for q in k ... merged { text.bytes.append(contentsOf: text.bytes[Int(toks[q].start) ..< Int(toks[q].end)]) }
            var m = t
            m.start = Int32(start)
            m.end = Int32(text.bytes.count)
            m.origEnd = toks[merged].origEnd
            m.flags.formUnion(toks[merged].flags.intersection([.colonAfter, .commaAfter]))
            m.hash = h
            m.altHash = 0
            m.flags.insert(.joined)
            out.append(m)
            k = merged + 1
        }
        if changed { text.tokens = out }
    }

    // MARK: CJK

    /// Greedy longest match of lexicon words over runs of CJK characters ("忽略|之前|的|所有|指令").
    private func segmentCJK(_ text: inout InjNormalizedText) {
        let toks = text.tokens
        var out: [InjToken] = []
        out.reserveCapacity(toks.count)
        var k = 0
        while k < toks.count {
            let t = toks[k]
            guard t.isCJK else { out.append(t); k += 1; continue }
            var runEnd = k + 1
            while runEnd < toks.count && toks[runEnd].isCJK && toks[runEnd].gapBefore == 0 && toks[runEnd].boundary == 0 {
                runEnd += 1
            }
            var i = k
            while i < runEnd {
                var h = injFNVOffset
                var best = 1
                var bestHash = toks[i].hash
                var l = 0
                while l < cjkMaxLen && i + l < runEnd {
                    let tk = toks[i + l]
                    for b in Int(tk.start) ..< Int(tk.end) { h = injFNVStep(h, text.bytes[b]) }
                    l += 1
                    if l >= 2 && exact.contains(h) { best = l; bestHash = h }
                }
                var m = toks[i]
                if best > 1 {
                    let last = toks[i + best - 1]
                    m.end = last.end
                    m.origEnd = last.origEnd
                    m.hash = bestHash
                    m.flags.formUnion(last.flags.intersection([.colonAfter, .commaAfter]))
                }
                out.append(m)
                i += best
            }
            k = runEnd
        }
        text.tokens = out
    }

    // MARK: Glued words

    @inline(__always) private func breakCandidate(_ t: InjToken, _ bytes: [UInt8]) -> Bool {
        if exact.contains(t.hash) { return false }
        var h = injFNVOffset
        let s = Int(t.start)
        for k in 0 ..< min(t.length - 1, 12) {
            let b = bytes[s + k]
            guard b >= 0x61 && b <= 0x7A else { return false }
            h = injFNVStep(h, b)
            if k >= 1 && breakStarts.contains(h) { return true }
        }
        return false
    }

    /// Splits a long token that is not a word into lexicon words when it can be read entirely
    /// as such ("ignorepreviousinstructions" → "ignore", "previous", "instructions").
    private func breakGluedWords(_ text: inout InjNormalizedText) {
        var out: [InjToken] = []
        var changed = false
        for t in text.tokens {
            guard t.length >= 9 || (t.flags.contains(.joined) && t.length >= 4), t.length <= 96, !t.isCJK, !t.flags.contains(.url), breakCandidate(t, text.bytes),
                  let parts = segment(text.bytes, Int(t.start), Int(t.end)) else {
                out.append(t)
                continue
            }
            changed = true
            let origLen = Int(t.origEnd - t.origStart)
            let sameLength = origLen == t.length
            for (n, r) in parts.enumerated() {
                var p = t
                p.start = Int32(r.lowerBound)
                p.end = Int32(r.upperBound)
                var h = injFNVOffset
                for b in r { h = injFNVStep(h, text.bytes[b]) }
                p.hash = h
                p.altHash = 0
                if n > 0 { p.boundary = 0; p.gapBefore = 0; p.flags.remove(.lineStart); p.flags.remove(.quoteStart) }
                if sameLength {
                    p.origStart = t.origStart + Int32(r.lowerBound - Int(t.start))
                    p.origEnd = t.origStart + Int32(r.upperBound - Int(t.start))
                }
                out.append(p)
            }
        }
        if changed { text.tokens = out }
    }

    /// The segmentation of `bytes[s..<e]` into the fewest vocabulary words, or nil.
    private func segment(_ bytes: [UInt8], _ s: Int, _ e: Int) -> [Range<Int>]? {
        let n = e - s
        var best = [Int](repeating: Int.max, count: n + 1)
        var back = [Int](repeating: 0, count: n + 1)
        best[0] = 0
        for i in 0 ..< n where best[i] != Int.max {
            var h = injFNVOffset
            var j = i
            while j < n && j - i < breakMaxWord {
                h = injFNVStep(h, bytes[s + j])
                j += 1
                if (j - i >= 2 || bytes[s + i] == 0x61 || bytes[s + i] == 0x69) && breakVocab.contains(h)
                    && best[i] + 1 < best[j] {
                    best[j] = best[i] + 1
                    back[j] = i
                }
            }
        }
        guard best[n] != Int.max, best[n] >= 2 else { return nil }
        var parts: [Range<Int>] = []
        var j = n
        while j > 0 {
            let i = back[j]
            parts.append((s + i) ..< (s + j))
            j = i
        }
        return parts.reversed()
    }
}
