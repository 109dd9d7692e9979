"""Words of questions and passages per language: accent-folded, stop words out, stemmed."""
import re
import unicodedata
from functools import lru_cache

import bm25s
import Stemmer

_WORD = re.compile(r"[\w$€£]+(?:[.,'][\w]+)*")
_STEMMERS = {"en": Stemmer.Stemmer("english"), "es": Stemmer.Stemmer("spanish")}


def fold(text):
    """Lower case without accents ("Matrícula" -> "matricula"): students often leave accents out."""
    text = unicodedata.normalize("NFD", text.lower().replace("’", "'"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


# Words that frame a question rather than say what it is about.
_QUESTION_EN = """what whats which who whom whose how when where why do does did can could would should i me my mine
you your yours we our us am is are was were be been please tell know want like need about get much
many any there hi hello hey thanks thank also s d t m ll re ve university school college institute
uni student students question questions ask asking one more another quick just still info
information let find out ok okay so yes no some thing things give say said wondering wonder curious
hear heard mean go going look looking kind sort really actually maybe else all every other way come
comes coming happen happens list name names show see check help helps each per till until offer
offers offered provide provides available than plus vs versus whole total sum combined together
altogether add adds compare difference have has had having im ive id from up too guys exactly
anything got gets getting can't cant don't dont won't isn't aren't doesn't didn't i'm i'd i'll i've
it's that's there's etc after through thru anyway basically stuff wats main""".split()
_QUESTION_ES = """que cual cuales quien quienes como cuando donde por porque cuanto cuanta cuantos cuantas puedo puede
pueden podria quiero quisiera necesito saber decir dime digame hola gracias favor universidad uni
estudiante estudiantes pregunta suman suma total diferencia piden pide ofrecen ofrece ofrecer todas
toda todo mandar enviar entrar hacer tener poder ir venir llegar querer dar ver pasar salir
preguntas informacion usted ustedes hay tambien es son ser esta estan algo alguna alguno mas otra
otro sobre bueno vale si ok eso esto ese esa ahi alli alla aqui aca""".split()
STOP = {
    "en": {fold(w) for w in bm25s.stopwords.STOPWORDS_EN} | set(_QUESTION_EN),
    "es": {fold(w) for w in bm25s.stopwords.STOPWORDS_SPANISH} | set(_QUESTION_ES),
}


def words(text):
    """Folded words in order ("master's" -> "master"), stop words kept."""
    return [word for word, _start in word_spans(fold(text))]


# "off campus" is a different place from the campus: one token, in both languages.
_OFF_CAMPUS = re.compile(r"\boff[- ]campus\b|\bfuera del campus\b")
_WIFI = re.compile(r"\bwi[- ]fi\b")
# European fee groups: "non-EU" students pay what elsewhere is the international rate.
_NON_EU = re.compile(r"\bnon[- ]?(?:eu|eea|european union|european)\b|\bextra-?comunitari[oa]s?\b|"
                     r"\bno comunitari[oa]s?\b|\bfuera de la (?:ue|union europea)\b")


# Spanish object pronouns fixed to an infinitive ("pagarlo" -> "pagar").
_CLITIC = re.compile(r"^(\w{3,}(?:ar|er|ir))(?:selo|sela|melo|mela|lo|la|los|las|le|les|se|me|te|nos)$")


def word_spans(folded):
    """(word, start offset) for each word of already folded text."""
    folded = _OFF_CAMPUS.sub(lambda m: "offcampus".ljust(len(m.group(0))), folded)
    folded = _NON_EU.sub(lambda m: "noneu".ljust(len(m.group(0))), folded)
    folded = _WIFI.sub(lambda m: "wifi".ljust(len(m.group(0))), folded)
    out = []
    for match in _WORD.finditer(folded):
        word = match.group(0).strip(".,'")
        if word.endswith("'s"):
            word = word[:-2]
        word = _CLITIC.sub(r"\1", word)
        if word:
            out.append((word, match.start()))
    return out


def content_words(text, lang="en"):
    """Folded words without stop words."""
    stop = STOP.get(lang, STOP["en"])
    return [w for w in words(text) if w not in stop]


@lru_cache(maxsize=65536)
def stem(word, lang="en"):
    """The stem of a folded word in that language (folding first makes "maestria" meet "maestría")."""
    return _STEMMERS.get(lang, _STEMMERS["en"]).stemWord(word)


# Passages keep the words a question never searches by ("students", "university") so a phrase
# concept ("how many students" asks for the size) can still find them.
INDEX_STOP = {
    "en": {fold(w) for w in bm25s.stopwords.STOPWORDS_EN},
    "es": {fold(w) for w in bm25s.stopwords.STOPWORDS_SPANISH},
}


def stems(text, lang="en"):
    """Stems of the content words of a question, in order."""
    return [stem(w, lang) for w in content_words(text, lang)]


def passage_stems(text, lang="en"):
    """Stems of a passage's words, only the language's stop words left out."""
    stop = INDEX_STOP.get(lang, INDEX_STOP["en"])
    return [stem(w, lang) for w in words(text) if w not in stop]


_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bNo\.)(?<!\bNr\.)(?<!\bSt\.)(?<!\bDr\.)(?<!\bMt\.)(?<!\bAve\.)"
                           r"\s+(?=[A-Z0-9\"(¿¡ÁÉÍÓÚÑ])")


def sentences(prose):
    """The sentences of a paragraph ("Calle 23 No. 1000" does not end one)."""
    return [s.strip() for s in _SENTENCE_END.split(prose) if s.strip()]
