"""Comparisons, lists and totals: a question split into its sides ("A vs B", "more ... than",
"between A and B", "A plus B"), and the difference, total or earlier date of the figures found."""
import re

from . import lexicon
from .text import STOP, fold, sentences, words

MONEY = re.compile(r"(?P<cur>[$€£]|\b(?:CAD|USD|EUR|GBP|AUD|MXN|CUP)\b)\s?(?P<num>\d[\d,]*(?:\.\d+)?)|"
                    r"(?P<num2>\d[\d,]*(?:\.\d+)?)\s?(?P<cur2>euros?|dollars?|usd|eur|pesos|cup)\b", re.I)
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MESES = {m: i + 1 for i, m in enumerate(
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split())}
_DATE = re.compile(r"\b(?P<month>" + "|".join(_MONTHS) + r")\s+(?P<day>\d{1,2})\b|\b(?P<day2>\d{1,2})\s+de\s+(?P<mes>"
                   + "|".join(_MESES) + r")\b", re.I)
_UNIT = re.compile(r"\b(per|a|each|every|al|por|cada)\s+(year|semester|month|term|ano|semestre|mes)\b", re.I)


def figures(sentence):
    """Money amounts and dates in a sentence, each with its character position."""
    found = []
    for m in MONEY.finditer(sentence):
        number = float((m.group("num") or m.group("num2")).replace(",", ""))
        currency = m.group("cur") or m.group("cur2")
        unit = _UNIT.search(sentence, m.end(), m.end() + 25)
        found.append(("money", number, currency, unit.group(0) if unit else "", m.start()))
    for m in _DATE.finditer(sentence):
        month = _MONTHS.get((m.group("month") or "").lower()) or _MESES.get((m.group("mes") or "").lower())
        day = int(m.group("day") or m.group("day2"))
        found.append(("date", (month, day), m.group(0), "", m.start()))
    return found


_LATER = re.compile(r"\b(later|last|latest|despues|ultimo|ultima|mas tarde)\b")
TOTAL = re.compile(r"\b(total|altogether|in all|sum|together|combined|add up|adds up|plus|en total|suma|suman|"
                    r"sumar|juntos)\b|\+")


_SHOWN = {"noneu": "non-EU"}  # folded tokens that read badly in a reply


def summarise(question, labels, found, lang):
    """The computed line: a difference or total of amounts, or which date comes first."""
    folded = fold(question)
    labels = [" ".join(_SHOWN.get(w, w) for w in label.split()) for label in labels]
    if len(found) != 2 or found[0][0] != found[1][0]:
        return ""
    (kind, a, cur_a, unit_a, _), (_, b, cur_b, unit_b, _) = found
    if kind == "money" and cur_a.lower() == cur_b.lower():
        unit = f" {unit_a}" if unit_a and unit_a == unit_b else ""
        if TOTAL.search(folded):
            amount = _format_money(a + b, cur_a)
            return f"En total: {amount}{unit}." if lang == "es" else f"In total: {amount}{unit}."
        if a == b:
            return None
        high, low = (0, 1) if a > b else (1, 0)
        amount = _format_money(abs(a - b), cur_a)
        if lang == "es":
            return f"Diferencia: {amount}{unit} más para {labels[high]} que para {labels[low]}."
        return f"Difference: {amount} more{unit} for {labels[high]} than for {labels[low]}."
    if kind == "date" and a != b:
        later = _LATER.search(folded)
        pick = (0 if a > b else 1) if later else (0 if a < b else 1)
        date_text = found[pick][2]
        if lang == "es":
            return f"{labels[pick].capitalize()} es {'después' if later else 'antes'} ({date_text})."
        return f"{labels[pick].capitalize()} comes {'later' if later else 'first'} ({date_text})."
    return ""


def with_total(text, lang):
    """A total of the amounts of one sentence that share currency and unit ("the fees add up to")."""
    for sentence in sentences(text):
        money = [v for v in figures(sentence) if v[0] == "money"]
        if len(money) >= 2 and len({(v[2].lower(), v[3]) for v in money}) == 1:
            amount = _format_money(sum(v[1] for v in money), money[0][2])
            unit = f" {money[0][3]}" if money[0][3] else ""
            total = f"En total: {amount}{unit}." if lang == "es" else f"In total: {amount}{unit}."
            return f"{text} {total}"
    return text


def _format_money(amount, currency):
    number = f"{amount:,.2f}".rstrip("0").rstrip(".")
    if currency in ("$", "€", "£"):
        return f"{currency}{number}"
    return f"{currency} {number}" if currency.isupper() else f"{number} {currency}"


_VS = re.compile(r"\s(?:vs\.?|versus|compared (?:to|with)|or|o|frente a|comparad[oa] con)\s")
# "more ... than B", "más ... que B"; "A plus B" for totals.
_THAN = re.compile(r"\b(?:more|less|cheaper|pricier|bigger|higher|lower|later|earlier)\b.*?\s(than)\s|"
                   r"\b(?:mas|menos)\b.*?\s(que)\s")
_PLUS = re.compile(r"\s(?:plus|\+|mas|and|y)\s")
_BETWEEN = re.compile(r"\b(?:between|entre)\s+(.+?)\s+(?:and|y)\s+(.+?)(?:[?.!]|$)")
_COMPARE = re.compile(r"\b(vs|versus|compare|compared|comparison|difference|differ|cheaper|more expensive|"
                      r"costlier|earlier|later|sooner|first|more|less|than|total|altogether|plus|add up|suman|mas|"
                      r"diferencia|"
                      r"comparad[oa]|frente|mas caro|mas barato|antes|despues|primero|menos|en total)\b")
_COMPARE_WORDS = set("""vs versus compare compared comparison difference differ cheaper expensive costlier earlier
later sooner first more less than which one total altogether diferencia comparado comparada frente caro barato
antes despues primero menos cual ones""".split())


def comparison_parts(question, lang):
    """[(part question, label), ...] for "A vs B", "between A and B", "which is earlier, A or B",
    or an implicit contrast ("how much more do international students pay?")."""
    folded = fold(lexicon.expand_abbreviations(question)).strip()
    if not _COMPARE.search(folded):
        return None
    between = _BETWEEN.search(folded)
    if between:
        rest = folded[:between.start()] + " " + folded[between.end():]
        sides = [between.group(1), between.group(2)]
    else:
        than = _THAN.search(folded)
        pieces = _VS.split(folded, maxsplit=1)
        if than:
            cut = than.start(1) if than.group(1) else than.start(2)
            rest, sides = "", [folded[:cut], folded[cut:].split(" ", 1)[-1]]
        elif len(pieces) == 2:
            rest, sides = "", pieces
            # "diploma vs bachelor's: what does a year cost?": what follows the pair is about both.
            tail = re.split(r"\s*[:;?]\s+|\s+[-–—]\s+", sides[1], maxsplit=1)
            if len(tail) == 2 and tail[1].strip():
                sides, rest = [sides[0], tail[0]], tail[1]
        elif TOTAL.search(folded) and len(_PLUS.split(folded, maxsplit=1)) == 2 and not between:
            rest, sides = "", _PLUS.split(folded, maxsplit=1)
        else:
            return _contrast_parts(folded, lang)
    stop = STOP["en"] | STOP["es"]
    left, right = ([w for w in words(side) if w not in stop and w not in _COMPARE_WORDS] for side in sides)
    rest_words = [w for w in words(rest) if w not in stop and w not in _COMPARE_WORDS]
    if not left or not right:
        return None
    phrases = [folded[a:b] for _name, (a, b) in lexicon.phrase_spans(folded)]
    first, second, context = _swap(left, right)
    if (not second or first == second) and not set(left) & set(right):
        # Two names the lexicon does not relate ("the MDS and the MEng"): each side as written.
        first, second, context = left, right, []
    if not second or first == second:
        return None
    base = phrases + rest_words + context
    return [(" ".join(base + first), " ".join(w for w in first if w not in second) or " ".join(first)),
            (" ".join(base + second), " ".join(w for w in second if w not in first) or " ".join(second))]


_CONTRASTED = {"audience", "level", "intake", "round", "room", "subject"}


def _swap(left, right):
    """The two sides of a comparison as full word lists, and the context they share: each word
    the right side names replaces the left word it stands for ("international ... than cubans":
    cubans replaces international), and what replaces nothing is context for both."""
    first, second, context = list(left), list(left), []
    def slot(word):
        return lexicon.slot_of(word) if lexicon.concepts_of(word) else "name"

    replaced, last, pending = set(), None, []
    for word in right:
        if word in left:
            last = None
            continue
        kind = slot(word)
        if kind == "name" and last is not None:
            # Names after the first ("applied computing") join it where it went.
            last += 1
            second.insert(last, word)
            continue
        last = None
        if kind == "attr":
            context.append(word)
            continue
        # A name stands for another name or for an audience ("... than cubans"): the one
        # nearest the split, as "A vs B" puts A just before it.
        wanted = {kind} if kind != "name" else {"audience", "name"}
        targets = [w for w in left if slot(w) in wanted and w not in replaced]
        if targets:
            target = targets[-1]
            replaced.add(target)
            last = second.index(target)
            second[last] = word
            # The whole compound goes ("graduate certificate or a diploma" -> diploma).
            while kind == "name" and slot(target) == "name" and last > 0 \
                    and slot(second[last - 1]) in ("level", "name") \
                    and second[last - 1] not in right:
                del second[last - 1]
                last -= 1
        elif kind in _CONTRASTED and any(slot(w) == kind for w in second):
            second.append(word)
        elif not replaced:
            pending.append(word)  # "the regular application deadline": regular is the right side's
        else:
            context.append(word)  # "... than cubans for undergraduate tuition": shared
    if replaced:
        second += pending
    else:
        context += pending
    return first, second, context


# A comparison frame: "how much more", "pay less", "more expensive", "cheaper", "difference";
# a bare "more" ("tell me more about ...", "one more question") compares nothing.
_CONTRAST_FRAME = re.compile(
    r"\bhow (much|many) (more|less|extra)\b|\b(pay|pays|paying|paid|cost|costs|charge|charges|charged|spend) "
    r"(\w+ )?(more|less|extra)\b|\b(more|less) (expensive|costly|pricey|money)\b|\b(cheaper|pricier|costlier)\b|"
    r"\bdifference\b|\bthan\b|\bcuanto (mas|menos)\b|\b(paga|pagan|pago|pagar|cuesta|cuestan|cobran|gasta|gastan) "
    r"(\w+ )?(mas|menos)\b|\b(mas|menos) (caro|cara|caros|caras|barato|barata|baratos|baratas|dinero)\b|"
    r"\bdiferencia\b")


def _contrast_parts(folded, lang):
    if not _CONTRAST_FRAME.search(folded):
        return None
    stop = STOP["en"] | STOP["es"]
    base = [w for w in words(folded) if w not in stop and w not in _COMPARE_WORDS]
    for a, b in lexicon.CONTRASTS:
        for first, second in ((a, b), (b, a)):
            hits = [w for w in base if first in lexicon.concepts_of(w)]
            if hits and not any(second in lexicon.concepts_of(w) for w in base):
                other = re.sub(rf"\b{re.escape(hits[0])}\b", second, folded)
                return [(folded, hits[0]), (other, second)]
    return None
