"""Scoring one assistant reply against a golden turn's expectations (contract 5)."""
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import combinations_with_replacement

PERSON_PREFIXES = ("asked for a person", "frustrated")

# Phrases a reply uses to say a programme or service is not offered / not in the information.
_NOT_OFFERED = re.compile(
    r"\b(do(es)? not|don'?t|doesn'?t|not|isn'?t|aren'?t|no longer|never) (offer|offered|list|listed|have|provide|"
    r"mention|mentioned|include|included|available|cover|covered|find)\b|\bnot (currently )?(offered|listed|"
    r"available|part of)\b|\bno (information|details|mention)\b|\bcouldn'?t find\b|\bcan'?t find\b|"
    r"\bno (lo |la |los |las )?(ofrece\w*|tenemos|tiene|figura\w*|aparece\w*|encuentro|encontr\w+|incluye\w*|"
    r"menciona\w*|dispon\w+|contamos|impartimos|imparte\w*|hay)\b|\bno est[aá]n? (en|disponible|incluid|listad)\w*|"
    r"\bsin informaci[oó]n\b|\bno se (ofrece\w*|imparte\w*|menciona\w*)\b", re.I)

_EN_WORDS = set("the and is are of to for in you your we our with this that it can be will have has at on "
                "or an a here there which what when how please thanks call advisor".split())
_ES_WORDS = set("el la los las de del y es son para en por con que un una su sus tu tus al lo se le "
                "nuestro nuestra puedes puede aquí hay cuál qué cómo gracias llamada asesor está".split())


def fold(text):
    """Lower case, accents removed, typographic quotes straightened."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")


def normalise(text):
    """fold() plus numbers written one way: thousands separators dropped, decimal commas as points."""
    text = fold(text)
    # 18,500 / 18.500 / 18 500 -> 18500 (a separator followed by exactly three digits).
    for _ in range(3):  # 1,000,000 needs more than one pass
        text = re.sub(r"(?<=\d)[,. ](?=\d{3}(?!\d))", "", text)
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)  # 6,5 -> 6.5
    text = re.sub(r"\b0(\d)(?=[:h]\d\d\b)", r"\1", text)  # 09:00 -> 9:00
    text = re.sub(r"\bus\s?\$\s?", "$", text)
    text = re.sub(r"\$\s+(?=\d)", "$", text)
    return re.sub(r"\s+", " ", text)


def has_fact(reply, fact):
    """Whether `fact` appears in `reply`, ignoring case and accents, with numbers normalised.

    A fact that starts or ends with a digit or letter must not run into more of them:
    "$75" is not found in "$750".
    """
    needle, hay = normalise(fact).strip(), normalise(reply)
    if not needle:
        return True
    before = r"(?<![0-9a-z])" if needle[0].isalnum() else ""
    after = r"(?![0-9a-z]|\.\d)" if needle[-1].isalnum() else ""
    return re.search(before + re.escape(needle) + after, hay) is not None


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def numbers_in(text):
    """Every number written in the text, as Decimals (thousands separators understood)."""
    found = []
    for match in _NUMBER.findall(normalise(text)):
        try:
            found.append(Decimal(match).normalize())
        except InvalidOperation:
            pass
    return found


def allowed_numbers(kb_texts):
    """The numbers a reply may state from the knowledge base: its own, and any sum or difference of two."""
    base = set()
    for text in kb_texts:
        base.update(numbers_in(text))
    allowed = set(base)
    for a, b in combinations_with_replacement(sorted(base), 2):
        allowed.add((a + b).normalize())
        allowed.add(abs(a - b).normalize())
    return allowed


def invented_numbers(reply, allowed, context_texts=()):
    """The numbers in `reply` that are neither allowed nor written in the context (student, slots)."""
    extra = set()
    for text in context_texts:
        extra.update(numbers_in(text))
    return [n for n in numbers_in(reply) if n not in allowed and n not in extra]


def says_not_offered(reply):
    return _NOT_OFFERED.search(reply) is not None


SHINGLE = 7  # words in a row that make a quotation


def _tokens(text):
    return re.findall(r"[^\W_]+", text)


def _shingles(keys):
    return {" ".join(keys[i:i + SHINGLE]) for i in range(len(keys) - SHINGLE + 1)}


class QuoteDetector:
    """Which words of a reply quote the knowledge base (runs of seven words found in it)."""

    def __init__(self, kb_texts):
        self.shingles = set()
        for text in kb_texts:
            self.shingles |= _shingles([fold(t) for t in _tokens(text)])

    def _covered(self, tokens):
        keys = [fold(t) for t in tokens]
        covered = [False] * len(tokens)
        for i in range(len(tokens) - SHINGLE + 1):
            if " ".join(keys[i:i + SHINGLE]) in self.shingles:
                covered[i:i + SHINGLE] = [True] * SHINGLE
        return covered

    def quotes(self, reply):
        return any(self._covered(_tokens(reply)))

    def own_words(self, reply):
        """The reply without what it quotes from the knowledge base."""
        tokens = _tokens(reply)
        return " ".join(t for t, quoted in zip(tokens, self._covered(tokens)) if not quoted)


def _detector():
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:  # the word lists below still decide
        return None
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(["en", "es"])
    return identifier


_identifier = None


def reply_language(text):
    """'en' or 'es': py3langid restricted to the two, with a word-count check for short replies."""
    global _identifier
    words = re.findall(r"[a-záéíóúñü¿¡]+", text.lower())
    en = sum(w in _EN_WORDS for w in words)
    es = sum(w in _ES_WORDS for w in words) + 2 * bool(re.search(r"[ñ¿¡áéíóú]", text.lower()))
    if abs(en - es) >= 3 or len(words) < 4:
        return "es" if es > en else "en"
    if _identifier is None:
        _identifier = _detector() or False
    if _identifier:
        return _identifier.classify(text)[0]
    return "es" if es > en else "en"


@dataclass
class TurnResult:
    """What happened in one turn, as observed by a runner."""
    student: str
    reply: str = ""
    escalated: bool = False  # the chat was handed to the advisors during this turn
    already_escalated: bool = False  # it was with the advisors before this turn
    reason: str = ""  # the chat's escalation reason after the turn (desk only)
    booked: bool = False
    cancelled: bool = False
    seconds: float = 0.0
    timed_out: bool = False
    error: str = ""  # the runner failed on this conversation (a refused event, an exception)
    context: list = field(default_factory=list)  # texts a reply may take numbers from (slots, notices)


@dataclass
class TurnScore:
    passed: bool
    failures: list
    facts_expected: int = 0
    facts_found: int = 0
    wrongly_escalated: bool = False
    invented: list = field(default_factory=list)
    intent_expected: bool = False
    intent_ok: bool = False
    booking_expected: bool = False
    booking_ok: bool = False
    lang_expected: str = ""
    lang_ok: bool = False
    unknown_expected: bool = False
    unknown_ok: bool = False


# Kinds where a turn without an `escalate` expectation may hand over without it counting as wrong.
MAY_ESCALATE = {"person", "unknown", "not_offered"}


def score_turn(kind, conv_lang, expect, result, allowed, student_texts, quotes, kb_langs=None):
    """Compare one observed turn with its expectations; every failure is described in words.

    kb_langs: the languages the knowledge base is written in (None: judge the whole reply's language).
    """
    failures = []
    score = TurnScore(passed=True, failures=failures)
    reply = result.reply
    if result.error:
        failures.append(f"error: {result.error}")
    elif result.timed_out:
        failures.append("no reply within the timeout")

    facts = expect.get("facts") or []
    score.facts_expected = len(facts) + (1 if expect.get("any_facts") else 0)
    missing = [f for f in facts if not has_fact(reply, f)]
    score.facts_found = len(facts) - len(missing)
    if missing:
        failures.append(f"missing facts {missing}")
    if expect.get("any_facts"):
        if any(has_fact(reply, f) for f in expect["any_facts"]):
            score.facts_found += 1
        else:
            failures.append(f"none of {expect['any_facts']}")

    handed_over = result.escalated or result.already_escalated
    if "escalate" in expect:
        if expect["escalate"] and not handed_over:
            failures.append("did not escalate")
        if not expect["escalate"] and result.escalated:
            failures.append(f"escalated ({result.reason or 'no reason'})")
    score.wrongly_escalated = result.escalated and (
        expect.get("escalate") is False or ("escalate" not in expect and kind not in MAY_ESCALATE))

    if expect.get("intent") == "person":
        score.intent_expected = True
        score.intent_ok = handed_over and fold(result.reason).startswith(PERSON_PREFIXES)
        if not score.intent_ok:
            failures.append(f"person request not recognised (reason: {result.reason or 'none'})")

    if expect.get("booking"):
        score.booking_expected = True
        want = expect["booking"]
        got = "booked" if result.booked else "cancelled" if result.cancelled else "none"
        if result.booked and result.cancelled:
            got = "booked"
        score.booking_ok = got == want
        if not score.booking_ok:
            failures.append(f"booking: expected {want}, got {got}")

    score.lang_expected = expect.get("reply_lang") or conv_lang
    judged = reply
    if kb_langs is not None and score.lang_expected not in kb_langs:
        # The knowledge base has no text in the student's language: a quote from it may stay in its
        # language, so the assistant's own words around the quote decide.
        own = quotes.own_words(reply)
        judged = own if len(own.split()) >= 2 else reply
    score.lang_ok = bool(reply) and reply_language(judged) == score.lang_expected
    if expect.get("reply_lang") and not score.lang_ok:
        failures.append(f"reply not in {expect['reply_lang']}")

    if expect.get("no_quote") and quotes.quotes(reply):
        failures.append("quoted the knowledge base in small talk")

    if expect.get("not_offered"):
        score.unknown_expected = True
        score.unknown_ok = says_not_offered(reply) or handed_over
        if not score.unknown_ok:
            failures.append("did not say it is not offered (nor escalate)")

    score.invented = invented_numbers(reply, allowed, [*student_texts, *result.context])
    if score.invented:
        failures.append(f"invented numbers {[str(n) for n in score.invented]}")
    score.passed = not failures
    return score
