"""One account per normalised sign-in name (`bob`, `ＢＯＢ` and `b` + zero-width space + `ob` are one name), and the
failed sign-ins of each account.

Refuses to run, naming them, when existing accounts share a normalised name: rename or delete all
but one (UPDATE admins SET username = ... WHERE id = ...) and run the migrations again.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from db.admins import username_key

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KEY_TYPE = sa.String(64).with_variant(mysql.VARCHAR(64, collation="utf8mb4_bin"), "mysql", "mariadb")
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, username FROM admins ORDER BY id")).all()
    keys = {}
    for admin_id, username in rows:
        keys.setdefault(username_key(username), []).append((admin_id, username))
    clashes = [names for names in keys.values() if len(names) > 1]
    if clashes:  # checked before any change: MySQL cannot roll back DDL
        listed = "; ".join(", ".join(f"{name!r} (id {i})" for i, name in names) for names in clashes)
        raise RuntimeError(f"These admin accounts have the same sign-in name once normalised: {listed}. "
                           "Rename or delete all but one of each, then run the migrations again.")
    with op.batch_alter_table("admins") as batch:
        batch.add_column(sa.Column("username_key", KEY_TYPE))
        batch.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_failed_login_at", TIMESTAMP))
    for key, [(admin_id, _)] in keys.items():
        conn.execute(sa.text("UPDATE admins SET username_key = :key WHERE id = :id"), {"key": key, "id": admin_id})
    with op.batch_alter_table("admins") as batch:
        batch.alter_column("username_key", existing_type=KEY_TYPE, nullable=False)
        batch.create_unique_constraint("uq_admins_username_key", ["username_key"])


def downgrade():
    with op.batch_alter_table("admins") as batch:
        batch.drop_constraint("uq_admins_username_key", type_="unique")
        batch.drop_column("last_failed_login_at")
        batch.drop_column("failed_logins")
        batch.drop_column("username_key")
