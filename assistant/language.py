"""The student's language, per message: py3langid (its model ships in the wheel) restricted to the
languages we answer in, with the chat so far settling messages too short to judge."""
import re
from functools import lru_cache

LANGUAGES = ("en", "es")
NAMES = {"en": "English", "es": "Spanish"}
_WORD = re.compile(r"[^\W\d_]+")
# Words that settle a message of a few words on its own: the detector guesses at that length
# ("hola" scores English). Only words that are not also common in the other language.
_CUES = {
    "es": {"hola", "buenas", "buenos", "gracias", "sí", "vale", "adiós", "adios", "chao", "chau", "claro",
           "perfecto", "genial", "listo", "entendido", "acuerdo", "por", "favor", "qué", "cómo", "cuándo",
           "dónde", "cuánto", "cuánta", "cuál", "quién", "el", "la", "los", "las", "del", "mi", "mis", "es",
           "y", "con", "para", "primera", "primero", "segunda", "segundo", "tercera", "tercero", "última",
           "último", "mañana", "tarde", "noche", "hoy", "lunes", "martes", "miércoles", "miercoles", "jueves",
           "viernes", "sábado", "domingo", "nada", "más", "también", "ninguna", "ninguno", "otra", "otro",
           "quiero", "necesito", "puedo", "ayuda", "llamada", "cita", "pues", "bueno", "okey", "dale", "un", "una",
           "que", "de", "en", "tengo", "tiene", "hay", "cuanto", "cuanta", "como", "donde", "cuando", "cual",
           "beca", "becas", "precio", "costo", "costos", "estudiar", "pregunta", "información", "informacion"},
    "en": {"hi", "hello", "hey", "thanks", "thank", "yes", "yeah", "yep", "bye", "goodbye", "the", "and",
           "what", "when", "how", "who", "which", "where", "first", "second", "third", "last", "morning",
           "afternoon", "evening", "tomorrow", "today", "please", "cool", "great", "perfect", "awesome",
           "nope", "sure", "of", "is", "it", "my", "one", "for", "to", "with", "anything", "nothing", "else",
           "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "call", "got", "i",
           "want", "need", "have", "do", "does", "can", "are", "you", "price", "fees", "help", "question"},
}
_MARKS = re.compile(r"[¿¡ñ]|[a-z][áéíóú]|[áéíóú][a-z]", re.I)
SHORT = 3  # words; at or under this the detector alone is not trusted
CONFIDENT = 0.9


def load():
    """Load the language model now (about a second of CPU) rather than in the first student's reply."""
    _identifier()


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[.!?¿¡]")
_JOINERS = {"de", "del", "la", "las", "los", "y", "of", "the", "and", "for"}


def without_names(text):
    """The message without the names in it: capitalised words inside a sentence ("When did Universidad
    de Almarena open?") and the small words joining them, so a name does not decide the language."""
    tokens = _TOKEN.findall(text)
    words = [i for i, t in enumerate(tokens) if t[0].isalpha()]
    if sum(tokens[i][0].isupper() for i in words) * 2 > len(words):
        return text  # Title Case Or CAPITALS: capitals say nothing here
    name = {i for i in words if tokens[i][0].isupper() and i > 0 and tokens[i - 1] not in ".!?¿¡"}
    for i in words:  # "San José de las Lajas": joining words between two parts of one name
        j = i
        while j < len(tokens) and tokens[j].lower() in _JOINERS:
            j += 1
        if j > i and i - 1 in name and j in name:
            name.update(range(i, j))
    kept = [tokens[i] for i in words if i not in name]
    return " ".join(kept) if kept else text


# Every reply judges the chat's student messages again, each against the ones before: the same
# (text, previous) pairs, reply after reply. A few thousand short strings.
@lru_cache(maxsize=4096)
def detect(text, previous=None):
    """'en' or 'es' for one student message; `previous` is the chat's language so far, or None."""
    text = without_names(text)
    words = _WORD.findall(text.lower())
    if not words:
        return previous or "en"
    cues = {lang: sum(w in vocabulary for w in words) for lang, vocabulary in _CUES.items()}
    if _MARKS.search(text):
        cues["es"] += 2
    if len(words) <= SHORT:
        if cues["es"] != cues["en"]:
            return max(cues, key=cues.get)
        if previous:
            return previous
    lang, confidence = _identifier().classify(text)
    if confidence < CONFIDENT and previous:
        return previous
    return lang


def conversation_language(texts):
    """The language of the last of the student's messages (oldest first), each judged with the ones before."""
    lang = None
    for text in texts:
        lang = detect(text, lang)
    return lang or "en"
