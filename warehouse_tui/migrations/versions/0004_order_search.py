"""order search: folded names and titles, kept by triggers, indexed for parts of words

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

``order_search`` holds one row for each order's names (ship-to and buyer) and one for each
line's title, folded by the SQL function ``wt_fold`` (warehouse_tui.domain.folding). Triggers on
``orders`` and ``order_lines`` keep it current whatever writes them (ORM, Core bulk inserts,
plain SQL). SQLite indexes it with an FTS5 trigram table (external content); PostgreSQL with a
pg_trgm GIN index. On SQLite ``wt_fold`` is registered on every connection by warehouse_tui.db.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

NAMES = ("CASE WHEN {t}.buyer_name = {t}.ship_name OR {t}.buyer_name = '' THEN {t}.ship_name "
         "ELSE {t}.ship_name || ' ' || {t}.buyer_name END")

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER order_search_order_ai AFTER INSERT ON orders BEGIN
        INSERT INTO order_search (order_id, line_id, text) VALUES (new.id, NULL, wt_fold({NAMES.format(t='new')}));
    END""",
    f"""CREATE TRIGGER order_search_order_au AFTER UPDATE OF ship_name, buyer_name ON orders
    WHEN old.ship_name IS NOT new.ship_name OR old.buyer_name IS NOT new.buyer_name BEGIN
        UPDATE order_search SET text = wt_fold({NAMES.format(t='new')}) WHERE order_id = new.id AND line_id IS NULL;
    END""",
    """CREATE TRIGGER order_search_order_ad AFTER DELETE ON orders BEGIN
        DELETE FROM order_search WHERE order_id = old.id;
    END""",
    """CREATE TRIGGER order_search_line_ai AFTER INSERT ON order_lines WHEN new.title <> '' BEGIN
        INSERT INTO order_search (order_id, line_id, text) VALUES (new.order_id, new.id, wt_fold(new.title));
    END""",
    """CREATE TRIGGER order_search_line_au AFTER UPDATE OF title, order_id ON order_lines
    WHEN old.title IS NOT new.title OR old.order_id IS NOT new.order_id BEGIN
        DELETE FROM order_search WHERE line_id = old.id;
        INSERT INTO order_search (order_id, line_id, text)
            SELECT new.order_id, new.id, wt_fold(new.title) WHERE new.title <> '';
    END""",
    """CREATE TRIGGER order_search_line_ad AFTER DELETE ON order_lines BEGIN
        DELETE FROM order_search WHERE line_id = old.id;
    END""",
]

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE order_search_fts USING fts5(
        text, content='order_search', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER order_search_fts_ai AFTER INSERT ON order_search BEGIN
        INSERT INTO order_search_fts (rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER order_search_fts_ad AFTER DELETE ON order_search BEGIN
        INSERT INTO order_search_fts (order_search_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER order_search_fts_au AFTER UPDATE ON order_search BEGIN
        INSERT INTO order_search_fts (order_search_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO order_search_fts (rowid, text) VALUES (new.id, new.text);
    END""",
]

PG_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION wt_order_search_orders() RETURNS trigger LANGUAGE plpgsql AS $wt$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO order_search (order_id, line_id, text) VALUES (NEW.id, NULL, wt_fold({NAMES.format(t='NEW')}));
        ELSIF TG_OP = 'UPDATE' THEN
            IF NEW.ship_name IS DISTINCT FROM OLD.ship_name OR NEW.buyer_name IS DISTINCT FROM OLD.buyer_name THEN
                UPDATE order_search SET text = wt_fold({NAMES.format(t='NEW')})
                    WHERE order_id = NEW.id AND line_id IS NULL;
            END IF;
        ELSE
            DELETE FROM order_search WHERE order_id = OLD.id;
        END IF;
        RETURN NULL;
    END $wt$""",
    """CREATE TRIGGER order_search_orders AFTER INSERT OR DELETE OR UPDATE OF ship_name, buyer_name
        ON orders FOR EACH ROW EXECUTE FUNCTION wt_order_search_orders()""",
    """CREATE OR REPLACE FUNCTION wt_order_search_lines() RETURNS trigger LANGUAGE plpgsql AS $wt$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
                    AND NEW.order_id IS NOT DISTINCT FROM OLD.order_id THEN
                RETURN NULL;
            END IF;
            DELETE FROM order_search WHERE line_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.title <> '' THEN
            INSERT INTO order_search (order_id, line_id, text) VALUES (NEW.order_id, NEW.id, wt_fold(NEW.title));
        END IF;
        RETURN NULL;
    END $wt$""",
    """CREATE TRIGGER order_search_lines AFTER INSERT OR DELETE OR UPDATE OF title, order_id
        ON order_lines FOR EACH ROW EXECUTE FUNCTION wt_order_search_lines()""",
]

BACKFILL = [
    f"INSERT INTO order_search (order_id, line_id, text) "
    f"SELECT id, NULL, wt_fold({NAMES.format(t='orders')}) FROM orders ORDER BY id",
    "INSERT INTO order_search (order_id, line_id, text) "
    "SELECT order_id, id, wt_fold(title) FROM order_lines WHERE title <> '' ORDER BY id",
]


def upgrade() -> None:
    op.create_table('order_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_search_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_search_line_id'), ['line_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # the rows first, then the index in one pass, then the triggers that keep both
        for sql in BACKFILL:
            op.execute(sql)
        op.execute(SQLITE_FTS[0])
        op.execute("INSERT INTO order_search_fts (order_search_fts) VALUES ('rebuild')")
        for sql in SQLITE_FTS[1:] + SQLITE_TRIGGERS:
            op.execute(sql)
    else:
        from warehouse_tui.domain.folding import pg_fold_function

        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(pg_fold_function())
        for sql in BACKFILL:
            op.execute(sql)
        op.execute("CREATE INDEX ix_order_search_text_trgm ON order_search USING gin (text gin_trgm_ops)")
        for sql in PG_TRIGGERS:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("order_ai", "order_au", "order_ad", "line_ai", "line_au", "line_ad",
                     "fts_ai", "fts_ad", "fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS order_search_{name}")
        op.execute("DROP TABLE IF EXISTS order_search_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS order_search_orders ON orders")
        op.execute("DROP TRIGGER IF EXISTS order_search_lines ON order_lines")
        op.execute("DROP FUNCTION IF EXISTS wt_order_search_orders()")
        op.execute("DROP FUNCTION IF EXISTS wt_order_search_lines()")
        op.execute("DROP INDEX IF EXISTS ix_order_search_text_trgm")
    op.drop_table('order_search')
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS wt_fold(text)")
