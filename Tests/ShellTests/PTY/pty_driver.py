#!/usr/bin/env python3
"""Runs a command under a real pseudo-terminal and lets a test drive it (stdlib only).

usage: pty_driver.py [--cols 120] [--rows 40] [--max-seconds 300] -- command [args...]

The command gets the pty as its controlling terminal (pty.fork makes it a session leader), so
a "\\u0003" sent to it is a real Ctrl-C: the line discipline sends SIGINT to it. TERM defaults
to xterm-256color; the rest of the environment is inherited.

Commands are JSON objects, one per line on stdin. Every command except "send" gets exactly one
JSON line back on stdout, in order:

  {"send": "text"}                      type text (no reply; a failure is reported with the
                                        next reply as "send_error")
  {"expect": "regex", "timeout": 10}    wait until the output, with escape sequences and
                                        carriage returns removed, matches after the previous
                                        match; "raw": true matches the bytes as received
                                        (decoded as UTF-8) instead
     -> {"ok": true, "match": "...", "groups": [...], "before": "..."}
     -> {"ok": false, "error": "timeout" | "eof", "tail": "...", "screen": [...]}
  {"expect_screen": "regex", "timeout": 10}
                                        wait until the rendered screen (rows joined with
                                        "\\n", trailing blanks removed) matches
     -> {"ok": true, "match": "...", "groups": [...], "screen": [...], "cursor": [row, col]}
  {"screen": true}                      -> {"ok": true, "screen": [...], "cursor": [row, col]}
  {"resize": [cols, rows]}              new window size (the command gets SIGWINCH) -> {"ok": true}
  {"signal": "TERM"}                    send a signal to the command -> {"ok": true}
  {"wait": 10}                          wait for the command to exit by itself
     -> {"ok": true, "exit": code | null, "signal": number | null, "tail": "..."}
     -> {"ok": false, "error": "timeout"}
  {"close": 5}                          hang up (close the pty: SIGHUP), wait, then SIGKILL
     -> {"ok": true, "exit": code | null, "signal": number | null, "tail": "..."}

"sleep" is deliberately not a command: wait for output with "expect" instead. Nothing waits
forever: every wait has a timeout, and the driver kills the command and exits after
--max-seconds or when its stdin closes.
"""

import codecs
import errno
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
import unicodedata

# ---------------------------------------------------------------------------------------------
# Escape-sequence stripping, incremental.

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[PX^_][^\x1b]*\x1b\\"          # DCS, SOS, PM, APC
    r"|\x1b[()*+][0-~]"                   # charset designation
    r"|\x1b[ -/]*[0-~]"                   # other escapes (ESC 7, ESC =, ESC M...)
)
_INCOMPLETE = re.compile(r"\x1b[^\x07]*\Z")


class Stripper:
    """Removes escape sequences, carriage returns and bells from text arriving in pieces."""

    def __init__(self):
        self.pending = ""

    def feed(self, text):
        text = self.pending + text
        self.pending = ""
        out = []
        pos = 0
        while True:
            esc = text.find("\x1b", pos)
            if esc < 0:
                out.append(text[pos:])
                break
            out.append(text[pos:esc])
            m = _ESCAPES.match(text, esc)
            if m:
                pos = m.end()
                continue
            if _INCOMPLETE.match(text, esc) and len(text) - esc < 256:
                self.pending = text[esc:]  # wait for the rest of the sequence
                break
            pos = esc + 1  # a lone ESC: drop it
        return "".join(out).replace("\r", "").replace("\x07", "")


# ---------------------------------------------------------------------------------------------
# A small terminal emulator: enough of xterm for what line editors send.


def _width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Screen:
    def __init__(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.r = self.c = 0
        self.wrap = False
        self.saved = (0, 0)
        self.state = "text"
        self.seq = ""

    def resize(self, cols, rows):
        grid = [[" "] * cols for _ in range(rows)]
        keep = self.grid[-rows:] if rows < self.rows else self.grid
        offset = max(0, self.rows - rows) if rows < self.rows else 0
        for i, row in enumerate(keep):
            for j, ch in enumerate(row[:cols]):
                grid[i][j] = ch
        self.grid, self.cols, self.rows = grid, cols, rows
        self.r = min(max(0, self.r - offset), rows - 1)
        self.c = min(self.c, cols - 1)
        self.wrap = False

    def lines(self):
        return ["".join(ch for ch in row if ch is not None).rstrip() for row in self.grid]

    def text(self):
        lines = self.lines()
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)

    # -- input
    def feed(self, text):
        for ch in text:
            if self.state == "text":
                self._text(ch)
            elif self.state == "esc":
                self._esc(ch)
            elif self.state == "csi":
                self.seq += ch
                if "@" <= ch <= "~":
                    self._csi(self.seq)
                    self.state = "text"
            elif self.state == "osc":
                if ch == "\x07":
                    self.state = "text"
                elif ch == "\x1b":
                    self.state = "osc_esc"
            elif self.state == "osc_esc":
                self.state = "text" if ch == "\\" else "osc"
            elif self.state == "charset":
                self.state = "text"

    def _text(self, ch):
        if ch == "\x1b":
            self.state = "esc"
        elif ch == "\r":
            self.c = 0
            self.wrap = False
        elif ch in "\n\x0b\x0c":
            self._linefeed()
        elif ch == "\b":
            self.c = max(0, self.c - 1)
            self.wrap = False
        elif ch == "\t":
            self.c = min(self.cols - 1, (self.c // 8 + 1) * 8)
        elif ord(ch) < 0x20 or ch == "\x7f":
            pass
        else:
            self._put(ch)

    def _put(self, ch):
        w = _width(ch)
        if w == 0:
            return
        if self.wrap or self.c + w > self.cols:
            self.c = 0
            self._linefeed()
            self.wrap = False
        self.grid[self.r][self.c] = ch
        if w == 2:
            self.grid[self.r][self.c + 1] = None  # the right half of a wide character
        if self.c + w >= self.cols:
            self.c = self.cols - 1
            self.wrap = True
        else:
            self.c += w

    def _linefeed(self):
        self.wrap = False
        if self.r == self.rows - 1:
            self.grid.pop(0)
            self.grid.append([" "] * self.cols)
        else:
            self.r += 1

    def _esc(self, ch):
        self.state = "text"
        if ch == "[":
            self.state, self.seq = "csi", ""
        elif ch == "]":
            self.state = "osc"
        elif ch in "()*+":
            self.state = "charset"
        elif ch == "7":
            self.saved = (self.r, self.c)
        elif ch == "8":
            self.r, self.c = self.saved
        elif ch == "M":
            if self.r == 0:
                self.grid.insert(0, [" "] * self.cols)
                self.grid.pop()
            else:
                self.r -= 1
        elif ch == "D":
            self._linefeed()
        elif ch == "E":
            self.c = 0
            self._linefeed()
        elif ch == "c":
            self.__init__(self.cols, self.rows)

    def _csi(self, seq):
        final, body = seq[-1], seq[:-1]
        private = body[:1] in ("?", ">", "<", "=")
        if private:
            return  # modes (bracketed paste, cursor keys...): nothing to draw
        parts = [p for p in body.split(";")]
        nums = []
        for p in parts:
            try:
                nums.append(int(p) if p else 0)
            except ValueError:
                nums.append(0)

        def n(i=0, default=1):
            v = nums[i] if i < len(nums) else 0
            return v if v > 0 else default

        blank = " "
        self.wrap = final in "mhl" and self.wrap
        if final == "A":
            self.r = max(0, self.r - n())
        elif final in "Be":
            self.r = min(self.rows - 1, self.r + n())
        elif final in "Ca":
            self.c = min(self.cols - 1, self.c + n())
        elif final == "D":
            self.c = max(0, self.c - n())
        elif final == "E":
            self.r, self.c = min(self.rows - 1, self.r + n()), 0
        elif final == "F":
            self.r, self.c = max(0, self.r - n()), 0
        elif final in "G`":
            self.c = min(self.cols - 1, n() - 1)
        elif final == "d":
            self.r = min(self.rows - 1, n() - 1)
        elif final in "Hf":
            self.r = min(self.rows - 1, n(0) - 1)
            self.c = min(self.cols - 1, n(1) - 1)
        elif final == "J":
            mode = nums[0] if nums else 0
            if mode == 0:
                self.grid[self.r][self.c:] = [blank] * (self.cols - self.c)
                for i in range(self.r + 1, self.rows):
                    self.grid[i] = [blank] * self.cols
            elif mode == 1:
                for i in range(0, self.r):
                    self.grid[i] = [blank] * self.cols
                self.grid[self.r][: self.c + 1] = [blank] * (self.c + 1)
            else:
                self.grid = [[blank] * self.cols for _ in range(self.rows)]
        elif final == "K":
            mode = nums[0] if nums else 0
            row = self.grid[self.r]
            if mode == 0:
                row[self.c:] = [blank] * (self.cols - self.c)
            elif mode == 1:
                row[: self.c + 1] = [blank] * (self.c + 1)
            else:
                self.grid[self.r] = [blank] * self.cols
        elif final == "P":
            row = self.grid[self.r]
            k = min(n(), self.cols - self.c)
            del row[self.c : self.c + k]
            row.extend([blank] * k)
        elif final == "@":
            row = self.grid[self.r]
            k = min(n(), self.cols - self.c)
            row[self.c : self.c] = [blank] * k
            del row[self.cols :]
        elif final == "X":
            k = min(n(), self.cols - self.c)
            self.grid[self.r][self.c : self.c + k] = [blank] * k
        elif final == "L":
            for _ in range(min(n(), self.rows - self.r)):
                self.grid.insert(self.r, [blank] * self.cols)
                self.grid.pop()
        elif final == "M":
            for _ in range(min(n(), self.rows - self.r)):
                self.grid.pop(self.r)
                self.grid.append([blank] * self.cols)
        elif final == "S":
            for _ in range(n()):
                self.grid.pop(0)
                self.grid.append([blank] * self.cols)
        elif final == "T":
            for _ in range(n()):
                self.grid.insert(0, [blank] * self.cols)
                self.grid.pop()
        elif final == "s":
            self.saved = (self.r, self.c)
        elif final == "u":
            self.r, self.c = self.saved
        # m (colours), r (scroll region), n, t...: nothing to draw


# ---------------------------------------------------------------------------------------------


class Driver:
    def __init__(self, argv, cols, rows, max_seconds):
        self.cols, self.rows = cols, rows
        self.deadline = time.monotonic() + max_seconds
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.stripper = Stripper()
        self.screen = Screen(cols, rows)
        self.raw = ""
        self.text = ""
        self.raw_pos = 0
        self.text_pos = 0
        self.eof = False
        self.status = None
        self.send_error = None
        env = dict(os.environ)
        env.setdefault("TERM", "xterm-256color")
        pid, fd = pty.fork()
        if pid == 0:  # the command
            try:
                # Signals as a terminal program expects them: a test runner may have some
                # ignored or blocked, and both would be inherited through exec.
                signal.pthread_sigmask(signal.SIG_SETMASK, set())
                for number in signal.valid_signals():
                    if number not in (signal.SIGKILL, signal.SIGSTOP):
                        try:
                            signal.signal(number, signal.SIG_DFL)
                        except (OSError, ValueError):
                            pass
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvpe(argv[0], argv, env)
            except BaseException as error:  # noqa: BLE001 - report anything, then die
                os.write(2, ("pty_driver: cannot run %s: %s\n" % (argv[0], error)).encode())
            os._exit(127)
        self.pid, self.fd = pid, fd

    # -- output from the command
    def pump(self, timeout):
        """Reads what the command wrote within timeout seconds. False at end of output."""
        if self.eof:
            self.reap(False)
            return False
        try:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        except InterruptedError:
            return True
        if not ready:
            self.reap(False)
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError as error:
            if error.errno == errno.EINTR:
                return True
            data = b""  # EIO: every copy of the terminal's other side is closed
        if not data:
            self.eof = True
            tail = self.decoder.decode(b"", final=True)
            self._add(tail)
            return False
        self._add(self.decoder.decode(data))
        return True

    def drain(self):
        """Reads whatever output is already waiting, without waiting for more."""
        while not self.eof:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0)
            except InterruptedError:
                continue
            if not ready:
                return
            self.pump(0)

    def _add(self, chunk):
        if not chunk:
            return
        self.raw += chunk
        self.text += self.stripper.feed(chunk)
        self.screen.feed(chunk)

    def reap(self, block):
        if self.status is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return True
            if pid:
                self.status = status
        return self.status is not None

    def exit_info(self):
        s = self.status
        if s is None:
            return {"exit": None, "signal": None}
        if os.WIFSIGNALED(s):
            return {"exit": None, "signal": os.WTERMSIG(s)}
        return {"exit": os.WEXITSTATUS(s), "signal": None}

    # -- commands
    def screen_reply(self):
        return {"screen": self.screen.lines(), "cursor": [self.screen.r, self.screen.c]}

    def failure(self, error):
        reply = {"ok": False, "error": error, "tail": self.raw[-3000:]}
        reply.update(self.screen_reply())
        return reply

    def expect(self, pattern, timeout, raw):
        regex = re.compile(pattern, re.MULTILINE)
        end = time.monotonic() + timeout
        while True:
            source, pos = (self.raw, self.raw_pos) if raw else (self.text, self.text_pos)
            m = regex.search(source, pos)
            if m:
                if raw:
                    self.raw_pos = m.end()
                else:
                    self.text_pos = m.end()
                return {"ok": True, "match": m.group(0), "groups": list(m.groups()), "before": source[pos : m.start()]}
            left = end - time.monotonic()
            if self.eof:
                return self.failure("eof")
            if left <= 0:
                return self.failure("timeout")
            self.pump(min(left, 0.5))

    def expect_screen(self, pattern, timeout):
        regex = re.compile(pattern, re.MULTILINE)
        end = time.monotonic() + timeout
        while True:
            m = regex.search(self.screen.text())
            if m:
                reply = {"ok": True, "match": m.group(0), "groups": list(m.groups())}
                reply.update(self.screen_reply())
                return reply
            left = end - time.monotonic()
            if self.eof:
                return self.failure("eof")
            if left <= 0:
                return self.failure("timeout")
            self.pump(min(left, 0.5))

    def wait(self, timeout):
        end = time.monotonic() + timeout
        while not self.reap(False):
            left = end - time.monotonic()
            if left <= 0:
                return {"ok": False, "error": "timeout", "tail": self.raw[-3000:]}
            if self.eof:
                time.sleep(0.01)
            else:
                self.pump(min(left, 0.1))
        self.drain()  # whatever is left in the terminal
        reply = {"ok": True, "tail": self.raw[-3000:]}
        reply.update(self.exit_info())
        return reply

    def close(self, timeout):
        try:
            self.drain()
            os.close(self.fd)
        except OSError:
            pass
        self.eof = True
        end = time.monotonic() + timeout
        while not self.reap(False) and time.monotonic() < end:
            time.sleep(0.01)
        if not self.reap(False):
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.reap(True)
        reply = {"ok": True, "tail": self.raw[-3000:]}
        reply.update(self.exit_info())
        return reply

    def handle(self, command):
        if "send" in command:
            data = command["send"].encode("utf-8")
            try:
                while data:
                    n = os.write(self.fd, data)
                    data = data[n:]
            except OSError as error:
                self.send_error = str(error)
            return None
        timeout = float(command.get("timeout", 10))
        if "expect" in command:
            reply = self.expect(command["expect"], timeout, bool(command.get("raw", False)))
        elif "expect_screen" in command:
            reply = self.expect_screen(command["expect_screen"], timeout)
        elif "screen" in command:
            self.drain()
            reply = {"ok": True}
            reply.update(self.screen_reply())
        elif "resize" in command:
            cols, rows = command["resize"]
            fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            self.screen.resize(cols, rows)
            reply = {"ok": True}
        elif "signal" in command:
            name = str(command["signal"]).upper()
            number = getattr(signal, name if name.startswith("SIG") else "SIG" + name)
            os.kill(self.pid, number)
            reply = {"ok": True}
        elif "wait" in command:
            reply = self.wait(float(command["wait"]))
        elif "close" in command:
            reply = self.close(float(command["close"]))
        else:
            reply = {"ok": False, "error": "unknown command: %s" % sorted(command)}
        if self.send_error:
            reply["send_error"] = self.send_error
            self.send_error = None
        return reply


def main():
    args = sys.argv[1:]
    cols, rows, max_seconds = 120, 40, 300.0
    while args and args[0] != "--":
        flag, value = args[0], args[1]
        if flag == "--cols":
            cols = int(value)
        elif flag == "--rows":
            rows = int(value)
        elif flag == "--max-seconds":
            max_seconds = float(value)
        else:
            sys.exit("pty_driver: unknown option " + flag)
        args = args[2:]
    argv = args[1:]
    if not argv:
        sys.exit(__doc__)
    driver = Driver(argv, cols, rows, max_seconds)
    inbox = b""
    stdin = sys.stdin.fileno()
    out = sys.stdout
    while True:
        if time.monotonic() > driver.deadline:
            driver.close(1)
            out.write(json.dumps({"ok": False, "error": "max-seconds"}) + "\n")
            out.flush()
            return
        watch = [stdin] if driver.eof else [stdin, driver.fd]
        ready, _, _ = select.select(watch, [], [], 0.5)
        if driver.fd in ready:
            driver.pump(0)
        if stdin in ready:
            chunk = os.read(stdin, 65536)
            if not chunk:  # the test went away: hang up and leave
                driver.close(2)
                return
            inbox += chunk
            while b"\n" in inbox:
                line, inbox = inbox.split(b"\n", 1)
                if not line.strip():
                    continue
                try:
                    reply = driver.handle(json.loads(line))
                except Exception as error:  # noqa: BLE001 - report, keep serving
                    reply = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
                if reply is not None:
                    out.write(json.dumps(reply) + "\n")
                    out.flush()


if __name__ == "__main__":
    main()
