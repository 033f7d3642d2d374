"""search: each distinct line title indexed once, lines joined to it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Before, every order line's title had a row of its own in ``order_search`` and in its trigram
index, though most lines carry a product's listing title, the same on every order of it: an
import spent more on indexing titles than on storing the orders. Now ``search_texts`` holds
each folded title once (unique, and indexed for parts of words: FTS5 trigram on SQLite, pg_trgm
on PostgreSQL) and ``line_search`` says which title each line carries; ``order_search`` keeps
the order names only. Triggers on ``order_lines`` keep both current whatever writes the lines.
The titles already indexed move over; their rows leave ``order_search``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SQLITE_INDEX = [
    "CREATE UNIQUE INDEX ix_search_texts_unique ON search_texts (text)",
    """CREATE VIRTUAL TABLE search_texts_fts USING fts5(
        text, content='search_texts', content_rowid='id', tokenize='trigram')""",
]
SQLITE_FTS_TRIGGERS = [
    """CREATE TRIGGER search_texts_fts_ai AFTER INSERT ON search_texts BEGIN
        INSERT INTO search_texts_fts (rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER search_texts_fts_ad AFTER DELETE ON search_texts BEGIN
        INSERT INTO search_texts_fts (search_texts_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
]
# the folded title is asked for twice a line; wt_fold remembers the titles it has folded
_SQLITE_LINK = """
        INSERT OR IGNORE INTO search_texts (text) SELECT wt_fold(new.title) WHERE new.title <> '';
        INSERT INTO line_search (line_id, order_id, text_id)
            SELECT new.id, new.order_id, id FROM search_texts WHERE new.title <> '' AND text = wt_fold(new.title);"""
SQLITE_LINE_TRIGGERS = [
    f"""CREATE TRIGGER line_search_ai AFTER INSERT ON order_lines BEGIN{_SQLITE_LINK}
    END""",
    f"""CREATE TRIGGER line_search_au AFTER UPDATE OF title, order_id ON order_lines
    WHEN old.title IS NOT new.title OR old.order_id IS NOT new.order_id BEGIN
        DELETE FROM line_search WHERE line_id = old.id;{_SQLITE_LINK}
    END""",
    """CREATE TRIGGER line_search_ad AFTER DELETE ON order_lines BEGIN
        DELETE FROM line_search WHERE line_id = old.id;
    END""",
]

PG_INDEX = [
    # a btree entry cannot hold a very long title: unique by its digest
    "CREATE UNIQUE INDEX ix_search_texts_unique ON search_texts (md5(text))",
    "CREATE INDEX ix_search_texts_trgm ON search_texts USING gin (text gin_trgm_ops)",
]
PG_LINE_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION wt_line_search() RETURNS trigger LANGUAGE plpgsql AS $wt$
    DECLARE
        folded text;
        tid integer;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
                    AND NEW.order_id IS NOT DISTINCT FROM OLD.order_id THEN
                RETURN NULL;
            END IF;
            DELETE FROM line_search WHERE line_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.title <> '' THEN
            folded := wt_fold(NEW.title);
            SELECT id INTO tid FROM search_texts WHERE md5(text) = md5(folded);
            IF tid IS NULL THEN
                INSERT INTO search_texts (text) VALUES (folded) ON CONFLICT (md5(text)) DO NOTHING
                    RETURNING id INTO tid;
                IF tid IS NULL THEN  -- another transaction added it meanwhile
                    SELECT id INTO tid FROM search_texts WHERE md5(text) = md5(folded);
                END IF;
            END IF;
            INSERT INTO line_search (line_id, order_id, text_id) VALUES (NEW.id, NEW.order_id, tid);
        END IF;
        RETURN NULL;
    END $wt$""",
    """CREATE TRIGGER line_search AFTER INSERT OR DELETE OR UPDATE OF title, order_id
        ON order_lines FOR EACH ROW EXECUTE FUNCTION wt_line_search()""",
]

MOVE = [
    "INSERT INTO search_texts (text) SELECT DISTINCT text FROM order_search WHERE line_id IS NOT NULL",
    "INSERT INTO line_search (line_id, order_id, text_id) SELECT s.line_id, s.order_id, t.id "
    "FROM order_search s JOIN search_texts t ON t.text = s.text WHERE s.line_id IS NOT NULL",
]

# migration 0004's line triggers, for the way back
OLD_SQLITE = [
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
OLD_PG = [
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
OLD_ROWS = ("INSERT INTO order_search (order_id, line_id, text) SELECT order_id, id, wt_fold(title) "
            "FROM order_lines WHERE title <> '' ORDER BY id")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table('search_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('line_search',
    sa.Column('line_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('line_id')
    )
    for sql in MOVE:
        op.execute(sql)
    op.create_index('ix_line_search_text_order', 'line_search', ['text_id', 'order_id'], unique=False)
    if sqlite:
        for name in ("line_ai", "line_au", "line_ad", "fts_ad"):
            op.execute(f"DROP TRIGGER order_search_{name}")
        # the titles' rows leave the names' index: rebuilt in one pass rather than row by row
        op.execute("DELETE FROM order_search WHERE line_id IS NOT NULL")
        op.execute("INSERT INTO order_search_fts (order_search_fts) VALUES ('rebuild')")
        op.execute("""CREATE TRIGGER order_search_fts_ad AFTER DELETE ON order_search BEGIN
        INSERT INTO order_search_fts (order_search_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""")
        for sql in SQLITE_INDEX:
            op.execute(sql)
        op.execute("INSERT INTO search_texts_fts (search_texts_fts) VALUES ('rebuild')")
        for sql in SQLITE_FTS_TRIGGERS + SQLITE_LINE_TRIGGERS:
            op.execute(sql)
    else:
        op.execute("DROP TRIGGER order_search_lines ON order_lines")
        op.execute("DROP FUNCTION wt_order_search_lines()")
        op.execute("DELETE FROM order_search WHERE line_id IS NOT NULL")
        for sql in PG_INDEX + PG_LINE_TRIGGERS:
            op.execute(sql)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in ("line_search_ai", "line_search_au", "line_search_ad", "search_texts_fts_ai",
                     "search_texts_fts_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_texts_fts")
        op.execute(OLD_ROWS)  # the names' index takes them through its trigger
        for sql in OLD_SQLITE:
            op.execute(sql)
    else:
        op.execute("DROP TRIGGER IF EXISTS line_search ON order_lines")
        op.execute("DROP FUNCTION IF EXISTS wt_line_search()")
        op.execute(OLD_ROWS)
        for sql in OLD_PG:
            op.execute(sql)
    op.drop_index('ix_line_search_text_order', table_name='line_search')
    op.drop_table('line_search')
    op.execute("DROP INDEX IF EXISTS ix_search_texts_unique")
    op.execute("DROP INDEX IF EXISTS ix_search_texts_trgm")
    op.drop_table('search_texts')
