import Foundation

/// A single-line editor for the chat prompt, in the spirit of readline: the terminal is in
/// raw mode and the editor draws the prompt and the line itself. A line longer than the
/// terminal scrolls sideways.
///
/// Keys: printable text inserts; Enter submits; Backspace, Delete, Ctrl-H, Ctrl-D (on a
/// non-empty line) delete; Left/Right, Ctrl-B/F, Home/End, Ctrl-A/E move; Ctrl-U, Ctrl-K,
/// Ctrl-W delete to the start, to the end, the word before; Up/Down, Ctrl-P/N walk the
/// history; Ctrl-L clears the screen; Ctrl-C clears the line; Ctrl-D on an empty line ends
/// the input.
final class LineEditor {
    private let terminal: TerminalIO
    let history: LineHistory

    private var line: [Character] = []
    private var cursor = 0
    private var scroll = 0
    private var prompt = ""
    private var promptWidth = 0

    init(terminal: TerminalIO, history: LineHistory) {
        self.terminal = terminal
        self.history = history
    }

    /// Reads one line; nil when the input ends (Ctrl-D on an empty line, or a closed
    /// terminal). The line is added to the history.
    func readLine(prompt: String, width: Int) -> String? {
        self.prompt = prompt
        promptWidth = width
        line = []
        cursor = 0
        scroll = 0
        var index = history.entries.count
        var draft: [Character] = []
        refresh()
        while true {
            let key = Key.read(from: terminal)
            switch key {
            case .endOfInput:
                terminal.output.write("\n")
                return nil
            case .enter:
                terminal.output.write("\n")
                let text = String(line)
                history.add(text)
                return text
            case .text(let c):
                line.insert(c, at: cursor)
                cursor += 1
            case .backspace, .control(0x08):
                if cursor > 0 {
                    cursor -= 1
                    line.remove(at: cursor)
                }
            case .delete:
                if cursor < line.count { line.remove(at: cursor) }
            case .control(0x04):
                if line.isEmpty {
                    terminal.output.write("\n")
                    return nil
                }
                if cursor < line.count { line.remove(at: cursor) }
            case .control(0x03):
                // Ctrl-C: the line is dropped, a fresh prompt below it.
                terminal.output.write("^C\n")
                line = []
                cursor = 0
                scroll = 0
                index = history.entries.count
            case .left, .control(0x02): cursor = max(0, cursor - 1)
            case .right, .control(0x06): cursor = min(line.count, cursor + 1)
            case .home, .control(0x01): cursor = 0
            case .end, .control(0x05): cursor = line.count
            case .control(0x15):
                line.removeFirst(cursor)
                cursor = 0
            case .control(0x0B): line.removeLast(line.count - cursor)
            case .control(0x17):
                var start = cursor
                while start > 0, line[start - 1] == " " { start -= 1 }
                while start > 0, line[start - 1] != " " { start -= 1 }
                line.removeSubrange(start..<cursor)
                cursor = start
            case .control(0x0C): terminal.output.write("\u{1B}[H\u{1B}[2J")
            case .up, .control(0x10):
                guard index > 0 else { break }
                if index == history.entries.count { draft = line }
                index -= 1
                line = Array(history.entries[index])
                cursor = line.count
            case .down, .control(0x0E):
                guard index < history.entries.count else { break }
                index += 1
                line = index == history.entries.count ? draft : Array(history.entries[index])
                cursor = line.count
            case .control, .unknown:
                break
            }
            refresh()
        }
    }

    /// Redraws the prompt and the visible part of the line, and places the cursor.
    private func refresh() {
        let room = max(terminal.columns - promptWidth - 1, 8)
        if cursor < scroll { scroll = cursor }
        if cursor - scroll > room { scroll = cursor - room }
        // When the line has become shorter, show as much of it as fits.
        scroll = max(0, min(scroll, line.count - room))
        let visible = String(line[scroll..<min(line.count, scroll + room)])
        let column = promptWidth + cursor - scroll
        terminal.output.write("\r" + prompt + visible + "\u{1B}[K\r" + (column > 0 ? "\u{1B}[\(column)C" : ""))
    }
}
