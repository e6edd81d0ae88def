"""An SMTP sink for the production-shape smoke test: every message becomes a file in a folder.

    PYTHONPATH=.ci python -m aiosmtpd -n -l 127.0.0.1:8125 -c smtp_sink.FileSink /tmp/mail

Each message is written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import itertools
import os
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any


class FileSink:
    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.counter = itertools.count(1)

    @classmethod
    def from_cli(cls, parser: ArgumentParser, *args: str) -> FileSink:
        if len(args) != 1:
            parser.error("FileSink takes one argument: the folder to write messages to")
        return cls(args[0])

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.time_ns()}-{next(self.counter)}.eml"
        partial = self.folder / f".{name}.part"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        partial.write_bytes(content)
        os.replace(partial, self.folder / name)
        return "250 Message accepted for delivery"
