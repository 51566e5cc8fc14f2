"""Progress of a build or update on stderr: articles done, input bytes read out of the total, ETA."""

from __future__ import annotations

import sys
import time

TTY_EVERY = 0.2  # seconds between updates of the one progress line on a terminal
PLAIN_EVERY = 10  # seconds between plain progress lines otherwise (a log, a pipe)


def _duration(seconds: float) -> str:
    """Seconds as H:MM:SS or M:SS."""
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


class Progress:
    """One line updated in place on a terminal, plain lines every 10 s otherwise.

    Call it with the number of articles done; ``expect`` and ``read`` give the size of the
    input and how much of it was read, for the percentage and the time left."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.started = self.last = time.monotonic()
        self.total_bytes = self.bytes_read = 0
        self.shown = False

    def expect(self, total_bytes: int) -> None:
        """Set the input's total size in bytes (compressed size for .gz)."""
        self.total_bytes = total_bytes

    def read(self, nbytes: int) -> None:
        """Count nbytes more of the input as read."""
        self.bytes_read += nbytes

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < (TTY_EVERY if self.tty else PLAIN_EVERY):
            return
        self.last, self.shown = now, True
        line = self.line(done, now - self.started)
        self.stream.write(f"\r{line:<100}" if self.tty else line + "\n")
        self.stream.flush()

    def line(self, done: int, elapsed: float) -> str:
        """The progress text: articles, rate, share of the input read and time left when known."""
        noun = "article" if done == 1 else "articles"
        text = f"{done:,} {noun}, {done / max(elapsed, 1e-9):,.0f}/s, {_duration(elapsed)} elapsed"
        if self.total_bytes and self.bytes_read:
            read = min(self.bytes_read, self.total_bytes)
            text += f", {_megabytes(read)} of {_megabytes(self.total_bytes)} read ({read / self.total_bytes:.0%})"
            if read < self.total_bytes:
                text += f", ETA {_duration(elapsed * (self.total_bytes - read) / read)}"
        return text

    def close(self) -> None:
        """End the progress line on a terminal."""
        if self.tty and self.shown:
            self.stream.write("\n")
