"""Click's own words, in French in the ``ogust`` command: its usage errors, its help, its prompts."""
from __future__ import annotations

import ast
from pathlib import Path

import click
from click.testing import CliRunner

from ogust.entrypoints.cli import click_fr, main


def _click_texts() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal text Click's patched modules pass to ``_`` and to ``ngettext``."""
    single: set[str] = set()
    plural: set[tuple[str, str]] = set()
    for module in click_fr.CLICK_MODULES:
        for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if node.func.id == "_" and len(texts) == 1:
                    single.add(texts[0])
                elif node.func.id == "ngettext" and len(texts) == 2:
                    plural.add((texts[0], texts[1]))
    return single, plural


def test_every_text_translated_is_one_click_writes():
    """A Click upgrade that rewords a text fails here, instead of bringing the English back unseen."""
    single, plural = _click_texts()
    assert set(click_fr.MESSAGES) - single == click_fr.PASSED_AT_RUN_TIME
    sources = "".join(Path(m.__file__).read_text(encoding="utf-8") for m in click_fr.CLICK_MODULES)
    assert all(f'"{text}"' in sources for text in click_fr.PASSED_AT_RUN_TIME)
    assert set(click_fr.PLURALS) - plural == set()


def test_the_usage_errors_an_operator_meets_are_all_translated():
    single, plural = _click_texts()
    for text in ("Error: {message}", "Invalid value for {param_hint}: {message}", "Missing argument",
                 "Missing option", "No such option {name!r}.", "No such command {name!r}.", "Usage:",
                 "Try '{command} {option}' for help.", "{value!r} is not a valid {number_type}."):
        assert text in single and text in click_fr.MESSAGES
    assert {p for p in plural if p[0].startswith(("Did you mean", "{value!r} is not {choice}", "Got unexpected"))} \
        <= set(click_fr.PLURALS)


def test_a_usage_error_is_framed_in_french():
    result = CliRunner().invoke(main, ["tarif", "create", "X", "--unit", "weekly"], prog_name="ogust")
    assert result.exit_code == 2
    assert ("Erreur : Valeur invalide pour '--unit' : 'weekly' n'est aucune de ces valeurs : 'heure', 'forfait', "
            "'hour', 'flat'.") in result.output
    assert "Usage : ogust tarif create [OPTIONS] CODE" in result.output
    assert "Error" not in result.output and "Usage:" not in result.output


def test_a_missing_argument_an_unknown_option_and_a_mistyped_command_in_french():
    missing = CliRunner().invoke(main, ["invoice", "show"], prog_name="ogust")
    assert missing.exit_code == 2 and "Erreur : Argument manquant 'REF'." in missing.output
    unknown = CliRunner().invoke(main, ["invoice", "show", "FA-1", "--nope"], prog_name="ogust")
    assert unknown.exit_code == 2 and "Erreur : Option inconnue : '--nope'." in unknown.output
    mistyped = CliRunner().invoke(main, ["invoise"], prog_name="ogust")  # « invoic » is close to « info » too
    assert mistyped.exit_code == 2
    assert "Erreur : Commande inconnue : 'invoise'. Vouliez-vous dire 'invoice' ?" in mistyped.output


def test_the_help_is_framed_in_french():
    result = CliRunner().invoke(main, ["--help"], prog_name="ogust")
    assert result.exit_code == 0
    assert "Usage : ogust" in result.output and "Commandes:" in result.output
    assert "--help        Affiche cette aide et quitte." in result.output


def test_every_command_and_option_says_what_it_is_for():
    """``ogust X --help`` lists each command with its purpose, each option with its own."""
    def unexplained(command, path):
        if isinstance(command, click.Group):
            return [item for name, sub in command.commands.items() for item in unexplained(sub, [*path, name])]
        options = [p.opts[0] for p in command.params if isinstance(p, click.Option) and not p.help]
        return ([" ".join(path)] if not command.help else []) + [f"{' '.join(path)} {o}" for o in options]

    assert unexplained(main, ["ogust"]) == []


def test_required_options_are_marked_in_french():
    result = CliRunner().invoke(main, ["client", "create", "--help"], prog_name="ogust")
    assert "Prénom  [obligatoire]" in result.output and "[required]" not in result.output
