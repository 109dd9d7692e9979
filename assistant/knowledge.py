"""The knowledge base: passages from a text file, ranked with BM25 (bm25s)."""
import math
import re
from dataclasses import dataclass
from pathlib import Path

import bm25s
import Stemmer

_stemmer = Stemmer.Stemmer("english")
_WORD = re.compile(r"[a-z0-9$€£]+(?:[.,'][a-z0-9]+)*")
_STOP = set(bm25s.stopwords.STOPWORDS_EN) | {
    "what", "whats", "which", "who", "how", "when", "where", "why", "do", "does", "did",
    "can", "could", "would", "should", "i", "me", "my", "you", "your", "we", "our", "us",
    "am", "is", "are", "please", "tell", "know", "want", "like", "need", "about", "get",
    "much", "many", "any", "there", "hi", "hello", "thanks", "thank", "also", "s", "d",
    "university", "school", "college", "institute", "student", "students",
    "question", "questions", "ask", "asking", "one", "more", "another", "quick", "also", "just", "still",
}
# Everyday words students use for the vocabulary admissions texts use. Generic to any
# institution's knowledge base; expands the query only.
_SYNONYMS = {
    "cost": ["tuition", "fee", "price"], "costs": ["tuition", "fee", "price"],
    "price": ["tuition", "fee", "cost"], "pay": ["tuition", "fee"], "expensive": ["tuition", "fee"],
    "masters": ["graduate", "master"], "master": ["graduate"], "phd": ["graduate", "doctoral"],
    "doctorate": ["phd", "doctoral"], "postgraduate": ["graduate"], "grad": ["graduate"],
    "bachelor": ["undergraduate"], "bachelors": ["undergraduate"], "undergrad": ["undergraduate"],
    "dorm": ["housing", "residence"], "dorms": ["housing", "residence"], "accommodation": ["housing", "residence"],
    "live": ["housing", "residence"], "room": ["housing", "residence"],
    "deadline": ["deadline", "date", "apply"], "due": ["deadline"], "apply": ["application", "admission"],
    "requirements": ["requirement", "admission"], "enter": ["admission"], "admitted": ["admission"],
    "scholarship": ["aid", "financial"], "scholarships": ["aid", "financial"], "funding": ["aid", "scholarship"],
    "loan": ["aid", "financial"], "english": ["ielts", "toefl", "language"], "visa": ["international", "visa"],
    "email": ["contact", "email"], "phone": ["contact", "phone"], "reach": ["contact"],
    "courses": ["program"], "majors": ["program"], "degrees": ["program"], "study": ["program"],
    "programme": ["program"], "programmes": ["program"], "programs": ["program"], "offer": ["program"],
    "open": ["hours", "open"], "hours": ["hours", "open"],
    "afford": ["aid", "financial", "need"], "money": ["aid", "financial"], "help": ["support", "aid"],
    "semester": ["intake", "term"], "term": ["intake", "semester"], "intake": ["semester", "term"],
    "close": ["deadline"], "closes": ["deadline"], "last": ["deadline"], "late": ["deadline"],
}


def _question_words(text):
    """Lower-case words without stop words ("how much" also asks about cost)."""
    words = [w.strip(".,'") for w in _WORD.findall(text.lower().replace("’", "'"))]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    words = [w for w in words if w and w not in _STOP]
    if re.search(r"\bhow much\b", text.lower()):
        words.append("cost")
    return words


def tokenize(text):
    """Lower-case word stems without stop words."""
    return _stemmer.stemWords(_question_words(text))


def expand(words):
    """Query words plus their synonyms (stemmed)."""
    extra = [s for w in words for s in _SYNONYMS.get(w, [])]
    return _stemmer.stemWords([w for w in words + extra if w not in _STOP])


@dataclass
class Passage:
    heading: str
    text: str

    @property
    def sentences(self):
        return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])", self.text) if s.strip()]


@dataclass
class Match:
    passage: Passage
    score: float
    coverage: float


class KnowledgeBase:
    """Passages split at headings and blank lines, with a BM25 index over them."""

    def __init__(self, text, name="knowledge base"):
        self.text = text
        self.name = name
        self.passages = _split(text)
        self._tokens = [tokenize(p.heading + " " + p.text) for p in self.passages]
        self._retriever = bm25s.BM25()
        self._retriever.index(self._tokens or [["empty"]], show_progress=False)
        n = len(self._tokens) or 1
        df = {}
        for tokens in self._tokens:
            for t in set(tokens):
                df[t] = df.get(t, 0) + 1
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._unknown_idf = math.log(1 + n)

    @classmethod
    def from_file(cls, path):
        path = Path(path)
        return cls(path.read_text(encoding="utf-8"), name=path.name)

    def search(self, query, k=3):
        """The k best passages for a question, each with its BM25 score and term coverage."""
        words = _question_words(query)
        if not words or not self.passages:
            return []
        # Each question word counts once, met by its stem or a synonym's.
        groups = {}
        for word in words:
            stem = _stemmer.stemWord(word)
            groups.setdefault(stem, {stem}).update(_stemmer.stemWords(_SYNONYMS.get(word, [])))
        scores = self._retriever.get_scores(expand(words))
        best = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        return [Match(self.passages[i], float(scores[i]), self._coverage(groups, i))
                for i in best if scores[i] > 0]

    def _coverage(self, groups, index):
        """IDF-weighted share of the question's words (by stem or synonym) found in the passage."""
        present = set(self._tokens[index])
        total = found = 0.0
        for stem, alternatives in groups.items():
            weight = self._idf.get(stem, self._unknown_idf)
            total += weight
            if alternatives & present:
                found += weight
        return found / total if total else 0.0

    def answer(self, question, min_coverage=0.5):
        """The sentences of the best passage that answer the question, or None if none does."""
        matches = self.search(question)
        if not matches:
            return None
        ranked = sorted(matches[:2], key=lambda m: -m.score * m.coverage)
        best = ranked[0]
        if best.coverage < min_coverage:
            return None
        text = _best_sentences(best.passage, question)
        # A close runner-up from the same section usually carries the rest of the answer.
        if len(ranked) > 1 and ranked[1].passage.heading == best.passage.heading \
                and ranked[1].coverage >= best.coverage and ranked[1].score >= 0.75 * best.score:
            text += "\n\n" + _best_sentences(ranked[1].passage, question, limit=2)
        return best.passage.heading, text


def _best_sentences(passage, question, limit=3):
    sentences = passage.sentences
    if len(sentences) <= limit:
        return " ".join(sentences)
    terms = set(expand(tokenize(question)))
    ranked = sorted(range(len(sentences)),
                    key=lambda i: (-len(terms & set(tokenize(sentences[i]))), i))[:limit]
    return " ".join(sentences[i] for i in sorted(ranked))


def _split(text):
    """Passages: paragraphs, each under its nearest heading (Markdown '#' or a short title line)."""
    passages, heading, lines = [], "", []

    def flush():
        body = " ".join(line.strip() for line in lines).strip()
        if body:
            passages.append(Passage(heading, body))
        lines.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("#") or (_is_title(stripped) and not lines):
            flush()
            heading = stripped.lstrip("#").strip().rstrip(":")
        elif stripped.startswith(("-", "*", "•")):
            # A list item stands alone so a question can match one line of a list.
            flush()
            lines.append(stripped.lstrip("-*• ").strip())
            flush()
        else:
            lines.append(stripped)
    flush()
    return passages


def _is_title(line):
    return len(line) < 60 and not line.endswith((".", "?", "!")) and (line.isupper() or line.endswith(":"))
