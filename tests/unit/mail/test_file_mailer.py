"""FileMailer: one .eml per Message-ID, overwritten on a resend."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from ogust.adapters.mail import FileMailer
from ogust.application.ports import EmailKind, MailTemporaryFailure
from tests.support.mail_samples import sample_notification


def test_writes_a_readable_eml_named_after_the_message_id(tmp_path):
    mailer = FileMailer(tmp_path / "outbox", "factures@asd.example")

    mailer.send(sample_notification(EmailKind.DEBIT_CONFIRMED))

    [path] = (tmp_path / "outbox").iterdir()
    assert path.name == "debit-confirmed.inv-42@asd.example.eml"
    email = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert email["Message-ID"] == "<debit-confirmed.inv-42@asd.example>"
    assert "débitée de 27,50 €" in email.get_body(("plain",)).get_content()


def test_sending_again_overwrites_instead_of_duplicating(tmp_path):
    mailer = FileMailer(tmp_path, "factures@asd.example")
    notification = sample_notification()

    mailer.send(notification)
    mailer.send(notification)
    mailer.send(sample_notification(message_id="other@asd.example"))

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "debit-confirmed.inv-42@asd.example.eml",
        "other@asd.example.eml",
    ]


def test_unsafe_ids_give_safe_distinct_file_names(tmp_path):
    mailer = FileMailer(tmp_path, "factures@asd.example")
    ids = ["a/b@asd.example", "a_b@asd.example", "../../etc/passwd", "x" * 400]

    for message_id in ids:
        mailer.send(sample_notification(message_id=message_id))

    names = [p.name for p in tmp_path.iterdir()]
    assert len(names) == len(ids)
    assert all(p.parent == tmp_path for p in tmp_path.iterdir())
    assert all("/" not in n and not n.startswith(".") and len(n) < 200 for n in names)


def test_a_folder_that_cannot_be_written_is_a_temporary_failure(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(MailTemporaryFailure, match="écriture impossible"):
        FileMailer(blocker / "outbox", "factures@asd.example").send(sample_notification())
