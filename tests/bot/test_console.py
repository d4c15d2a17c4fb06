"""`tallybot console` in a real pseudo-terminal: type commands and thisgame++, read the replies, Ctrl-C out."""

import fcntl
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


class Terminal:
    """The terminal side of a pseudo-terminal: type into it, and wait for text to show up."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.screen = ""
        self.seen = ""

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def expect(self, pattern: str, timeout: float = 15.0) -> str:
        """Wait until the output (after what was already matched) contains ``pattern``; returns the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.screen)
            if match:
                self.screen = self.screen[match.end() :]
                return match.group(0)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never saw {pattern!r}; the terminal shows:\n{self.screen}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the other side closed
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the console ended before {pattern!r}; it showed:\n{self.screen}")
                text = chunk.decode(errors="replace").replace("\r\n", "\n")
                self.screen += text
                self.seen += text


def _controlling_terminal() -> None:
    # In the child, after setsid: make the pty its terminal, so Ctrl-C there sends it SIGINT.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[Terminal, subprocess.Popen[bytes]]]:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n[email]\noutbox_path = "{tmp_path / "outbox.txt"}"\n'
        '[community]\nname = "Friday Club"\n[gamenight]\necast_base_url = "http://127.0.0.1:1"\n'
        "[chat]\ncommands_per_cooldown = 50\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("TALLYBOT_")}
    env["PYTHONIOENCODING"] = "utf-8"
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tallybot.bot", "console", "--config", str(config)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        preexec_fn=_controlling_terminal,
    )
    os.close(slave)
    try:
        yield Terminal(master), process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        os.close(master)


def test_typing_thisgame_plus_plus_in_the_console_counts_a_vote(
    console: tuple[Terminal, subprocess.Popen[bytes]],
) -> None:
    terminal, process = console
    terminal.expect(r"tallybot console: community 'Friday Club', you are you \(member\)")
    terminal.type("!night start\n")
    terminal.expect(r"bot: Only a host can use !night start")
    terminal.type("/host\n")
    terminal.expect(r"\* you are you \(host\)")
    terminal.type("!night start\n")
    terminal.expect(r"bot: Game night #1 has started!")
    terminal.type("!night add drawful\n")
    terminal.expect(r"bot: Added Drawful \(Jackbox Party Pack 1\) to game night #1\.")
    terminal.expect(r"📣 🎮 Now playing: Drawful \(Jackbox Party Pack 1\)\. Vote with thisgame\+\+ or thisgame--\.")
    terminal.type("/as Ryan\n")
    terminal.expect(r"\* you are Ryan \(member\)")
    terminal.type("thisgame++\n")
    terminal.expect("bot reacts ✅")
    terminal.type("!votes\n")
    terminal.expect(r"bot: Tonight's votes: Drawful \+1 -0 \(net 1\)")
    terminal.type("!link\n")
    terminal.expect(r"bot: I sent you a one-time link code in a private message\.")
    terminal.expect(r"bot \(privately, to Ryan\): Your tallybot link code is \w{4}-\w{4}\.")
    terminal.type("\x03")  # Ctrl-C
    terminal.expect("bye")
    assert process.wait(timeout=15) == 0
    assert "Traceback" not in terminal.seen


@pytest.mark.parametrize("leave", ["/quit\n", "\x04"], ids=["quit", "ctrl-d"])
def test_the_console_ends_cleanly_on_quit_or_at_the_end_of_input(
    console: tuple[Terminal, subprocess.Popen[bytes]], leave: str
) -> None:
    terminal, process = console
    terminal.expect("tallybot console")
    terminal.type(leave)
    terminal.expect("bye")
    assert process.wait(timeout=15) == 0
    assert "Traceback" not in terminal.seen
