"""The knowledge base: passages under Markdown headings, found by BM25 (bm25s) fused with dense
vectors, read through the admissions lexicon, and answered only when every salient word of the
question is covered; otherwise "not offered", one clarifying question, or "unknown".
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from . import dense, lexicon
from .compare import MONEY, TOTAL, comparison_parts, summarise, figures, with_total
from .followup import combine, resolve_followup
from .text import STOP, content_words, fold, passage_stems, sentences as split_sentences, stem, stems, word_spans, words

KINDS = ("answer", "not_offered", "clarify", "unknown")
MAX_QUESTION = 400  # characters of a question read
APPROVED = {"en": "Advisor-approved answers", "es": "Respuestas aprobadas por los asesores"}


@dataclass
class Lookup:
    kind: str  # one of KINDS
    text: str  # quoted knowledge-base sentences, or a not-offered / clarify sentence in the asked language
    sources: list = field(default_factory=list)  # section headings quoted
    source_lang: str = "en"
    topic: str = ""


@dataclass
class Passage:
    heading: str
    sentences: list

    @property
    def text(self):
        return " ".join(self.sentences)


# -- parsing ---------------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")
_FIELD_LINE = re.compile(r"^[^\W\d][\w /&'-]{0,30}:\s*\S")


def split(text):
    """Passages: paragraphs under their Markdown heading. In a file without Markdown headings a
    standalone short line without a full stop is a title, not a passage; in one with them it leads
    into the next paragraph ("Tuition per credit:"). A list item or a "Field: value" line of a
    block is a sentence of its own."""
    passages, heading, block, lead = [], "", [], []
    markdown = any(line.lstrip().startswith("#") for line in text.splitlines())

    def flush():
        sentences = []
        prose = []
        for line in block:
            if _LIST_ITEM.match(line) or (len(block) > 1 and len(line) <= 120 and _FIELD_LINE.match(line)):
                sentences += split_sentences(" ".join(prose))
                prose = []
                sentences.append(_LIST_ITEM.sub("", line).strip())
            else:
                prose.append(line)
        sentences += split_sentences(" ".join(prose))
        if sentences and sentences[-1].endswith(":") and not _LIST_ITEM.match(block[-1]):
            lead[:] = lead + sentences  # "one of the following:" belongs to the list after it
        elif sentences:
            passages.append(Passage(heading, lead + sentences))
            lead.clear()
        block.clear()

    lines = _table_rows([line.strip() for line in text.splitlines()])
    for i, line in enumerate(lines):
        standalone = not block and (i + 1 == len(lines) or not lines[i + 1])
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            lead.clear()
            heading = line.lstrip("#").strip().rstrip(":")
        elif standalone and _is_title(line):
            if markdown:
                lead[:] = [line]
            else:
                heading = line.rstrip(":")
        else:
            block.append(line)
    flush()
    return passages



_TABLE_LINE = re.compile(r"^\|.*\|$")


def _table_rows(lines):
    """A Markdown table as one list item per row, each cell with its column's header
    ("- Grado: EU students €1,350; Non-EU students €4,800"), so a row reads as a sentence."""
    out, header = [], None
    for line in lines:
        if not _TABLE_LINE.match(line):
            out.append(line)
            header = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue  # the |---|---| rule under the header
        if header is None:
            header = cells
            continue
        pairs = [f"{h} {c}".strip() for h, c in zip(header[1:], cells[1:]) if c]
        out.append(f"- {cells[0]}: {'; '.join(pairs)}" if cells[0] else f"- {'; '.join(pairs)}")
    return out


def _is_title(line):
    return len(line) < 80 and not line.endswith((".", "?", "!", ";", ",")) and len(line.split()) <= 10


# -- one language's index ----------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"\+?\d[\d ().-]{6,}\d")
_HEADCOUNT = re.compile(r"\b\d{1,3}(?:[,.]\d{3})+\s+(?:\w+\s+){0,2}(?:students|learners|estudiantes|alumnos)\b",
                        re.I)
_FACT_LABELS = {"location", "address", "phone", "email", "hours", "size", "founded", "contact"}
_MARKS = {"en": ("email", "phone", "cost", "hours"), "es": ("correo", "telefono", "costo", "horario")}
_OPENED = re.compile(r"\b(?:opened|founded|established|created|inaugurated|abri[oó]|fundad[ao]|cread[ao]|"
                     r"inaugurad[ao])\b[^.;]{0,40}\b(?:1[5-9]\d\d|20\d\d)\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)", re.I)


def _field_marks(text, lang):
    """An e-mail address, a phone number or an amount of money counts as the word for it, and so
    does the label of a "Where: Kingston" line, however common its word."""
    email, phone, cost, hours = _MARKS.get(lang, _MARKS["en"])
    marks = [stem(w, lang) for w in words(text.split(":", 1)[0])] if _FIELD_LINE.match(text) else []
    marks += [stem(email, lang)] if _EMAIL.search(text) else []
    marks += [stem(phone, lang)] if _PHONE.search(text) else []
    marks += [stem(hours, lang)] if _CLOCK.search(text) else []  # "09:00 to 17:00" says when it is open
    # "It opened its doors in 1987" says when it was founded ("opened" stems like "open").
    marks += [stem("founded" if lang == "en" else "fundada", lang)] if _OPENED.search(text) else []
    # "about 14,000 students" is how a file states its size, whatever it calls it.
    marks += [stem("size", lang)] * 2 + [stem("enrollment", lang)] if _HEADCOUNT.search(text) else []
    return marks + ([stem(cost, lang)] if MONEY.search(text) else [])


class _Index:
    """The passages of one text in one language, with BM25, stems per sentence and dense vectors."""

    def __init__(self, text, lang, embedder, passages=None):
        self.text, self.lang, self._embedder = text, lang, embedder
        self.passages = split(text) if passages is None else passages
        tokens = [passage_stems(p.heading + " " + p.text, lang)
                  + [mark for sentence in p.sentences for mark in _field_marks(sentence, lang)]
                  for p in self.passages]
        self.stems = [set(t) for t in tokens]
        # Stems written with a capital inside a sentence: names of programmes, places, tests.
        self.names = {stem(fold(w), lang) for w in re.findall(r"(?<=[\w,;:(] )[A-Z][\w'-]+", text)}
        self.bigrams = [set(zip(t, t[1:])) for t in tokens]
        self.sentence_stems = [[set(passage_stems(s, lang) + _field_marks(s, lang)) for s in p.sentences]
                               for p in self.passages]
        self.sentence_tokens = [[passage_stems(s, lang) for s in p.sentences] for p in self.passages]
        # The title's own section (before the first "##") is a preamble, rarely what is asked.
        titles = [p.heading for p in self.passages[:1]] if text.lstrip().startswith("# ") else []
        self.preamble = np.array([1.0 if p.heading in titles and len({q.heading for q in self.passages}) > 1
                                  else 0.0 for p in self.passages])
        # A fact's label ("Where: Kingston", "Phone: ...") names what its passage holds, as a heading
        # does; a category label ("Master's degrees: ...") does not.
        self.heading_stems = [set(passage_stems(p.heading, lang))
                              | {stem(w, lang) for s in p.sentences if _FIELD_LINE.match(s)
                                 for w in words(s.split(":", 1)[0])
                                 if _FACT_LABELS & set(lexicon.concepts_of(fold(w)))}
                              for p in self.passages]
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens if any(tokens) else [["empty"]], show_progress=False)
        self.df = {}
        for t in self.stems:
            for s in t:
                self.df[s] = self.df.get(s, 0) + 1
        n = len(self.passages) or 1
        self.idf = {s: float(np.log(1 + n / c)) for s, c in self.df.items()}
        self.max_idf = float(np.log(1 + n))
        surface = {w for p in self.passages for w in content_words(p.heading + " " + p.text, lang)}
        self.surface = sorted(w for w in surface if len(w) >= 4 and not w[0].isdigit())
        self._candidates = self.surface + _lexicon_words()
        self._nearest = {}
        # "domestic (Cuban) students": the word in brackets is this file's name for the concept.
        self.aliases = {}
        for word, alias in re.findall(r"(\w+) \((\w+)\)", fold(text)):
            if lexicon.concepts_of(word) and not lexicon.concepts_of(alias):
                self.aliases.setdefault(alias, lexicon.concepts_of(word))
        self.vectors = embedder.vectors([p.heading + ". " + p.text for p in self.passages]) \
            if embedder and self.passages else None

    def nearest(self, word):
        """The closest word of this file or the lexicon to a typo, as (word, score, index), or None."""
        if word not in self._nearest:
            if len(self._nearest) > 10_000:
                self._nearest.clear()
            self._nearest[word] = process.extractOne(word, self._candidates, scorer=fuzz.ratio, score_cutoff=80)
        return self._nearest[word]

    def scores(self, stem_):
        return self._bm25.get_scores([stem_]) if stem_ in self.df else None


# -- the question ------------------------------------------------------------------------------

@dataclass
class _Term:
    word: str
    position: int
    slot: str
    alternatives: dict  # stem in the index's language -> weight
    weight: float = 1.0
    known: bool = False
    phrase: bool = False  # asked by a phrase ("how much"), not a word
    common: bool = False  # unknown here but an everyday word, or a word of another language
    span: tuple = (0, 0)  # where the student wrote it, to quote their words back


_OFFER = re.compile(r"\b(do you (have|offer)|is there|are there|can i (study|do|take|major)|offer|"
                    r"ofrecen|ofrece|tienen|tiene|puedo (estudiar|hacer|cursar))\b|^\W*hay\b|"
                    r"\bhay (un|una|algun|alguna|algunos|algunas)\b")
def _quote_words(question, terms):
    """The student's own words from the first term to the last ("Diseño de Moda")."""
    expanded = lexicon.expand_abbreviations(question)
    ordered = sorted(terms, key=lambda t: t.position)
    start, end = ordered[0].span[0], ordered[-1].span[1]
    if len(fold(expanded)) != len(expanded) or end <= start:
        return " ".join(t.word for t in ordered)  # folding moved the offsets: fall back to its words
    return expanded[start:end].lower() if expanded[start:end].isupper() else expanded[start:end]


def _offer_position(question):
    """The index of the first word after the offer frame ("do you have | a PhD ...")."""
    folded = fold(lexicon.expand_abbreviations(question))
    match = _OFFER.search(folded)
    return sum(1 for _w, start in word_spans(folded) if start < match.end()) if match else 0


def _offers(question):
    """True when the question asks whether something is offered ("do you have ...?")."""
    return bool(_OFFER.search(fold(lexicon.expand_abbreviations(question))))


_LIST = re.compile(r"\b(list|all|every|which|what) (the )?(\w+ )?(programs?|programmes?|courses?|degrees?|majors?)\b|"
                   r"\blist\b|\btodos los\b|\bcuales son\b")


def _analyse(question, index, lang, embedder):
    """Salient terms of a question, each with the stems that would cover it in `index`."""
    carried = getattr(question, "carried", frozenset())
    folded = fold(lexicon.expand_abbreviations(question))
    stop = STOP["en"] | STOP["es"] if lang == "es" or index.lang == "es" else STOP["en"]
    phrases = lexicon.phrase_spans(folded)
    terms = []
    spans = word_spans(folded)
    for position, (word, start) in enumerate(spans):
        inside = [name for name, (a, b) in phrases if a <= start < b]
        if inside:
            # The phrase names the concept ("when did it open" asks when it was founded).
            if not any(t.word == inside[0] for t in terms):
                alternatives = dict(_concept_weights(inside[0], index.lang))
                terms.append(_Term(inside[0], position, lexicon.CONCEPTS[inside[0]][0], alternatives, phrase=True))
            continue
        if word in stop or any(t.word == word for t in terms):
            continue
        if set(lexicon.concepts_of(word)) & {name for name, _span in phrases}:
            continue  # "how long does it take": "take" says again what the phrase asked
        terms.append(_term(word, position, index, lang, embedder))
        terms[-1].span = (start, start + len(word))
    for term in terms:
        present = [s for s in term.alternatives if s in index.df]
        scale = 0.7 if term.word in carried else 1.0
        term.known = bool(present)
        if present and term.position >= 0:
            term.weight = max(index.idf[s] for s in present) * scale
        elif term.position >= 0:
            # An unknown everyday word ("job", "back") weighs less than an unknown rare one
            # ("dentistry"); a word of another language the glossary lacks says little.
            # A word of another language counts as everyday unless the lexicon understood it
            # ("estacionamiento" is parking, which this file never mentions).
            understood = lang != index.lang and len(term.alternatives) > 1
            term.common = (lang != index.lang and not understood) \
                or (embedder is not None and embedder.is_common_word(term.word))
            term.weight = index.max_idf * (0.3 if lang != index.lang and not understood
                                           else 0.7 if term.common else 1.0) * scale
    return terms


@lru_cache(maxsize=4096)
def _concept_stems(name, lang):
    return frozenset(lexicon.concept_stems(name, lang))


@lru_cache(maxsize=4096)
def _concept_weights(name, lang):
    return tuple(lexicon.concept_stems(name, lang).items())


def _term(word, position, index, lang, embedder):
    own = stem(word, index.lang)
    alternatives = {own: 1.0}
    if lang != index.lang:
        english = lexicon.translate(word)
        if english:
            alternatives[stem(english, index.lang)] = 1.0
    # Across languages a word with no translation has only its concept to go by.
    untranslated = lang != index.lang and not any(s in index.df for s in alternatives)
    names = lexicon.concepts_of(word) or index.aliases.get(word) or index.aliases.get(word.rstrip("s"), [])
    for name in names:
        for s in _concept_stems(name, index.lang):
            # "apply" and "application" are one word to a student, though stemmed apart.
            variant = len(own) >= 4 and (s.startswith(own) or own.startswith(s)) and len(s) >= 4
            # Across languages the concept is the translation, so its words count nearly in full.
            alternatives.setdefault(s, 0.9 if variant and lang == index.lang else 0.7 if untranslated
                                    else 0.4)
    if own not in index.df and len(own) >= 4 and not own[0].isdigit() and lang == index.lang:
        for s in index.df:
            if s.startswith(own) and len(s) - len(own) <= 3:  # "month" -> "monthli"
                alternatives.setdefault(s, 0.8)
    if not any(s in index.df for s in alternatives) and len(word) >= 4 and not word[0].isdigit() \
            and not (embedder and embedder.is_common_word(word)):
        # A typo ("tuiton", "aplication"): the nearest word of the knowledge base or the lexicon.
        found = index.nearest(word)
        # A typo rarely changes the first letter ("rector" is no "director"), and a short word with a
        # letter more than a known one is more often another word ("halal" is no "hall").
        if found and found[0][0] == word[0] and (len(found[0]) >= len(word) or len(word) > 6):
            fixed = found[0]
            alternatives[stem(fixed, index.lang)] = 0.9
            for name in lexicon.concepts_of(fixed):
                names = names or [name]
                for s in _concept_stems(name, index.lang):
                    alternatives.setdefault(s, 0.4)
    slot = lexicon.CONCEPTS[names[0]][0] if names else "subject"
    return _Term(word, position, slot, alternatives)


@lru_cache(maxsize=1)
def _lexicon_words():
    return sorted({w for w in lexicon._WORD_CONCEPTS if len(w) >= 4})


def _covered(term, stems_):
    return any(s in stems_ for s in term.alternatives)


def _strength(term, stems_):
    """How well a set of stems meets a term: its best alternative's weight, 0 when none."""
    return max((w for s, w in term.alternatives.items() if s in stems_), default=0.0)


def _holds_phrase(tokens, terms):
    """True when the terms appear one after another in the token list ("data science")."""
    for start in range(len(tokens) - len(terms) + 1):
        if all(tokens[start + k] in terms[k].alternatives for k in range(len(terms))):
            return True
    return False


# -- the knowledge ----------------------------------------------------------------------------

class Knowledge:
    """A knowledge base in one or more languages plus advisor-approved answers."""

    def __init__(self, texts, base_lang="en"):
        self._embedder = dense.load()
        self.base_lang = base_lang
        self._indexes = {lang: _Index(text, lang, self._embedder) for lang, text in texts.items() if text.strip()}
        if base_lang not in self._indexes:
            self._indexes[base_lang] = _Index(texts.get(base_lang, ""), base_lang, self._embedder)
        self._approved = None

    @classmethod
    def from_path(cls, path):
        """The file at `path` and its language siblings (school_data.txt, school_data.es.txt)."""
        path = Path(path)
        texts = {"en": path.read_text(encoding="utf-8")}
        for sibling in path.parent.glob(f"{path.stem}.*{path.suffix}"):
            lang = sibling.name[len(path.stem) + 1:-len(path.suffix) or None]
            if re.fullmatch(r"[a-z]{2}", lang):
                texts[lang] = sibling.read_text(encoding="utf-8")
        return cls(texts)

    @property
    def languages(self):
        return set(self._indexes)

    def text_for(self, lang):
        """The knowledge base text in `lang` if present, else the base text."""
        return (self._indexes.get(lang) or self._indexes[self.base_lang]).text

    def set_approved(self, rows):
        """Advisor-approved answers ({"question", "answer"} rows), searched before the knowledge base."""
        rows = [(r["question"], r["answer"]) for r in rows or () if r.get("question") and r.get("answer")]
        # One passage per row: its question is the heading (searched), its answer the text (quoted).
        self._approved = _Index("\n\n".join(f"{q}\n{a}" for q, a in rows), self.base_lang, self._embedder,
                                passages=[Passage(q, [a]) for q, a in rows]) if rows else None

    def _index_for(self, lang):
        return self._indexes.get(lang) or self._indexes[self.base_lang]

    # -- lookup ---------------------------------------------------------------------------

    def lookup(self, question, previous=(), lang="en"):
        """What the knowledge base says to `question`, read with the earlier questions of the chat."""
        # A question is a few dozen words; a pasted page would only cost time.
        question = question[:MAX_QUESTION]
        previous = [p[:MAX_QUESTION] for p in list(previous)[-4:]]
        resolved = resolve_followup(question, previous, lang)
        parts = comparison_parts(resolved, lang)
        if parts:
            found = self._compare(resolved, parts, lang)
            if found:
                return found
        result = self._lookup_one(resolved, lang)
        if result.kind == "answer" and TOTAL.search(fold(resolved)):
            result.text = with_total(result.text, lang)
        if result.kind == "unknown" and previous and resolved == question \
                and 0 < len(content_words(question, lang)) <= 3:
            # A short question that means nothing alone leans on the last one.
            combined = combine(resolve_followup(previous[-1], list(previous[:-1]), lang), question, lang)
            retry = self._lookup_one(combined, lang)
            if retry.kind == "answer":
                return retry
        return result

    def _lookup_one(self, question, lang, limit=None):
        if self._approved:
            found = self._search(self._approved, question, lang)
            if found and found["kind"] == "answer" and found["share"] >= 0.99:
                passage = found["passage"]
                return Lookup("answer", passage.text, [APPROVED.get(lang, APPROVED["en"])], self.base_lang,
                              found["topic"])
        index = self._index_for(lang)
        found = self._search(index, question, lang)
        if found is None:
            return Lookup("unknown", "", [], index.lang, "")
        if found["kind"] == "answer":
            limit = limit or (8 if _LIST.search(fold(question)) else 3)
            text, sources = self._quote(index, found, limit)
            return Lookup("answer", text, sources, index.lang, found["topic"])
        return Lookup(found["kind"], found.get("text", ""), found.get("sources", []), index.lang, found["topic"])

    def _search(self, index, question, lang):
        """Rank passages and apply the guard; a dict describing the outcome, or None."""
        if not index.passages:
            return None
        terms = _analyse(question, index, lang, self._embedder)
        salient = [t for t in terms if t.position >= 0]
        if not salient:
            return None
        topic = " ".join(t.word for t in salient)
        n = len(index.passages)
        bm25 = np.zeros(n, dtype=np.float32)
        for term in terms:
            best = np.zeros(n, dtype=np.float32)
            for s, w in term.alternatives.items():
                scores = index.scores(s)
                if scores is not None:
                    np.maximum(best, w * scores, out=best)
            bm25 += best * (term.weight / max(index.max_idf, 1e-6))
        if not bm25.any():
            return self._no_match(index, salient, question, lang, topic)
        fused = bm25 / bm25.max()
        # A section heading that names what is asked ("Master's degrees") marks the passage about it.
        # For "list all master's programmes" the section is the answer, so its heading counts double.
        heading_weight = 0.6 if _LIST.search(fold(question)) else 0.3
        for i in range(n):
            named = sum(t.weight * _strength(t, index.heading_stems[i]) for t in salient)
            fused[i] += heading_weight * named / sum(t.weight for t in salient)
        # Two question words side by side in the passage ("application fee") say more than apart.
        ordered = sorted(salient, key=lambda t: t.position)
        pairs = [(a, b) for a, b in zip(ordered, ordered[1:]) if b.position - a.position == 1]
        for a, b in pairs:
            wanted = {(x, y): wx * wy for x, wx in a.alternatives.items() for y, wy in b.alternatives.items()}
            for i in range(n):
                hits = [w for pair, w in wanted.items() if pair in index.bigrams[i]]
                if hits:
                    fused[i] += 0.3 * max(hits)
        if index.vectors is not None and lang == index.lang:
            query = self._embedder.vectors([" ".join(t.word for t in salient)])[0]
            fused = fused + 0.6 * np.clip(index.vectors @ query, 0, None)
        total = sum(t.weight for t in salient)
        share = np.array([sum(t.weight for t in salient if _covered(t, index.stems[i])) / total
                          for i in range(n)])
        # Ranking credits a word met by itself more than one met by a looser sibling.
        strength = np.array([sum(t.weight * _strength(t, index.stems[i]) for t in salient) / total
                             for i in range(n)])
        ranking = fused * (0.3 + 0.7 * strength) * (1 - 0.5 * index.preamble)
        order = np.argsort(-ranking)
        best = int(order[0])
        uncovered = [t for t in salient if not _covered(t, index.stems[best])]
        base = {"index": index, "best": best, "passage": index.passages[best], "terms": terms,
                "share": float(share[best]), "topic": topic, "order": order, "ranking": ranking}
        if not any(t.known for t in salient):
            return self._no_match(index, salient, question, lang, topic)
        denied = self._denied(index, base, salient, question, lang)
        if denied:
            return denied
        combination = self._missing_combination(index, base, salient, question, lang)
        if combination:
            return combination
        if not uncovered:
            clarify = self._clarify(index, base, salient, lang)
            return clarify or {**base, "kind": "answer"}
        missing = self._not_offered(index, base, salient, uncovered, question, lang)
        if missing:
            return missing
        # A word the knowledge base uses elsewhere, or a minor unknown one, does not block an
        # answer that covers the rest; an unknown subject ("tax return") does.
        strange = [t for t in uncovered if not t.known]
        rare = [t for t in strange if not t.common]
        if base["share"] >= (0.8 if rare else 0.75 if strange else 0.5):
            return {**base, "kind": "answer"}
        return {**base, "kind": "unknown"}

    def _no_match(self, index, salient, question, lang, topic):
        unknown = [t for t in salient if t.slot == "subject" and not t.known]
        if _offers(question) and _names_programme(unknown or salient, [], salient, True):
            phrase = _quote_words(question, unknown) if unknown else topic
            return {"kind": "not_offered", "text": _not_offered_text(phrase, None, lang), "topic": topic,
                    "sources": [], "share": 0.0}
        return {"kind": "unknown", "topic": topic, "share": 0.0}

    def _not_offered(self, index, base, salient, uncovered, question, lang):
        """A subject the question names with a word the best passage lacks ("sports medicine" when
        only Medicine exists): say it is not listed and name the closest thing that is."""
        generic = {"program", "application"}
        offer = _offers(question)
        asked_from = _offer_position(question) if offer else 0
        for term in uncovered:
            if term.slot != "subject" or generic & set(lexicon.concepts_of(term.word)):
                continue
            # Next to it, or one small word apart ("Diseño de Moda", "Master of Arctic Medicine").
            neighbours = [t for t in salient if 0 < abs(t.position - term.position) <= 2 and t.slot == "subject"
                          and not generic & set(lexicon.concepts_of(t.word))
                          and any(s in index.names for x in (t, term) for s in x.alternatives)]
            if not term.known and term.common and not offer:
                continue  # "main campus": an everyday word the file lacks, not asked as a programme
            if lang != index.lang and not term.known and len(term.alternatives) == 1 and not neighbours:
                continue  # a word of another language the glossary cannot translate says little alone
            if not neighbours and not (offer and not term.known and term.position >= asked_from):
                continue  # "my IELTS is too low, is there another way?": "low" is not what is asked for
            if not _names_programme([term], neighbours, salient, offer):
                continue  # "a part-time job", "clubs": not a programme, so "not offered" would mislead
            phrase = _quote_words(question, [term] + neighbours)
            # The closest thing: the best passage holding the neighbour that names a subject.
            closest, heading = None, None
            anchors = [t for t in [term] + neighbours if t.known]
            for anchor in sorted(anchors, key=lambda t: bool(lexicon.concepts_of(t.word))):
                for i in base["order"]:
                    if _covered(anchor, index.stems[int(i)]):
                        passage = index.passages[int(i)]
                        closest, heading = _name_with(passage, [anchor], index.lang), passage.heading
                        break
                if closest:
                    break
            if closest and not _PROGRAMME_NAME.search(closest):
                closest = None  # "the closest programme we list is Canadian" names no programme
            return {**base, "kind": "not_offered", "text": _not_offered_text(phrase, closest, lang),
                    "sources": [heading] if closest else []}
        return None

    def _denied(self, index, base, salient, question, lang):
        """A file that says what it does not offer ("We do not run degrees in medicine or law"):
        asked whether a field is offered, that sentence answers no."""
        fields = [t for t in salient if _is_field(t) and t.known]
        if not fields or not _offers(question):
            return None
        for i, passage in enumerate(index.passages):
            for sentence in passage.sentences:
                match = _DENIAL.search(sentence)
                named = [t for t in fields if _covered(t, set(passage_stems(sentence[match.end():], index.lang)))] \
                    if match else []
                if named:
                    phrase = _quote_words(question, named)
                    text = f"No ofrecemos {phrase}." if lang == "es" else f"We don't offer {phrase}."
                    # The file's own sentence, when it is in the student's language.
                    text += f" {sentence}" if index.lang == lang else ""
                    return {**base, "kind": "not_offered", "text": text, "sources": [passage.heading]}
        return None

    def _missing_combination(self, index, base, salient, question, lang):
        """A level and a field that exist apart but not together ("a PhD in data science" when
        Data Science is a bachelor's and the PhDs are in other fields): not offered."""
        if not _offers(question):
            return None
        levels = [t for t in salient if t.slot == "level"]
        names = sorted([t for t in salient if t.slot == "subject" and not lexicon.concepts_of(t.word)
                        and (t.known or lang == index.lang)], key=lambda t: t.position)
        # The field is the last run of adjacent names ("... in Computer Engineering").
        field = []
        for term in names:
            field = field + [term] if field and term.position == field[-1].position + 1 else [term]
        if not levels or not field:
            return None
        named = False
        for i, sentences in enumerate(index.sentence_tokens):
            for j, tokens in enumerate(sentences):
                if _holds_phrase(tokens, field):
                    named = True
                    if all(_covered(t, index.sentence_stems[i][j]) for t in levels):
                        return None
        if not named and len(field) < 2:
            return None
        phrase = f"{_quote_words(question, levels)} {'en' if lang == 'es' else 'in'} " \
                 f"{_quote_words(question, field)}"
        # The closest: a passage naming the field, else the best one ("computer engineering" ->
        # the passage listing Computer Science and Civil Engineering).
        known = [t for t in field if t.known]
        passage = next((index.passages[int(i)] for i in base["order"]
                        if any(_holds_phrase(tokens, known) for tokens in index.sentence_tokens[int(i)])),
                       base["passage"])
        closest = _name_with(passage, known, index.lang)
        return {**base, "kind": "not_offered", "text": _not_offered_text(phrase, closest, lang),
                "sources": [passage.heading] if closest else []}

    def _clarify(self, index, base, salient, lang):
        """One bare attribute ("deadline?") that two sections answer equally well: ask which."""
        if len(salient) != 1 or salient[0].slot != "attr" \
                or (salient[0].phrase and salient[0].word not in ("cost", "duration", "deadline")):
            return None  # "where is it?" has one usual answer; "how much?" may have several
        order, ranking = base["order"], base["ranking"]
        first = index.passages[int(order[0])]
        if not salient[0].phrase and _covered(salient[0], index.heading_stems[int(order[0])]):
            return None  # "tuition?" when a section is called Tuition
        close = 0.6 if salient[0].phrase else 0.85
        for other in order[1:8]:
            second = index.passages[int(other)]
            if second.heading != first.heading and ranking[other] >= close * ranking[order[0]]:
                text = (f"¿Te refieres a {first.heading} o a {second.heading}?" if lang == "es"
                        else f"Do you mean {first.heading} or {second.heading}?")
                return {**base, "kind": "clarify", "text": text, "sources": [first.heading, second.heading]}
        return None

    def _quote(self, index, found, limit):
        """The sentences of the best passage (and a close runner-up in its section) that answer."""
        best = found["best"]
        terms = [t for t in found["terms"]]
        text = _best_sentences(index, best, terms, limit)
        sources = [index.passages[best].heading]
        order, ranking = found["order"], found["ranking"]
        if len(order) > 1:
            second = int(order[1])
            if index.passages[second].heading == index.passages[best].heading \
                    and ranking[second] >= 0.85 * ranking[best] \
                    and all(_covered(t, index.stems[second]) for t in terms if t.position >= 0):
                text += " " + _best_sentences(index, second, terms, 2)
        return text, [s for s in sources if s]

    # -- comparisons -------------------------------------------------------------------------

    def _compare(self, question, parts, lang):
        """Each part's best sentence, then the difference, total or order of the numbers found."""
        index = self._index_for(lang)
        picks = []
        for part, label in parts:
            found = self._search(index, part, lang)
            if not found or found["kind"] != "answer":
                return None
            if picks:
                # Both sides from one passage when it holds both ("$18,500 ... international",
                # "$9,000 ... domestic"), so the two figures are about the same thing.
                first, own = picks[0][0]["best"], found["best"]
                if all(_strength(t, index.stems[first]) >= _strength(t, index.stems[own])
                       for t in found["terms"] if t.position >= 0):
                    found = {**found, "best": first}
            picks.append((found, label))
        sentences, values, sources = [], [], []
        for found, label in picks:
            passage_i = found["best"]
            sentence, value = _sentence_with_value(index, passage_i, found["terms"], label, lang)
            if sentence is None:
                return None
            if sentence not in sentences:
                sentences.append(sentence)
            values.append(value)
            heading = index.passages[passage_i].heading
            if heading and heading not in sources:
                sources.append(heading)
        sentence_stems = set(passage_stems(sentences[0], index.lang))
        both_named = all(_covered(t, sentence_stems) for found, label in picks for t in found["terms"]
                         if t.word in label.split())
        if len(values) == 2 and values[0] == values[1] and len(sentences) == 1 and both_named:
            # One sentence holds both sides ("$15,000 ... international and $8,000 ... domestic").
            others = [v for v in figures(sentences[0]) if v[0] == values[0][0] and v[1] != values[0][1]]
            if others:
                values[1] = others[0]
        text = " ".join(sentences)
        summary = summarise(question, [label for _, label in picks], values, lang)
        if summary is None:
            return None  # both sides found the same figure: not a comparison after all
        if summary:
            text += " " + summary
        topic = " vs ".join(label for _, label in picks)
        return Lookup("answer", text, sources, index.lang, topic)

    # -- prompts for real models ---------------------------------------------------------------

    def prompt_context(self, question, lang="en", max_bytes=48_000):
        """The knowledge base in `lang`, or when larger than max_bytes its best passages under
        their section headings."""
        index = self._index_for(lang)
        if len(index.text.encode()) <= max_bytes:
            return index.text
        terms = _analyse(question, index, lang, self._embedder)
        n = len(index.passages)
        scores = np.zeros(n, dtype=np.float32)
        for term in terms:
            for s, w in term.alternatives.items():
                found = index.scores(s)
                if found is not None:
                    scores += w * found
        if index.vectors is not None and terms:
            scores = scores / (scores.max() or 1) + 0.3 * (index.vectors @ self._embedder.vectors(
                [" ".join(t.word for t in terms)])[0])
        chosen, size = [], 0
        for i in np.argsort(-scores):
            block = f"## {index.passages[i].heading}\n{index.passages[i].text}\n\n"
            if size + len(block.encode()) > max_bytes:
                break
            chosen.append(int(i))
            size += len(block.encode())
        out, heading = [], None
        for i in sorted(chosen):  # document order keeps each section's passages together
            passage = index.passages[i]
            if passage.heading != heading:
                out.append(f"## {passage.heading}")
                heading = passage.heading
            out.append(passage.text + "\n")
        return "\n".join(out).strip()


# -- sentences ---------------------------------------------------------------------------------

def _sentence_scores(index, passage_i, terms):
    sentence_stems = index.sentence_stems[passage_i]
    return [sum(t.weight * max((w for s, w in t.alternatives.items() if s in ss), default=0) for t in terms)
            for ss in sentence_stems]


def _best_sentences(index, passage_i, terms, limit):
    """The sentences that carry the question's words: a contact block answers field by field."""
    sentences = index.passages[passage_i].sentences
    if len(sentences) <= 1:
        return " ".join(sentences)
    scores = _sentence_scores(index, passage_i, terms)
    fields = [t for t in terms if {"phone", "email", "address", "hours"} & set(lexicon.concepts_of(t.word))]
    with_field = [i for i, ss in enumerate(index.sentence_stems[passage_i]) if any(_covered(t, ss) for t in fields)]
    if with_field:  # "phone number?" gets the phone line, not the whole contact block
        scores = [score if i in with_field else 0 for i, score in enumerate(scores)]
    top = max(scores)
    if top <= 0:
        return " ".join(sentences[:limit])
    keep = sorted(sorted(range(len(sentences)), key=lambda i: -scores[i])[:limit])
    floor = 0 if len(sentences) <= 2 else 0.5 * top
    return " ".join(sentences[i] for i in keep if scores[i] > floor)


def _sentence_with_value(index, passage_i, terms, label, lang):
    """The passage sentence that best answers the part and carries a number, and the number
    whose clause holds most of the part's words (one sentence may hold both sides:
    "$15,000 per year for international students and $8,000 per year for domestic students")."""
    passage = index.passages[passage_i]
    scores = _sentence_scores(index, passage_i, terms)
    ranked = sorted(range(len(passage.sentences)), key=lambda i: -scores[i])
    salient = [t for t in terms if t.position >= 0]
    for i in ranked:
        sentence = passage.sentences[i]
        values = figures(sentence)
        if not values:
            continue
        cuts = [0] + [m.end() for m in re.finditer(r",\s|;\s|\s(?:and|or|y|o|while|whereas|mientras)\s", sentence)] \
            + [len(sentence) + 1]

        # A sentence listing several figures lists them along one dimension: who pays, which
        # round, which room; those words pick the figure, other words only find the sentence.
        dimension = [t for t in salient if t.slot in ("audience", "round", "room", "intake")
                     and _covered(t, set(passage_stems(sentence, index.lang)))] or salient

        def clause_score(value):
            start = max(c for c in cuts if c <= value[4])
            end = min(c for c in cuts if c > value[4])
            clause = set(passage_stems(sentence[start:end], index.lang))
            return sum(t.weight for t in dimension if _covered(t, clause))

        return sentence, max(values, key=lambda v: (clause_score(v), -v[4]))
    return None, None


def _name_with(passage, neighbours, lang):
    """The capitalised name in the passage that holds the covered word ("Doctor of Medicine (MD)")."""
    wanted = {stem(t.word, lang) for t in neighbours}
    names = re.findall(r"[A-Z][\w'-]*(?:\s+(?:of|in|de|en|del|la)?\s*[A-Z][\w'-]*)*(?:\s+\([A-Z]+\))?",
                       passage.text)
    def held(name):
        return len(wanted & {stem(fold(w), lang) for w in re.findall(r"\w+", name)})

    best = max(names, key=lambda name: (held(name), "(" in name, -len(name)), default=None)
    return best.strip() if best and held(best) else None


# "We do not offer / run / teach ...", "No ofrecemos ...": the file's own word that something is not offered.
_DENIAL = re.compile(r"\b(?:do|does|did) not (?:offer|run|have|provide|teach)\b|\bdon'?t (?:offer|run|have|teach)\b|"
                     r"\b(?:is|are) not (?:offered|taught|available)\b|\bno (?:ofrecemos|tenemos|impartimos|ofrece|"
                     r"imparte)\b|\bno se (?:ofrece|ofrecen|imparte|imparten)\b", re.I)
_PROGRAMME_NAME = re.compile(r"\b(bachelor|master|doctor|doctorate|phd|diploma|certificate|degree|programme|program|"
                             r"major|minor|bsc|msc|ba|ma|mba|meng|beng|llb|md|bscn|grado|licenciatura|maestria|"
                             r"doctorado|school|faculty|department|associate|mster)\b", re.I)
_PROGRAMME_WORDS = set("""program programs programme programmes degree degrees course courses major majors minor
career carrera carreras programa programas titulo titulos titulacion especialidad curso cursos""".split())


def _is_field(term):
    return term.word in lexicon.FIELDS or lexicon.translate(term.word) in lexicon.FIELDS


def _names_programme(terms, neighbours, salient, offer):
    """True when the missing words name a programme: a field of study the file lacks ("law"), a word
    right beside one ("sports medicine", "medicina deportiva"; not "rate for nursing"), or an
    offer question about a level or a programme ("is there a master's in ...?")."""
    if any(_is_field(t) and not t.known for t in terms):
        return True
    if any((_is_field(n) or n.slot == "level" or _is_field(t)) and abs(n.position - t.position) == 1
           for t in terms for n in neighbours):
        return True
    # "Diseño de Moda", "Master of Arctic ...": two field names, or a level and a name, one word apart.
    if any(abs(n.position - t.position) == 2 and (_is_field(n) and _is_field(t) or "level" in (n.slot, t.slot))
           for t in terms for n in neighbours):
        return True
    return offer and any(t.slot == "level" or t.word in _PROGRAMME_WORDS for t in salient)


def _not_offered_text(phrase, closest, lang):
    if lang == "es":
        if closest:
            return f"No tenemos {phrase} en nuestra información; lo más parecido que ofrecemos es {closest}."
        return f"No tenemos {phrase} en nuestra información de admisiones."
    if closest:
        return f"We don't list {phrase}; the closest programme we list is {closest}."
    return f"We don't list {phrase} in our admissions information."


# -- the interface the offline assistant uses today ------------------------------------------------

def tokenize(text, lang="en"):
    """Lower-case word stems without stop words (knowledge-gap grouping uses them too)."""
    return stems(text, lang)


class KnowledgeBase:
    """One text (the knowledge base, or approved answers) answered through Knowledge.lookup."""

    def __init__(self, text, name="knowledge base"):
        self.text = text
        self.name = name
        self.knowledge = Knowledge({"en": text})
        self.passages = self.knowledge._indexes["en"].passages

    @classmethod
    def from_file(cls, path):
        path = Path(path)
        return cls(path.read_text(encoding="utf-8"), name=path.name)

    def answer(self, question, min_coverage=None):
        """(heading, quoted sentences) when the knowledge base answers the question, else None."""
        found = self.knowledge.lookup(question)
        if found.kind != "answer":
            return None
        return (found.sources[0] if found.sources else ""), found.text
