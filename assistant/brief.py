"""The advisor's hand-off brief: what the student wants, what they told us, and how they feel.

With a real model the active provider writes it; the offline assistant builds it with rules.
"""
import json
import re

from langchain_core.messages import HumanMessage, SystemMessage

from .language import NAMES, conversation_language
from .offline import answers_nothing

FIELDS = ("wants", "facts", "answered", "reason", "mood", "language")
_INTAKE = re.compile(r"\b(fall|autumn|spring|winter|summer|september|january|february)\b(\s+(intake|semester|term))?"
                     r"(\s+(of\s+)?20\d\d)?|\b20\d\d\s+(intake|entry)\b", re.I)
_PROGRAM = re.compile(r"\b(master'?s?|mba|phd|doctorate|bachelor'?s?|undergraduate|graduate|md|msc|ma|ba|bsc)"
                      r"(\s+(degree|program(me)?|course))?(\s+(in|of)\s+([a-z][a-z ]{2,40}?))?(?=[.,;!?]|$|\s+(and|for|at|in|starting|next))",
                      re.I)
_FROM = re.compile(r"\b(?i:i'?m|i am|we are|we're|living|based|coming)\s+(?i:from|in)\s+([A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)?)")
_DEADLINE = re.compile(r"\b(by|before|until|deadline( is)?|due)\s+(the\s+)?(\d{1,2}(st|nd|rd|th)?(\s+of)?\s+[A-Za-z]+|"
                       r"[A-Za-z]+\s+\d{1,2}(st|nd|rd|th)?|\d{4}-\d{2}-\d{2}|tomorrow|next week|friday|monday)", re.I)
_UPSET = re.compile(r"\b(angry|annoyed|frustrat\w*|upset|ridiculous|terrible|useless|worried|stress\w*|"
                    r"anxious|confus\w*|urgent|asap|immediately|help!|!!)", re.I)
_HAPPY = re.compile(r"\b(thanks|thank you|great|awesome|perfect|excited|happy|love)\b", re.I)

BRIEF_PROMPT = """You write a hand-off brief for a university admissions advisor who is about to join a chat.
Return only a JSON object with these keys:
"wants": what the student wants, one sentence;
"facts": an object with any of "program", "intake", "country", "deadline" the student mentioned (omit unknown);
"answered": what the assistant already answered, one or two short sentences;
"reason": why the chat was escalated;
"mood": one or two words (e.g. "calm", "anxious", "frustrated")."""


def rule_brief(history, reason):
    """A brief from the conversation with rules (no model needed)."""
    student = [row["message"] for row in history if row["role"] == "human"]
    assistant = [row["message"] for row in history if row["role"] == "ai"]
    text = " ".join(student)
    facts = {}
    for name, pattern, group in (("program", _PROGRAM, 0), ("intake", _INTAKE, 0), ("country", _FROM, 1),
                                 ("deadline", _DEADLINE, 0)):
        found = pattern.search(text)
        if found:
            facts[name] = found.group(group).strip().rstrip(".,")
    upset, happy = len(_UPSET.findall(text)), len(_HAPPY.findall(text))
    mood = "frustrated or anxious" if upset > happy else ("positive" if happy else "neutral")
    wants = _wants(student, reason)
    answers = [a for a in assistant if not answers_nothing(a)]
    answered = " / ".join(_first_sentence(a) for a in answers[-2:]) or "Nothing yet."
    return {"wants": wants, "facts": facts, "answered": answered, "reason": reason, "mood": mood,
            "language": student_language(history)}


def student_language(history):
    """The student's language by name ("Spanish"), so the advisor knows how to greet them."""
    return NAMES[conversation_language([row["message"] for row in history if row["role"] == "human"])]


def _wants(student, reason):
    questions = [m for m in student if "?" in m or len(m.split()) > 3]
    if questions:
        return _first_sentence(questions[-1])
    return _first_sentence(student[-1]) if student else reason


def _first_sentence(text, limit=200):
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[:limit - 1] + "…"


def model_brief(model, history, reason):
    """The brief written by a chat model; raises ValueError if its answer is not the JSON asked for."""
    transcript = "\n".join(f"{row['role']}: {row['message']}" for row in history if row["role"] != "system")
    answer = model.invoke([SystemMessage(BRIEF_PROMPT),
                           HumanMessage(f"Escalation reason: {reason}\n\nConversation:\n{transcript}")])
    raw = re.search(r"\{.*\}", answer.text, re.S)
    if not raw:
        raise ValueError("no JSON object in the brief")
    brief = json.loads(raw.group(0))
    if not isinstance(brief, dict) or not isinstance(brief.get("facts", {}), dict):
        raise ValueError("the brief is not an object")
    clean = {key: brief.get(key) for key in FIELDS}
    clean["facts"] = {k: str(v)[:120] for k, v in (brief.get("facts") or {}).items()
                      if k in ("program", "intake", "country", "deadline") and v}
    for key in ("wants", "answered", "mood"):
        clean[key] = str(clean[key] or "")[:400]
    clean["reason"] = reason
    clean["language"] = student_language(history)  # detected, not left to the model
    return clean

