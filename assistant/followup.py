"""Follow-ups: an elliptical question ("and for the PhD?", "is it taught in English too?",
"¿y para el doctorado?") made whole with the topic of the student's last question."""
import re

from . import lexicon
from .text import STOP, content_words, fold, word_spans

_FOLLOW_CUE = re.compile(r"^\W*(and|what about|how about|what of|same for|also|then|ok and|okay and|"
                         r"y|e|que tal|y si|y que hay de|tambien)\b")
# "is food included?": included in what was just asked about.
_REFERS = re.compile(r"\b(that|it|this|those|these|them|there|one|ones|too|as well|eso|esto|ello|ese|esa|alli|ahi|"
                     r"tambien|lo mismo|included|include|includes|extra|incluido|incluida|incluye|incluyen|aparte)\b")


_INCLUDED = re.compile(r"\b(included|include|includes|extra|incluido|incluida|incluye|incluyen|aparte)\b")


def _is_elliptical(question, lang):
    folded = fold(lexicon.expand_abbreviations(question))
    if _FOLLOW_CUE.search(folded):
        return True
    asked = content_words(folded, lang) + lexicon.phrase_concepts(folded)
    if asked and len(asked) <= 3 and all(lexicon.slot_of(w) == "attr" for w in asked):
        return True  # only what is asked, not about what: "how much?", "what's the deadline?"
    return bool(_REFERS.search(folded)) and len(content_words(question, lang)) <= 4


def resolve_followup(question, previous, lang="en", depth=0):
    """The question made whole with the last question's topic when it leans on it
    ("and for the PhD?" after "tuition for the master's?" -> "tuition PhD")."""
    # The last earlier message that named something ("thanks!" or "hi" in between name nothing).
    while previous and not _concept_words(previous[-1]):
        previous = previous[:-1]
    if not previous or depth > 3 or not _is_elliptical(question, lang):
        return question
    before = resolve_followup(previous[-1], previous[:-1], lang, depth + 1)
    return combine(before, question, lang)


class _Combined(str):
    """A follow-up made whole; `carried` are the words taken from the earlier question."""
    carried = frozenset()


def _concept_words(text):
    """(word or phrase, slot) for what a question names; a phrase ("in English", "how much") is
    kept whole so it is read again as its concept."""
    stop = STOP["en"] | STOP["es"]
    folded = fold(lexicon.expand_abbreviations(text))
    spans = lexicon.phrase_spans(folded)
    phrases = [(folded[a:b], lexicon.CONCEPTS[name][0]) for name, (a, b) in spans]
    return phrases + [
        (w, lexicon.slot_of(w)) for w, start in word_spans(folded)
        if w not in stop and not _REFERS.fullmatch(w) and not _FOLLOW_CUE.fullmatch(w)
        and not any(a <= start < b for _name, (a, b) in spans)]


def combine(before, question, lang):
    """Keep the earlier question's words except those whose slot the new question fills."""
    new, old = _concept_words(question), _concept_words(before)
    new_slots = {slot for _w, slot in new}
    # "is food included?" asks about what was named before ("Westwind Hall"), not about its kind
    # ("a single room"): names are kept whatever their slot.
    adds = _INCLUDED.search(fold(question))
    named = [w for w, slot in old if not any(lexicon.concepts_of(x) for x in w.split())]
    kept = [w for w, slot in old if w in named or slot == "attr"] if adds \
        else [w for w, slot in old if slot not in new_slots]
    asked = [w for w, _slot in new]
    combined = _Combined(" ".join(kept + asked) if new else " ".join(w for w, _slot in old))
    # What the student asks now weighs more than what is carried over from before.
    combined.carried = frozenset(w for phrase in kept for w in phrase.split()) - set(asked) if new \
        else frozenset()
    return combined
