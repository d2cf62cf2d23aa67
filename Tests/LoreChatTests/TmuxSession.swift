import Foundation
import LoreTestSupport

/// A real terminal: a detached tmux session (on a private server socket in a temporary
/// directory) running one command in a pane of a fixed size. Keys go in with `send-keys`,
/// the screen comes out with `capture-pane`. The tmux server is killed on `kill()` or
/// deinit.
final class TmuxSession: @unchecked Sendable {
    private let directory = TemporaryDirectory("lore-tmux")
    var socket: String { directory.path + "/socket" }
    let name = "chat"
    private var killed = false

    /// Starts `command` (run by the shell) in a 120 × 40 pane that stays after the command
    /// exits, so that its last screen can be read.
    init(_ command: String) throws {
        try tmux([
            "new-session", "-d", "-x", "120", "-y", "40", "-s", name, command, ";",
            "set-option", "-t", name, "remain-on-exit", "on"
        ])
        // The tmux server (and the chat in its pane) ends with the test run, even a killed one.
        if let pid = Int32(try tmux(["display-message", "-p", "-t", name, "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) {
            ChildWatchdog.watch(pid)
        }
    }

    /// Runs tmux with every descriptor above standard error closed first: the tmux server
    /// that `new-session` forks would otherwise keep the socket through which Foundation's
    /// `Process` learns that its child exited, and `runProcess` would wait forever.
    static let closeDescriptors = """
        for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done; exec "$@"
        """

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let r = try runProcess(
            "/bin/bash", ["-c", Self.closeDescriptors, "tmux", "/usr/bin/tmux", "-S", socket, "-f", "/dev/null"] + arguments)
        guard r.status == 0 else { throw TmuxError(description: "tmux \(arguments.joined(separator: " ")): \(r.stderr)") }
        return r.stdout
    }

    /// Types `text` literally (no key names).
    func type(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }

    /// Presses keys by tmux name: `Enter`, `C-c`, `C-d`, `Up`.
    func press(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    /// Types a line and presses Enter.
    func enter(_ line: String) throws {
        try type(line)
        try press("Enter")
    }

    /// The whole pane, scrollback included, wrapped lines joined.
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-J", "-S", "-2000", "-t", name]) }

    /// The exit status of `lore chat`, once the command has printed it (see
    /// `ChatTarget.terminalCommand`: the shell that runs it writes `[exited N]`). The shell
    /// reaps it, not tmux: tmux does not always learn of a child's exit here.
    func waitForExit(timeout: Double = 30) throws -> Int32? {
        let screen = try waitFor("the chat to exit", timeout: timeout) { $0.contains("[exited ") }
        let rest = screen.after(last: "[exited ")
        return rest.firstIndex(of: "]").flatMap { Int32(rest[..<$0]) }
    }

    /// Polls the screen until `condition` holds; throws with the last screen after `timeout`.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 120, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(50_000)
        }
        throw TmuxError(description: "timed out after \(timeout) s waiting for \(what); the screen:\n\(last)")
    }

    /// Kills the pane's processes (SIGKILL to its process group: a child of the test runner
    /// may have inherited SIGHUP ignored), then the session and with it the tmux server.
    func kill() {
        guard !killed else { return }
        killed = true
        if let pid = try? tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines),
            let p = Int32(pid), p > 0
        {
            Foundation.kill(-p, SIGKILL)
        }
        _ = try? tmux(["kill-session", "-t", name])
        _ = try? tmux(["kill-server"])
    }

    deinit { kill() }
}

struct TmuxError: Error, CustomStringConvertible { var description: String }

extension StringProtocol {
    /// How many times `needle` occurs.
    func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }

    /// The text after the last occurrence of `marker` (the whole text when absent).
    func after(last marker: String) -> String {
        guard let r = range(of: marker, options: .backwards) else { return String(self) }
        return String(self[r.upperBound...])
    }
}
