"""Write each email to ``<folder>/<message id>.eml``: a stand-in for SMTP on a dev machine.

One file per Message-ID: sending the same notification again replaces the file (written to a
temporary file, then renamed), so a folder never holds a duplicate or a half-written email.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from email.headerregistry import Address
from pathlib import Path

from ogust.adapters.mail.rendering import parse_address, render_email
from ogust.application.ports import MailTemporaryFailure, Notification

_UNSAFE = re.compile(r"[^A-Za-z0-9._@=+-]")


class FileMailer:
    def __init__(self, folder: str | os.PathLike[str], sender: Address | str) -> None:
        self.folder = Path(folder)
        self.sender = parse_address(sender)

    def path_for(self, message_id_header: str) -> Path:
        """The file for a ``Message-ID`` header value (``<...>``)."""
        bare = message_id_header.strip().strip("<>")
        name = _UNSAFE.sub("_", bare)
        if name != bare or len(name) > 150 or name.startswith("."):
            # a hash keeps two ids that differ only by replaced characters apart
            digest = hashlib.sha256(bare.encode()).hexdigest()[:16]
            name = f"{name[:100].lstrip('.')}-{digest}"
        return self.folder / f"{name}.eml"

    def send(self, notification: Notification) -> None:
        message = render_email(notification, self.sender)
        target = self.path_for(message["Message-ID"])
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".sending-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(message.as_bytes())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise MailTemporaryFailure(f"écriture impossible de {target} : {exc}") from exc
