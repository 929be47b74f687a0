"""Full-text search that serves two-character Chinese words on SQLite and PostgreSQL alike.

Trigram indexes (FTS5 `trigram`, `pg_trgm`) cannot answer a two-character query such as 受贿 or
公车, and most Chinese words are two characters. So each case keeps a set of terms in
`case_search_terms`: every CJK character and every CJK bigram of its title, summary and notes,
and every lower-cased word of other scripts. A query matches the cases that hold all of its
terms (an index lookup on the primary key), and the phrase itself is then checked on those
candidates only, so that 公车 + 车私 + 私用 does not match text where they are not adjacent.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, delete, exists, func, insert, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Case, CaseNote, CaseSearchTerm

# CJK Unified Ideographs (with extension A) and compatibility ideographs.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+(?:[-_.][0-9a-z]+)*")
MAX_QUERY = 100


def terms_of(text: str) -> set[str]:
    """Index terms: CJK characters and bigrams, and words of other scripts."""
    lowered = text.lower()
    found: set[str] = set()
    for run in _CJK.findall(lowered):
        found.update(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    found.update(w[:64] for w in _WORD.findall(_CJK.sub(" ", lowered)))
    return found


def query_terms(query: str) -> set[str]:
    """What a query must match: its bigrams (or the single character), and its words."""
    lowered = query.lower()[:MAX_QUERY]
    wanted: set[str] = set()
    for run in _CJK.findall(lowered):
        wanted.update(run if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    wanted.update(w[:64] for w in _WORD.findall(_CJK.sub(" ", lowered)))
    return wanted


async def reindex(session: AsyncSession, case_id: int) -> None:
    """Rebuild a case's terms from its current text (in the caller's transaction)."""
    case = await session.get(Case, case_id)
    assert case is not None
    notes = (
        await session.execute(select(col(CaseNote.body)).where(col(CaseNote.case_id) == case_id))
    ).scalars()
    terms = terms_of(" ".join([case.title, case.summary, case.number, *notes]))
    await session.execute(delete(CaseSearchTerm).where(col(CaseSearchTerm.case_id) == case_id))
    if terms:
        await session.execute(
            insert(CaseSearchTerm), [{"term": t, "case_id": case_id} for t in sorted(terms)]
        )


# Above this many postings for its rarest term, a query probes each case's terms (EXISTS) while the
# list walks cases in id order and stops at a page; below it, the few candidates are collected first.
COMMON_TERM = 2000


async def _rarest(session: AsyncSession, wanted: set[str]) -> tuple[str, int]:
    """The query's rarest term and how many cases hold it (each counted only up to COMMON_TERM + 1).

    One round trip: every term's capped count is a scalar subquery of the same SELECT.
    """
    terms = sorted(wanted)
    counts = [
        select(func.count())
        .select_from(
            select(col(CaseSearchTerm.case_id))
            .where(col(CaseSearchTerm.term) == term)
            .limit(COMMON_TERM + 1)
            .subquery()
        )
        .scalar_subquery()
        for term in terms
    ]
    row = (await session.execute(select(*counts))).one()
    count, term = min(zip(row, terms, strict=True))
    return term, int(count)


async def matches(session: AsyncSession, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause for cases matching the query, or None when the query has no searchable text."""
    wanted = query_terms(query)
    if not wanted:
        return None
    rarest, postings = await _rarest(session, wanted)
    probes: list[ColumnElement[bool]] = [
        exists().where(col(CaseSearchTerm.case_id) == col(Case.id), col(CaseSearchTerm.term) == term)
        for term in sorted(wanted - ({rarest} if postings <= COMMON_TERM else set()))
    ]
    if postings <= COMMON_TERM:
        # Few cases hold the rarest term: start from them (an index range), probe the other terms.
        few = select(col(CaseSearchTerm.case_id)).where(col(CaseSearchTerm.term) == rarest)
        probes.append(col(Case.id).in_(few))
    phrases = [p for p in re.split(r"\s+", query.strip().lower()[:MAX_QUERY]) if p]
    in_text = and_(
        *(
            or_(
                func.lower(col(Case.title)).contains(p, autoescape=True),
                func.lower(col(Case.summary)).contains(p, autoescape=True),
                func.lower(col(Case.number)).contains(p, autoescape=True),
                exists().where(
                    col(CaseNote.case_id) == col(Case.id),
                    func.lower(col(CaseNote.body)).contains(p, autoescape=True),
                ),
            )
            for p in phrases
        )
    )
    return and_(*probes, in_text)
