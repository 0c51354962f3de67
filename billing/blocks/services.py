"""Placing, finding and lifting blocks on numbers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.blocks.models import Block
from billing.errors import Conflict, InvalidParameter, NotFound
from ledgers.base import utcnow

SCOPES = ("all", "facility")
SOURCES = ("called_party", "facility", "provider")


def place_block(session: Session, *, number: str, scope: str, facility_id: int | None, source: str, reason: str,
                actor: str, call_id: int | None = None) -> Block:
    if scope not in SCOPES:
        raise InvalidParameter("'scope' must be 'all' or 'facility'.", details={"field": "scope"})
    if source not in SOURCES:
        raise InvalidParameter(f"'source' must be one of {', '.join(SOURCES)}.", details={"field": "source"})
    if scope == "facility" and facility_id is None:
        raise InvalidParameter("A facility block names its 'facility'.", details={"field": "facility"})
    block = Block(number=number, scope=scope, facility_id=facility_id if scope == "facility" else None,
                  source=source, reason=reason, created_by=actor, created_at=utcnow(), call_id=call_id)
    session.add(block)
    session.flush()
    return block


def get_block(session: Session, block_id: int) -> Block:
    block = session.get(Block, block_id)
    if block is None:
        raise NotFound(f"No block has the id {block_id}.")
    return block


def lift_block(session: Session, block: Block, *, actor: str, reason: str) -> Block:
    if block.lifted_at is not None:
        raise Conflict("The block was already lifted.")
    block.lifted_at, block.lifted_by, block.lift_reason = utcnow(), actor, reason
    return block


def blocks_for(session: Session, number: str, *, include_lifted: bool = True) -> list[Block]:
    query = select(Block).where(Block.number == number).order_by(Block.id)
    if not include_lifted:
        query = query.where(Block.lifted_at.is_(None))
    return list(session.scalars(query))
