"""The event ledger: a transaction's events are written together when it commits, and only then."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from warehouse_tui.domain.models import Counter, Event
from warehouse_tui.workflow.labels import next_serial
from warehouse_tui.workflow.ledger import record


def _events(db) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(e.type, e.message) for e in s.exec(select(Event).order_by(Event.id))]


def test_a_transactions_events_are_written_in_order_in_one_statement_when_it_commits(db):
    before = _events(db)
    inserts = []

    def seen(conn, cursor, statement, params, context, many):
        if statement.lstrip().upper().startswith("INSERT INTO EVENTS"):
            inserts.append(statement)

    event.listen(db.write_engine, "before_cursor_execute", seen)
    try:
        with db.write() as s:
            for n in range(3):
                record(s, "note", message=f"third {n}")
    finally:
        event.remove(db.write_engine, "before_cursor_execute", seen)
    assert _events(db)[len(before):] == [("note", "third 0"), ("note", "third 1"), ("note", "third 2")]
    assert len(inserts) == 1


def test_a_transaction_rolled_back_leaves_none_of_its_events(db):
    before = _events(db)
    with pytest.raises(RuntimeError):
        with db.write() as s:
            record(s, "note", message="never")
            raise RuntimeError("the scan is refused")
    with db.write() as s:
        record(s, "note", message="kept")
    assert _events(db)[len(before):] == [("note", "kept")]


def test_a_savepoint_rolled_back_inside_keeps_the_events_recorded_before_it(db):
    """Two stations creating a sequence's row at once: the loser's savepoint rolls back, and
    the events it recorded before that are still written with its transaction."""
    before = _events(db)
    with db.write() as s:
        s.add(Counter(name="test:seq", value=0))
    with db.write() as s:
        record(s, "note", message="before the savepoint")
        with pytest.raises(IntegrityError):
            with s.begin_nested():
                s.add(Counter(name="test:seq", value=0))
        assert next_serial(s, "test:seq") == 1
        record(s, "note", message="after it")
    assert _events(db)[len(before):] == [("note", "before the savepoint"), ("note", "after it")]


def test_a_session_closed_without_commit_leaves_nothing_for_its_next_transaction(db):
    before = _events(db)
    with db.session() as s:
        record(s, "note", message="never committed")
        s.close()
        with s.begin():
            record(s, "note", message="the next transaction's")
    assert _events(db)[len(before):] == [("note", "the next transaction's")]
