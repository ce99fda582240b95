"""The CLI never writes where it is merely run: its data folder is OGUST_VAR_DIR, else the user's data
folder; a missing database is an error that says how to make one, and creates nothing (issue 18: run
from /, the CLI made /var/ogust.db and a secret key beside it)."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from ogust.entrypoints.cli import main

pytestmark = pytest.mark.integration


def ogust(tmp_path, env: dict[str, str], *args: str):
    os.chdir(tmp_path / "here")
    return CliRunner().invoke(main, list(args), env={"OGUST_VAR_DIR": None, "OGUST_DATABASE_URL": None,
                                                     "OGUST_SECRET_KEY": None, "XDG_DATA_HOME": None,
                                                     "HOME": str(tmp_path / "home"), **env})


@pytest.fixture
def here(tmp_path):
    (tmp_path / "here").mkdir()
    before = os.getcwd()
    yield tmp_path / "here"
    os.chdir(before)


def test_a_missing_database_is_an_error_and_nothing_is_created(tmp_path, here):
    result = ogust(tmp_path, {}, "company", "show")
    expected = tmp_path / "home" / ".local" / "share" / "ogust" / "ogust.db"
    assert result.exit_code == 1, result.output
    assert f"pas de base de données : {expected} n'existe pas" in result.output
    assert "« ogust db upgrade »" in result.output and "Traceback" not in result.output
    assert list(here.iterdir()) == [] and not (tmp_path / "home").exists()  # neither var/ here nor a secret key


def test_the_data_folder_is_ogust_var_dir_else_the_users_data_folder(tmp_path, here):
    result = ogust(tmp_path, {"XDG_DATA_HOME": str(tmp_path / "xdg")}, "info", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["var_dir"] == str(tmp_path / "xdg" / "ogust")

    made = ogust(tmp_path, {"OGUST_VAR_DIR": str(tmp_path / "data")}, "db", "upgrade")
    assert made.exit_code == 0, made.output
    assert (tmp_path / "data" / "ogust.db").exists() and list(here.iterdir()) == []
    info = ogust(tmp_path, {"OGUST_VAR_DIR": str(tmp_path / "data")}, "info")
    assert f"Dossier des données : {tmp_path / 'data'} (OGUST_VAR_DIR)" in info.output
    assert f"Base de données     : sqlite:///{tmp_path / 'data' / 'ogust.db'}\n" in info.output
    shown = ogust(tmp_path, {"OGUST_VAR_DIR": str(tmp_path / "data")}, "company", "show")
    assert shown.exit_code == 3 and "aucune entreprise créée" in shown.output  # the database, found and empty


def test_info_hides_a_database_password(tmp_path, here):
    result = ogust(tmp_path, {"OGUST_DATABASE_URL": "postgresql+psycopg://ogust:s3cret@db.internal/ogust"}, "info")
    assert result.exit_code == 0 and "s3cret" not in result.output and "***" in result.output
