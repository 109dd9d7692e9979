"""Booking contention: --chats students ask for the same advisor slot at the same moment.

The app runs the offline assistant (no model key), which calls book_time_slot for "book a call
tomorrow at 9am": one conditional UPDATE per chat races for the slot in MariaDB. Checks: exactly one
chat gets `booking_held` (no contact yet) and a "booked" reply, every other chat is told the slot is taken (or
is not free any more), and the database holds exactly one booking. Figures: the answer times.

    python bench/booking.py --chats 200
"""
import asyncio
import sys
import time

import common as c

REQUEST = "Book a call with an advisor tomorrow at 9am"
# A chat without contact details gets the slot held (booking_held) until the student gives them.
WON = ("is booked for", "I'm holding")
LOST = ("couldn't book that", "taken", "No free slot", "is not free")


def _won(text):
    return any(w in text for w in WON)


def bookings_in(database_url):
    """(booked slots, chat ids holding them) straight from the database."""
    from sqlalchemy import create_engine, text
    engine = create_engine(database_url, connect_args={"use_pure": True})
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, chat_id FROM bookings WHERE chat_id IS NOT NULL "
                                     "AND deleted_at IS NULL")).all()
    finally:
        engine.dispose()
    return rows


async def prepare(url, chats):
    await c.warm_up(url, "What is the tuition for graduate students?", 1)
    return await c.connect_students(url, chats)


async def race(students):
    t0 = time.monotonic()
    answers = await asyncio.gather(*(s.ask(REQUEST) for s in students))
    last = time.monotonic() - t0
    await asyncio.sleep(0.5)  # let the winner's booking_confirmed arrive
    return answers, last


async def main():
    ap = c.parser(__doc__)
    ap.add_argument("--chats", type=int, default=200)
    args = ap.parse_args()
    if args.tiny:
        c.REPLY_TIMEOUT = 20.0
        args.chats = 8
    c.raise_nofile()
    c.note(f"machine {c.machine()}")
    with c.mariadb_database() as url:
        proc = c.start_app(url)  # no OPENAI_API_KEY: the offline assistant answers
        try:
            students = await prepare(proc.url, args.chats)
            with c.Usage(proc.pid) as use:
                answers, last = await race(students)
            times = [t for t, _ in answers if t is not None]
            texts = [(data or {}).get("message", "") for _, data in answers]
            won = [s for s, text in zip(students, texts) if _won(text)]
            told_taken = sum(1 for text in texts if not _won(text) and any(w in text for w in LOST))
            confirmed = [s for s in students if any(e in ("booking_confirmed", "booking_held") for e, _ in s.events)]
            rows = bookings_in(url)
            c.figure("booking", chats=args.chats, **c.summary(times), last_answer_ms=last * 1e3,
                     lost=len(answers) - len(times), **use.fields())
            c.check("booking_exactly_one", len(rows) == 1 and len(won) == 1 and len(confirmed) == 1
                    and rows[0].chat_id == won[0].chat_id == confirmed[0].chat_id,
                    bookings=len(rows), booked_replies=len(won), confirmed_events=len(confirmed))
            c.check("booking_others_told_taken", told_taken == args.chats - 1, told=told_taken,
                    expected=args.chats - 1)
            if told_taken != args.chats - 1:
                odd = [t for t in texts if not _won(t) and not any(w in t for w in LOST)]
                c.note(f"other answers, e.g.: {odd[:2]}")
            await c.close_all(students)
        finally:
            proc.stop()
            await c.close_http_session()
    c.save_json(args.json)
    return c.exit_code()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
