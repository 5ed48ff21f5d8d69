"""`one_of`: a column against a list bound as one parameter, on each backend."""

from __future__ import annotations

from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.lists import bound_list, one_of
from slotwise.db.models import Grant

NOW = 1_700_000_000
# Spellings a JSON array or an SQL literal would have to escape, and a long list.
AWKWARD = ['o"brien@example.com', "back\\slash@example.com", "ünï@example.com", "a,b@example.com"]


def _grants(db: Database, emails: list[str]) -> None:
    with db.session() as session:
        for i, email in enumerate(emails):
            session.add(
                Grant(
                    id=f"g{i}",
                    provider="virtual-calendar",
                    email=email,
                    scope=[],
                    settings={},
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


def _matching(db: Database, values: list[str], *, negate: bool = False) -> set[str]:
    condition = one_of(Grant.email, bound_list("values"))
    query = select(Grant.email).where(~condition if negate else condition)
    with db.session(write=False) as session:
        return set(session.scalars(query, {"values": values}))


def test_one_of_matches_exactly_the_listed_values(db: Database) -> None:
    plain = [f"person{i}@example.com" for i in range(1500)]
    _grants(db, AWKWARD + plain)
    assert _matching(db, AWKWARD) == set(AWKWARD)
    # More elements than SQLite's default limit of bound parameters in one statement (999).
    wanted = plain[::2] + ["nobody@example.com"]
    assert _matching(db, wanted) == set(plain[::2])
    assert _matching(db, []) == set()
    # A prefix, an upper-cased spelling and a pattern match nothing: equality only.
    assert _matching(db, ["person1", "PERSON2@EXAMPLE.COM", "person%"]) == set()


def test_not_one_of_keeps_everything_else(db: Database) -> None:
    _grants(db, AWKWARD)
    assert _matching(db, AWKWARD[:1], negate=True) == set(AWKWARD[1:])
    assert _matching(db, [], negate=True) == set(AWKWARD)
