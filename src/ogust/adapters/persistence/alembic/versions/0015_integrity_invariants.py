"""The planning's and the clients' invariants held by the database itself, not only by the handlers'
checks (which two transactions running at once both pass):

- an intervenant's interventions that are not cancelled never overlap. PostgreSQL: an exclusion
  constraint ``ex_interventions_no_overlap`` over ``tstzrange(starts_at, ends_at, '[)')`` (the
  ``btree_gist`` extension, trusted since PostgreSQL 13, lets it compare the ids with ``=``).
  SQLite has no exclusion constraint: triggers refuse the overlapping INSERT or UPDATE
  (``interventions_no_overlap_*``). They compare the times as the text ``UtcDateTime`` stores on
  SQLite (UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``, which sorts as time does) and read only the day
  before the slot on the planning index — so two more triggers (``interventions_times_*``) refuse
  times in another form, an end not after the start and an intervention over 24 hours.
- one client per company and e-mail address (a GDPR erasure rewrites the address to
  ``efface-<id>@efface.invalid``: erased clients never collide), and per company and shop client id
  when there is one (a partial unique index). They replace the two lookup indexes of revision 0008:
  the key being unique, there is no "first in name order" to read.

Existing rows that break an invariant stop the migration with the list of them: nothing is changed
behind the operator's back.

SQLite drops a table's triggers with the table: a later migration that rebuilds ``interventions``
(``batch_alter_table`` with a recreate) must create them again (``create_sqlite_triggers``).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ogust.adapters.persistence.database import MigrationRefused

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_ORDER = ["last_name", "first_name", "id"]
LOOKUP_INDEXES = (("ix_clients_company_id_email", "email"), ("ix_clients_company_id_shop_client_id", "shop_client_id"))
LISTED = 50  # rows named in a refusal; the count says how many in all

EXCLUSION = """ALTER TABLE interventions ADD CONSTRAINT ex_interventions_no_overlap
    EXCLUDE USING gist (company_id WITH =, intervenant_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status <> 'cancelled')"""

OVERLAP_MESSAGE = "interventions_no_overlap : l''intervenant a déjà une intervention sur ce créneau"
TIMES_MESSAGE = ("interventions_times : horaires invalides (UTC AAAA-MM-JJ HH:MM:SS.ffffff, "
                 "fin après le début, 24 heures au plus)")
_STORED = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
_TIMES_OK = (f"NEW.starts_at GLOB {_STORED} AND NEW.ends_at GLOB {_STORED} AND NEW.ends_at > NEW.starts_at "
             "AND strftime('%s', NEW.ends_at) - strftime('%s', NEW.starts_at) <= 86400")


def _overlapping(same_row_excluded: str) -> str:
    # an overlapping intervention starts less than 24 h (and a second, for the fraction strftime('%s')
    # drops) before this one: the planning index (company_id, intervenant_id, starts_at) reads a day
    return f"""NEW.status <> 'cancelled' AND EXISTS (
        SELECT 1 FROM interventions AS other
        WHERE other.company_id = NEW.company_id AND other.intervenant_id = NEW.intervenant_id
          AND other.starts_at >= strftime('%Y-%m-%d %H:%M:%f', NEW.starts_at, '-86401 seconds')
          AND other.starts_at < NEW.ends_at AND other.ends_at > NEW.starts_at
          AND other.status <> 'cancelled'{same_row_excluded})"""


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER interventions_times_insert BEFORE INSERT ON interventions
    WHEN NOT ({_TIMES_OK})
    BEGIN SELECT RAISE(ABORT, '{TIMES_MESSAGE}'); END""",
    f"""CREATE TRIGGER interventions_times_update BEFORE UPDATE OF starts_at, ends_at ON interventions
    WHEN NOT ({_TIMES_OK})
    BEGIN SELECT RAISE(ABORT, '{TIMES_MESSAGE}'); END""",
    f"""CREATE TRIGGER interventions_no_overlap_insert BEFORE INSERT ON interventions
    WHEN {_overlapping("")}
    BEGIN SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}'); END""",
    f"""CREATE TRIGGER interventions_no_overlap_update
    BEFORE UPDATE OF company_id, intervenant_id, starts_at, ends_at, status ON interventions
    WHEN {_overlapping(" AND other.id <> NEW.id")}
    BEGIN SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}'); END""",
]
SQLITE_TRIGGER_NAMES = ["interventions_times_insert", "interventions_times_update",
                        "interventions_no_overlap_insert", "interventions_no_overlap_update"]


def create_sqlite_triggers() -> None:
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    bind = op.get_bind()
    problems = [*_overlaps(bind), *_duplicate_clients(bind, "email"), *_duplicate_clients(bind, "shop_client_id")]
    if bind.dialect.name == "sqlite":
        problems += _badly_stored_times(bind)
    if problems:
        raise MigrationRefused(
            "Migration 0015 refusée : des données contredisent les règles que la base va garantir. Corrigez-les "
            "(annulez ou déplacez une intervention, fusionnez ou changez l'adresse d'un client), puis relancez "
            "« ogust db upgrade ». Rien n'a été modifié.\n" + "\n".join(problems))
    for name, _key in LOOKUP_INDEXES:
        op.drop_index(name, table_name="clients")
    op.create_index("uq_clients_company_id_email", "clients", ["company_id", "email"], unique=True)
    op.create_index("uq_clients_company_id_shop_client_id", "clients", ["company_id", "shop_client_id"], unique=True,
                    sqlite_where=sa.text("shop_client_id IS NOT NULL"),
                    postgresql_where=sa.text("shop_client_id IS NOT NULL"))
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(EXCLUSION)
    else:
        create_sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE interventions DROP CONSTRAINT IF EXISTS ex_interventions_no_overlap")
        # btree_gist stays: other objects of the database may use it
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("uq_clients_company_id_shop_client_id", table_name="clients")
    op.drop_index("uq_clients_company_id_email", table_name="clients")
    for name, key in LOOKUP_INDEXES:
        op.create_index(name, "clients", ["company_id", key, *NAME_ORDER])


def _overlaps(bind: sa.Connection) -> list[str]:
    """Each intervention (not cancelled) that starts before an earlier one of its intervenant ends, with
    that earlier one: a window over each planning first (one pass), the pairs only for those found."""
    late = [row[0] for row in bind.execute(sa.text("""
        SELECT id FROM (
            SELECT id, starts_at, MAX(ends_at) OVER (
                PARTITION BY company_id, intervenant_id ORDER BY starts_at, id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
            FROM interventions WHERE status <> 'cancelled') AS planning
        WHERE starts_at < earlier_end ORDER BY id"""))]
    if not late:
        return []
    pairs = bind.execute(sa.text("""
        SELECT b.company_id, b.intervenant_id, a.id, a.starts_at, a.ends_at, b.id, b.starts_at, b.ends_at
        FROM interventions AS b JOIN interventions AS a
          ON a.company_id = b.company_id AND a.intervenant_id = b.intervenant_id AND a.id <> b.id
         AND a.status <> 'cancelled' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
         AND (a.starts_at < b.starts_at OR (a.starts_at = b.starts_at AND a.id < b.id))
        WHERE b.id IN :late ORDER BY b.company_id, b.intervenant_id, b.starts_at, a.starts_at
        """).bindparams(sa.bindparam("late", expanding=True)), {"late": late[:LISTED]}).all()
    lines = [f"- entreprise {company}, intervenant {intervenant} : l'intervention {b_id} ({b_start} → {b_end}) "
             f"chevauche {a_id} ({a_start} → {a_end})"
             for company, intervenant, a_id, a_start, a_end, b_id, b_start, b_end in pairs]
    return [f"{len(late)} intervention(s) chevauchant une autre du même intervenant (UTC) :", *lines]


def _duplicate_clients(bind: sa.Connection, key: str) -> list[str]:
    rows = bind.execute(sa.text(f"""
        SELECT c.company_id, c.{key}, c.id FROM clients AS c JOIN (
            SELECT company_id, {key} FROM clients WHERE {key} IS NOT NULL
            GROUP BY company_id, {key} HAVING COUNT(*) > 1) AS twice
          ON twice.company_id = c.company_id AND twice.{key} = c.{key}
        ORDER BY c.company_id, c.{key}, c.id""")).all()
    groups: dict[tuple[str, str], list[str]] = {}
    for company, value, client_id in rows:
        groups.setdefault((company, value), []).append(client_id)
    if not groups:
        return []
    what, many = (("adresse email", "adresse(s) email portée(s)") if key == "email"
                  else ("identifiant client boutique", "identifiant(s) client boutique porté(s)"))
    return [f"{len(groups)} {many} par plusieurs clients d'une même entreprise :",
            *[f"- entreprise {company}, {what} {value} : clients {', '.join(ids)}"
              for (company, value), ids in list(groups.items())[:LISTED]]]


def _badly_stored_times(bind: sa.Connection) -> list[str]:
    condition = _TIMES_OK.replace("NEW.", "")
    ids = [row[0] for row in bind.execute(sa.text(f"SELECT id FROM interventions WHERE NOT ({condition}) ORDER BY id"))]
    if not ids:
        return []
    return [f"{len(ids)} intervention(s) aux horaires mal enregistrés ou de plus de 24 heures : "
            + ", ".join(ids[:LISTED])]
