"""var/ogust.env, written by ``ogust demo``: ogust reads it, and a shell sources it (the README's story
does, for the demo's addresses) — both read the same values, a sender with « & » and « < » included."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from ogust.entrypoints.demo import Ports, env_file
from ogust.entrypoints.settings import Settings, load_env_file


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("OGUST_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OGUST_VAR_DIR", str(tmp_path / "var"))
    yield tmp_path / "var"
    load_env_file(tmp_path / "nothing.env")  # the module keeps the file's values: forgotten after the test


def test_ogust_reads_the_values_the_demo_wrote(var_dir):
    written = env_file(var_dir, Ports(api=18000, shop=18700, stripe=18420, smtp=18025))
    settings = Settings.from_env()
    sender = "Aide & Vous Services <factures@aide-et-vous.example>"
    assert settings.mail_sender == written["OGUST_MAIL_SENDER"] == sender
    assert (settings.shop_url, settings.stripe_api_base, settings.smtp_port) == (
        "http://127.0.0.1:18700", "http://127.0.0.1:18420", 18025)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash absent")
def test_a_shell_sourcing_the_file_reads_the_same_values(var_dir):
    written = env_file(var_dir, Ports(api=18000, shop=18700, stripe=18420, smtp=18025))
    shell = subprocess.run(["bash", "-c", '. "$0"; printf "%s\\n%s" "$OGUST_MAIL_SENDER" "$OGUST_SHOP_URL"',
                            str(var_dir / "ogust.env")], capture_output=True, text=True, check=True)
    assert shell.stdout.split("\n") == [written["OGUST_MAIL_SENDER"], written["OGUST_SHOP_URL"]]


def test_an_unquoted_value_is_read_as_it_is(var_dir):
    var_dir.mkdir(parents=True)
    (var_dir / "ogust.env").write_text("OGUST_MAIL_SENDER=ogust <x@y.example>\nOGUST_SHOP_URL='http://shop'\n")
    settings = Settings.from_env()
    assert (settings.mail_sender, settings.shop_url) == ("ogust <x@y.example>", "http://shop")
