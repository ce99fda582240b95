"""Writing a document (PDF) to a file, shared by the invoice, devis, attestation and avoir commands."""
from __future__ import annotations

from pathlib import Path

import click

from ogust.application.documents import render
from ogust.entrypoints.cli.base import Cli, write_file


def write_document(cli: Cli, kind: str, document_id: str, target: Path) -> None:
    """Render the document with everything it shows (places, modes, payments…) and write it."""
    renderer = cli.container.documents()
    document, context = cli.container.document_queries().document(cli.company_id(), kind, document_id)
    content = render(renderer, kind, document, context)
    if str(target) == "-":
        click.get_binary_stream("stdout").write(content)
        return
    write_file(target, content)
    click.echo(f"Écrit : {target} ({len(content) // 1024} Ko)")


def output_option(f):
    return click.option("-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path), required=True,
                        help="Fichier à écrire (« - » pour la sortie standard).")(f)
