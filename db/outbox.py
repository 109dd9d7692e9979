"""Queries on the outbox: queue a mail once (by its dedupe key), claim due mails, record the outcome."""
import json
import uuid
from datetime import timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from . import transaction, utcnow
from .schema import OUTBOX_DROPPED, OUTBOX_FAILED, OUTBOX_QUEUED, OUTBOX_SENDING, OUTBOX_SENT, outbox


def add(kind, to, dedupe_key, subject="", body_text=None, body_html=None, ics=None, chat_id=None,
        ics_sequence=None, data=None, due=None):
    """Queue one mail; False (and nothing written) when a mail with this dedupe key exists already."""
    now = utcnow()
    with transaction() as conn:
        try:
            # A savepoint: a duplicate must not spoil the action's transaction this runs inside.
            with conn.begin_nested():
                conn.execute(insert(outbox).values(
                    kind=kind, to=to, dedupe_key=dedupe_key[:191], subject=subject[:255], body_text=body_text,
                    body_html=body_html, ics=ics, chat_id=chat_id, ics_sequence=ics_sequence,
                    data=json.dumps(data) if data is not None else None, status=OUTBOX_QUEUED,
                    next_attempt_at=due or now, created_at=now))
        except IntegrityError:
            return False
    return True


def last_sequence(chat_id):
    """The SEQUENCE of the chat's latest booking invite, or None before its first."""
    with transaction() as conn:
        return conn.execute(select(func.max(outbox.c.ics_sequence)).where(outbox.c.chat_id == chat_id)).scalar()


def queued_answer(chat_id):
    """The chat's answer mail still collecting messages (queued, not yet claimed), or None."""
    with transaction() as conn:
        return conn.execute(select(outbox).where(outbox.c.chat_id == chat_id, outbox.c.kind == "answer",
                                                 outbox.c.status == OUTBOX_QUEUED)).mappings().first()


def next_answer_start(chat_id, after_row_id):
    """The first message id of the chat's next answer batch after outbox row after_row_id, or None."""
    with transaction() as conn:
        for data in conn.execute(select(outbox.c.data).where(outbox.c.chat_id == chat_id, outbox.c.kind == "answer",
                                                             outbox.c.id > after_row_id).order_by(outbox.c.id)):
            return json.loads(data[0])["from_id"]
    return None


def claim_due(limit=20, now=None):
    """Mark up to `limit` due queued mails as being sent by a fresh claim token; returns (token, rows).

    The conditional UPDATE is the lock: a row another process claimed first is no longer 'queued'.
    """
    now = now or utcnow()
    token = uuid.uuid4().hex
    with transaction() as conn:
        ids = list(conn.execute(select(outbox.c.id).where(outbox.c.status == OUTBOX_QUEUED,
                                                          outbox.c.next_attempt_at <= now)
                                .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit)).scalars())
    if not ids:
        return token, []
    with transaction() as conn:
        conn.execute(update(outbox).where(outbox.c.id.in_(ids), outbox.c.status == OUTBOX_QUEUED)
                     .values(status=OUTBOX_SENDING, claimed_by=token, claimed_at=now,
                             attempts=outbox.c.attempts + 1))
        rows = conn.execute(select(outbox).where(outbox.c.claimed_by == token, outbox.c.status == OUTBOX_SENDING)
                            .order_by(outbox.c.id)).mappings().all()
    return token, [dict(r) for r in rows]


def mark_sent(mail_id, token, **composed):
    """Record the mail as sent (with what was composed at sending); False if the claim was lost meanwhile."""
    with transaction() as conn:
        done = conn.execute(update(outbox).where(outbox.c.id == mail_id, outbox.c.claimed_by == token,
                                                 outbox.c.status == OUTBOX_SENDING)
                            .values(status=OUTBOX_SENT, sent_at=utcnow(), last_error=None, **composed))
    return done.rowcount == 1


def mark_failed(mail_id, token, error, retry_at):
    """Give the mail back to the queue until retry_at, or for good (status 'failed') when retry_at is None."""
    values = dict(status=OUTBOX_QUEUED, next_attempt_at=retry_at) if retry_at else dict(status=OUTBOX_FAILED)
    with transaction() as conn:
        conn.execute(update(outbox).where(outbox.c.id == mail_id, outbox.c.claimed_by == token,
                                          outbox.c.status == OUTBOX_SENDING)
                     .values(claimed_by=None, last_error=str(error)[:2000], **values))


def drop(mail_id, token, reason):
    """A claimed mail that no longer needs sending (its call was cancelled, the student came back)."""
    with transaction() as conn:
        conn.execute(update(outbox).where(outbox.c.id == mail_id, outbox.c.claimed_by == token)
                     .values(status=OUTBOX_DROPPED, last_error=reason))


def requeue_stale(older_than):
    """Give back mails claimed by a process that died mid-send (claimed longer ago than older_than)."""
    limit = utcnow() - older_than
    with transaction() as conn:
        return conn.execute(update(outbox).where(outbox.c.status == OUTBOX_SENDING, outbox.c.claimed_at < limit)
                            .values(status=OUTBOX_QUEUED, claimed_by=None, next_attempt_at=utcnow(),
                                    last_error="claim expired (process stopped while sending)")).rowcount


def all_mails(chat_id=None):
    """Every outbox row (of one chat), oldest first: for tests and the analytics."""
    query = select(outbox).order_by(outbox.c.id)
    if chat_id is not None:
        query = query.where(outbox.c.chat_id == chat_id)
    with transaction() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def counts_since(since):
    """{'sent': n, 'failed': n, 'queued': n} of mails created since `since`."""
    with transaction() as conn:
        rows = conn.execute(select(outbox.c.status, func.count()).where(outbox.c.created_at >= since)
                            .group_by(outbox.c.status)).all()
    found = dict(rows)
    return {"sent": found.get(OUTBOX_SENT, 0), "failed": found.get(OUTBOX_FAILED, 0),
            "queued": found.get(OUTBOX_QUEUED, 0) + found.get(OUTBOX_SENDING, 0)}


STALE_CLAIM = timedelta(minutes=5)
