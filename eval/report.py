"""Aggregating scored conversations into the per-kind and per-language tables."""
import statistics
from dataclasses import dataclass, field

from .golden import KINDS, LANGS


@dataclass
class ConversationScore:
    conversation: object
    results: list  # TurnResult per turn
    scores: list  # TurnScore per turn

    @property
    def passed(self):
        return all(s.passed for s in self.scores)


@dataclass
class Row:
    name: str
    conversations: int = 0
    passed: int = 0
    facts_expected: int = 0
    facts_found: int = 0
    wrongly_escalated: int = 0
    invented: int = 0
    intents_expected: int = 0
    intents_ok: int = 0
    bookings_expected: int = 0
    bookings_ok: int = 0
    unknowns_expected: int = 0
    unknowns_ok: int = 0
    replies: int = 0
    lang_ok: int = 0
    seconds: list = field(default_factory=list)

    def add(self, conv):
        self.conversations += 1
        self.passed += conv.passed
        for result, score in zip(conv.results, conv.scores):
            self.facts_expected += score.facts_expected
            self.facts_found += score.facts_found
            self.wrongly_escalated += score.wrongly_escalated
            self.invented += len(score.invented)
            self.intents_expected += score.intent_expected
            self.intents_ok += score.intent_ok
            self.bookings_expected += score.booking_expected
            self.bookings_ok += score.booking_ok
            self.unknowns_expected += score.unknown_expected
            self.unknowns_ok += score.unknown_ok
            self.replies += 1
            self.lang_ok += score.lang_ok
            if not result.timed_out:
                self.seconds.append(result.seconds)

    def as_dict(self):
        return {
            "conversations": self.conversations, "passed": self.passed,
            "pass_rate": _rate(self.passed, self.conversations),
            "facts": [self.facts_found, self.facts_expected],
            "wrongly_escalated": self.wrongly_escalated, "invented_numbers": self.invented,
            "intents": [self.intents_ok, self.intents_expected],
            "bookings": [self.bookings_ok, self.bookings_expected],
            "unknowns_handled": [self.unknowns_ok, self.unknowns_expected],
            "reply_lang": [self.lang_ok, self.replies],
            "median_ms": _ms(self.seconds, 50), "p95_ms": _ms(self.seconds, 95),
        }


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def _ms(values, pct):
    if not values:
        return None
    if pct == 50:
        return round(statistics.median(values) * 1000, 1)
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))] * 1000, 1)


def summarise(scored):
    """{"total": Row, "kinds": {kind: Row}, "langs": {lang: Row}} over the scored conversations."""
    total, kinds, langs, kbs = Row("all"), {}, {}, {}
    for conv in scored:
        c = conv.conversation
        total.add(conv)
        kinds.setdefault(c.kind, Row(c.kind)).add(conv)
        langs.setdefault(c.lang, Row(c.lang)).add(conv)
        kbs.setdefault(f"{c.kb} {c.lang}", Row(f"{c.kb} {c.lang}")).add(conv)
    order = {k: i for i, k in enumerate(KINDS + LANGS)}
    return {"total": total,
            "kinds": dict(sorted(kinds.items(), key=lambda kv: order.get(kv[0], 99))),
            "langs": dict(sorted(langs.items(), key=lambda kv: order.get(kv[0], 99))),
            "kbs": dict(sorted(kbs.items()))}


COLUMNS = ("", "passed", "facts", "wrong esc.", "invented #", "intents", "bookings", "unknowns", "reply lang",
           "median ms", "p95 ms")


def _frac(ok, total):
    return f"{ok}/{total}" if total else "-"


def _cells(row):
    pct = f" {100 * row.passed / row.conversations:.0f}%" if row.conversations else ""
    return [row.name, f"{row.passed}/{row.conversations}{pct}", _frac(row.facts_found, row.facts_expected),
            str(row.wrongly_escalated), str(row.invented), _frac(row.intents_ok, row.intents_expected),
            _frac(row.bookings_ok, row.bookings_expected), _frac(row.unknowns_ok, row.unknowns_expected),
            _frac(row.lang_ok, row.replies), _fmt(_ms(row.seconds, 50)), _fmt(_ms(row.seconds, 95))]


def _fmt(value):
    return "-" if value is None else f"{value:.0f}"


def table(summary, markdown=False):
    """The per-kind table, then per language, then per knowledge base and language, as text (or Markdown)."""
    lines = []
    for title, rows in (("kind", summary["kinds"]), ("language", summary["langs"]),
                        ("knowledge base", summary["kbs"])):
        body = [_cells(r) for r in rows.values()] + [_cells(summary["total"])]
        header = [title, *COLUMNS[1:]]
        if markdown:
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(cells) + " |" for cells in body]
        else:
            widths = [max(len(str(c)) for c in col) for col in zip(header, *body)]
            fmt = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                                          for i, (c, w) in enumerate(zip(cells, widths)))
            lines.append(fmt(header))
            lines.append("-" * len(fmt(header)))
            lines += [fmt(cells) for cells in body[:-1]]
            lines.append("-" * len(fmt(header)))
            lines.append(fmt(body[-1]))
        lines.append("")
    return "\n".join(lines)


def failures(scored):
    """Every failing turn: who said what, what came back, what was expected."""
    lines = []
    for conv in scored:
        if conv.passed:
            continue
        c = conv.conversation
        lines.append(f"✗ {c.id} ({c.kind}, {c.lang})")
        for number, (turn, result, score) in enumerate(zip(c.turns, conv.results, conv.scores), 1):
            mark = "  ok" if score.passed else "  FAIL"
            lines.append(f"{mark} turn {number}: {turn['student']!r}")
            if not score.passed:
                lines.append(f"       reply: {result.reply!r}")
                lines.append(f"       expected: {turn['expect']}")
                lines.append(f"       why: {'; '.join(score.failures)}")
        lines.append("")
    return "\n".join(lines)
