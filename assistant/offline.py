"""The offline assistant: a LangChain chat model that needs no key and no network.

It goes through the same tool loop as the real providers. Each student message is first
read for intent (assistant/intents.py): a request for a person, booking, the student's own
booking, small talk; only then is it a question for the knowledge base, answered with a quote,
and only when that fails does the chat go to an advisor. Replies follow the student's language.
"""
import json
import logging
import re
import uuid
from datetime import date, time
from types import SimpleNamespace
from typing import Any, Callable, List, Optional

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

from . import intents
from .language import conversation_language
from .text import content_words
from .when import day_label, slot_label

log = logging.getLogger(__name__)
NOTICE = "Notice shown in the chat: "  # how chat_history system rows reach the models
MAX_PREVIOUS = 4

TEXT = {
    "en": {
        "greeting": "Hello! I'm the admissions assistant of {institution}. Ask me about programmes, admissions, "
                    "tuition, deadlines or housing, or I can book you a call with an advisor.",
        "hello": "Hello! ",
        "how_are_you": "I'm doing well, thank you for asking! How can I help you with your application?",
        "who_are_you": "I'm the admissions assistant of {institution}, an automated helper. I answer from the "
                       "university's admissions information, and I can book you a call with an advisor or pass "
                       "your chat to one.",
        "thanks": "You're welcome! Is there anything else I can help you with?",
        "bye": "Thank you for chatting with {institution} admissions. Good luck with your application, and "
               "come back any time!",
        "no": "All right. If anything else comes up, just write here.",
        "yes": "Sure! What would you like to know?",
        "ack": "Great! Is there anything else I can help you with?",
        "escalated": "I've passed your chat to an admissions advisor, who will join here shortly. You can keep "
                     "writing in the meantime.",
        "sorry": "I'm sorry I couldn't help more. ",
        "unknown": "I'm sorry, I don't have that information. ",
        "no_advisor": "No advisor is available to chat right now, so I've passed your question on and you can "
                      "also book a call with an advisor. ",
        "booked": "Done! Your call with an admissions advisor is booked for {label}. You'll see the "
                  "confirmation here in the chat.",
        # No example number: a figure the student never gave would read as invented.
        "held": "I'm holding {label} for you. To confirm the call, please give your name and e-mail in the card "
                "below, or write them here in the chat.",
        "contact_saved": "Thank you, {name}! I've saved your details, so an advisor can reach you at {email}.",
        "contact_confirmed": "Thank you, {name}! Your advisor call on {label} is confirmed; the details go to "
                             "{email}.",
        "contact_name": "Thanks! Please write your name together with your e-mail, e.g. \"I'm Ana Pérez, "
                        "ana@example.com\".",
        "address_limit": "I can't book another call from this connection: it already holds the most calls "
                         "allowed. An advisor can help you here.",
        "email_has_booking": "That e-mail address already has an advisor call booked. To change it, tell me "
                             "another day and time in the chat where you booked it, or cancel it first.",
        "slots": "Here are the next free advisor call slots:",
        "slots_for": "These advisor call slots are free {when}:",
        "none_for": "There are no free advisor call slots {when}. These are the nearest free ones:",
        "pick": "Which one suits you? For example: \"the first one\" or \"{example}\".",
        "example": "{day} at {time}",
        "no_slots": "I'm sorry, there are no free advisor call slots right now.",
        "passed_on": "I've passed your chat to the admissions advisors, who will reply here.",
        "ambiguous": "Several free slots match. Which one would you like?",
        "not_free": "{requested} is not free. These slots are:",
        "taken": "That slot has just been taken by someone else. These are still free:",
        "mine": "Your advisor call is booked for {label}. To move it, tell me another day and time; to "
                "cancel it, say \"cancel my call\".",
        "none_mine": "You don't have an advisor call booked. Would you like me to find you a time?",
        "find_time": "Would you like me to find you a time?",
        "cancelled": "I've cancelled your advisor call on {label}. If you'd like another time, just tell me.",
        "nothing_to_cancel": "You don't have an advisor call booked, so there was nothing to cancel.",
        "dont_know": "I'm sorry, I don't have that information. An admissions advisor can help.",
        "failed": "I couldn't do that just now. An admissions advisor can help you here.",
        "framed": "From the admissions information (in {source}): {text}\n\nIf anything is unclear, ask me or "
                  "ask to talk to an advisor.",
        "source_names": {"en": "English", "es": "Spanish"},
        "on": "on {day}", "in_the": "in the {part}", "at": "at {time}",
        "parts": {"morning": "morning", "afternoon": "afternoon", "evening": "evening"},
    },
    "es": {
        "greeting": "¡Hola! Soy el asistente de admisiones de {institution}. Pregúntame por los programas, la "
                    "admisión, la matrícula, los plazos o el alojamiento, o puedo reservarte una llamada con "
                    "un asesor.",
        "hello": "¡Hola! ",
        "how_are_you": "¡Muy bien, gracias por preguntar! ¿En qué puedo ayudarte con tu solicitud?",
        "who_are_you": "Soy el asistente de admisiones de {institution}, un asistente automático. Respondo con "
                       "la información de admisiones de la universidad, y puedo reservarte una llamada con un "
                       "asesor o pasar tu conversación a uno.",
        "thanks": "¡De nada! ¿Hay algo más en lo que pueda ayudarte?",
        "bye": "Gracias por escribir a admisiones de {institution}. ¡Mucha suerte con tu solicitud, y vuelve "
               "cuando quieras!",
        "no": "De acuerdo. Si te surge cualquier otra cosa, escríbeme aquí.",
        "yes": "¡Claro! ¿Qué te gustaría saber?",
        "ack": "¡Genial! ¿Hay algo más en lo que pueda ayudarte?",
        "escalated": "He pasado tu conversación a un asesor de admisiones, que se unirá aquí en breve. Mientras "
                     "tanto puedes seguir escribiendo.",
        "sorry": "Siento no haber podido ayudarte más. ",
        "unknown": "Lo siento, no tengo esa información. ",
        "no_advisor": "Ahora mismo no hay ningún asesor disponible para chatear, así que he pasado tu consulta "
                      "y también puedes reservar una llamada con un asesor. ",
        "booked": "¡Listo! Tu llamada con un asesor de admisiones está reservada para el {label}. Verás la "
                  "confirmación aquí en el chat.",
        "held": "Te guardo el {label}. Para confirmar la llamada, escribe tu nombre y tu correo en la tarjeta de "
                "abajo, o aquí mismo en el chat.",
        "contact_saved": "¡Gracias, {name}! He guardado tus datos; un asesor podrá escribirte a {email}.",
        "contact_confirmed": "¡Gracias, {name}! Tu llamada con un asesor del {label} está confirmada; los "
                             "detalles llegarán a {email}.",
        "contact_name": "¡Gracias! Escribe tu nombre junto con tu correo, por ejemplo \"Soy Ana Pérez, "
                        "ana@example.com\".",
        "address_limit": "No puedo reservar otra llamada desde esta conexión: ya tiene el máximo de llamadas "
                         "permitido. Un asesor puede ayudarte aquí.",
        "email_has_booking": "Ese correo ya tiene una llamada reservada con un asesor. Para cambiarla, dime otro "
                             "día y hora en el chat donde la reservaste, o cancélala primero.",
        "slots": "Estos son los próximos horarios libres para una llamada con un asesor:",
        "slots_for": "Estos horarios para una llamada con un asesor están libres {when}:",
        "none_for": "No hay horarios libres para una llamada {when}. Estos son los más cercanos:",
        "pick": "¿Cuál te viene bien? Por ejemplo: \"la primera\" o \"{example}\".",
        "example": "el {day} a las {time}",
        "no_slots": "Lo siento, ahora mismo no hay horarios libres para una llamada con un asesor.",
        "passed_on": "He pasado tu conversación a los asesores de admisiones, que te responderán aquí.",
        "ambiguous": "Hay varios horarios libres que encajan. ¿Cuál prefieres?",
        "not_free": "{requested} no está libre. Estos horarios sí lo están:",
        "taken": "Alguien acaba de reservar ese horario. Estos siguen libres:",
        "mine": "Tu llamada con un asesor está reservada para el {label}. Para cambiarla, dime otro día y "
                "hora; para cancelarla, escribe \"cancela mi llamada\".",
        "none_mine": "No tienes ninguna llamada reservada con un asesor. ¿Quieres que te busque un horario?",
        "find_time": "¿Quieres que te busque un horario?",
        "cancelled": "He cancelado tu llamada con un asesor del {label}. Si quieres otro horario, dímelo.",
        "nothing_to_cancel": "No tienes ninguna llamada reservada con un asesor, así que no había nada que "
                             "cancelar.",
        "dont_know": "Lo siento, no tengo esa información. Un asesor de admisiones puede ayudarte.",
        "failed": "Ahora mismo no he podido hacerlo. Un asesor de admisiones puede ayudarte aquí.",
        "framed": "Según la información de admisiones (en {source}): {text}\n\nSi algo no queda claro, "
                  "pregúntame o pide hablar con un asesor.",
        "source_names": {"en": "inglés", "es": "español"},
        "on": "el {day}", "in_the": "por la {part}", "at": "a las {time}",
        "parts": {"morning": "mañana", "afternoon": "tarde", "evening": "noche"},
    },
}
REASONS = {"person": "Asked for a person", "frustrated": "Frustrated", "unknown": "Not in the knowledge base",
           "booking": "Booking problem"}


class OfflineAssistant(BaseChatModel):
    """Intents, then retrieval over a Knowledge, speaking LangChain's tool-calling protocol."""

    knowledge: Any  # assistant.knowledge.Knowledge: lookup(question, previous, lang) -> Lookup
    institution: str = "the university"
    today: Callable[[], date] = date.today
    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def _llm_type(self) -> str:
        return "havana-offline"

    def bind_tools(self, tools, **kwargs):
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.bind(tool_names=names, **kwargs)

    def _generate(self, messages: List[BaseMessage], stop: Optional[List[str]] = None,
                  run_manager: Any = None, tool_names: Optional[List[str]] = None, lang: Optional[str] = None,
                  **kwargs) -> ChatResult:
        message = self.respond(messages, set(tool_names or ()), lang)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages, stop=None, run_manager=None, tool_names=None, lang=None, **kwargs):
        message = self.respond(messages, set(tool_names or ()), lang)
        if message.tool_calls:
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                for i, c in enumerate(message.tool_calls)]))
            return
        for i, word in enumerate(re.findall(r"\S+\s*", message.content)):
            yield ChatGenerationChunk(message=AIMessageChunk(
                content=word, additional_kwargs=message.additional_kwargs if i == 0 else {}))

    # -- the decision -------------------------------------------------------------------

    def respond(self, messages, tools, lang=None):
        """The next AIMessage: a tool call, or text, in `lang` or else the student's language."""
        lang = lang or conversation_language([m.text for m in messages if isinstance(m, HumanMessage)])
        while len(messages) > 1 and isinstance(messages[-1], SystemMessage):
            messages = messages[:-1]  # a notice stored after the student's message ("Welcome back!")
        last = messages[-1]
        if isinstance(last, ToolMessage):
            return self._after_tool(messages, tools, lang)
        question = last.text if isinstance(last, HumanMessage) else ""
        today = self.today()
        state = dialogue_state(messages[:-1], today)

        kind, rest = intents.small_talk(question)
        text = rest or question
        typed = intents.contact_details(question)
        if typed and "save_contact_details" in tools:
            if not typed["name"]:
                return AIMessage(content=TEXT[lang]["contact_name"])
            return _call("save_contact_details", **{k: v for k, v in typed.items() if v})
        wanted = intents.wants_person(text)
        if wanted and "human_escalation" in tools:
            return _call("human_escalation", reason=f"{REASONS[wanted]}: {question[:300]}")
        mine = intents.own_booking(text, state.has_booking)
        booking = intents.booking_request(text, today, state.offered, mine, state.booked)
        if booking and {"book_time_slot", "get_booking_slots"} <= tools:
            action, args = booking
            return _call("book_time_slot" if action == "book" else "get_booking_slots", **args)
        if mine == "show" and "get_my_booking" in tools:
            return _call("get_my_booking")
        if mine == "cancel" and "cancel_my_booking" in tools:
            return _call("cancel_my_booking")
        if kind == "yes" and not rest and "get_booking_slots" in tools \
                and state.last_reply.endswith(tuple(TEXT[lang_]["find_time"] for lang_ in TEXT)):
            return _call("get_booking_slots")  # "yes" to "shall I find you a time?"
        if kind and not rest:
            return AIMessage(content=TEXT[lang][kind].format(institution=self.institution))

        found = self._lookup(text, state.questions[-MAX_PREVIOUS:], lang)
        if found.kind == "unknown":
            if "human_escalation" in tools:
                return _call("human_escalation", reason=f"{REASONS['unknown']}: {question[:300]}")
            return AIMessage(content=TEXT[lang]["dont_know"])
        answer = found.text
        if found.kind == "answer" and found.source_lang != lang:
            answer = TEXT[lang]["framed"].format(source=TEXT[lang]["source_names"][found.source_lang], text=answer)
        if kind == "greeting":
            answer = TEXT[lang]["hello"] + answer
        return AIMessage(content=answer, additional_kwargs={"sources": list(found.sources or [])})

    def _lookup(self, text, previous, lang):
        """The knowledge base's answer; a fault in it is logged and treated as no answer (an advisor takes over)."""
        try:
            found = self.knowledge.lookup(text, previous, lang)
            clause = intents.question_clause(text) if found.kind != "answer" else None
            # What the student said around the question ("my flight lands at 3pm, ...") is noise, but a
            # clause that only points back ("..., do you have it?") needs the rest.
            if clause and (found.kind == "unknown" or len(content_words(clause, lang)) >= 2):
                asked = self.knowledge.lookup(clause, previous, lang)
                found = asked if asked.kind != "unknown" else found
            return found
        except Exception:
            log.exception("knowledge lookup failed for %r", text[:200])
            return SimpleNamespace(kind="unknown")

    def _after_tool(self, messages, tools, lang):
        """Put the tool results of this turn into words, or ask for the next tool."""
        last = messages[-1]
        t = TEXT[lang]
        turn = _this_turn(messages)
        called = [m.name for m in turn if isinstance(m, ToolMessage)]
        result = _result(last)
        name = last.name or ""
        if name == "human_escalation" and result.get("ok") and result.get("advisors_available") is False \
                and "get_booking_slots" in tools and "get_booking_slots" not in called:
            return _call("get_booking_slots")  # nobody can join now: offer a call instead
        lead = ""
        if "human_escalation" in called:
            reason = _escalation_reason(turn)
            if reason.startswith(REASONS["frustrated"]):
                lead = t["sorry"]
            elif reason.startswith(REASONS["unknown"]):
                lead = t["unknown"]
            if any(not _result(m).get("advisors_available", True) for m in turn
                   if isinstance(m, ToolMessage) and m.name == "human_escalation"):
                lead += t["no_advisor"]
        if not result.get("ok"):
            if name == "save_contact_details" and result.get("error"):
                return AIMessage(content=result["error"])  # the server's message, in the chat's language
            return AIMessage(content=lead + self._explain_failure(result, lang))
        if name == "human_escalation":
            if _escalation_reason(turn).startswith(REASONS["booking"]):
                return AIMessage(content=t["no_slots"] + " " + t["passed_on"])
            return AIMessage(content=lead + t["escalated"])
        if name == "book_time_slot":
            return AIMessage(content=t["held" if result.get("held") else "booked"].format(
                label=_label(result["booking"], lang)))
        if name == "save_contact_details":
            contact, booking = result["contact"], result.get("booking")
            if booking and booking.get("confirmed"):
                return AIMessage(content=t["contact_confirmed"].format(
                    name=contact["name"], email=contact["email"], label=_label(booking, lang)))
            return AIMessage(content=t["contact_saved"].format(name=contact["name"], email=contact["email"]))
        if name == "get_my_booking":
            booking = result.get("booking")
            return AIMessage(content=t["mine"].format(label=_label(booking, lang)) if booking else t["none_mine"])
        if name == "cancel_my_booking":
            cancelled = result.get("cancelled")
            return AIMessage(content=t["cancelled"].format(label=_label(cancelled, lang)) if cancelled
                             else t["nothing_to_cancel"])
        if name == "get_booking_slots":
            slots = result.get("slots") or []
            requested = result.get("requested")
            if not slots and not result.get("alternatives"):
                if "human_escalation" in tools and "human_escalation" not in called:
                    question = _last_human(messages)
                    return _call("human_escalation", reason=f"{REASONS['booking']}: no free advisor call slots. "
                                                            f"The student wrote: {question[:250]}")
                return AIMessage(content=lead + t["no_slots"])
            if not slots:
                head = t["none_for"].format(when=_when(requested, lang))
                return AIMessage(content=lead + _slot_list(head, result["alternatives"], lang))
            head = t["slots_for"].format(when=_when(requested, lang)) if requested else t["slots"]
            return AIMessage(content=lead + _slot_list(head, slots, lang))
        return AIMessage(content=lead + t["failed"])

    def _explain_failure(self, result, lang):
        t = TEXT[lang]
        code = result.get("code")
        if code == "ambiguous":
            return _slot_list(t["ambiguous"], result["candidates"], lang)
        if code == "taken" and result.get("alternatives"):
            return _slot_list(t["taken"], result["alternatives"], lang)
        if code == "no_match" and result.get("alternatives"):
            head = t["not_free"].format(requested=_requested(result.get("requested") or {}, lang))
            return _slot_list(head, result["alternatives"], lang)
        if code in ("no_match", "taken"):
            return t["no_slots"]
        if code in ("address_limit", "email_has_booking"):
            return t[code]
        return t["failed"]


def dialogue_state(messages, today):
    """The dialogue so far, read from the messages before the student's latest one."""
    state = intents.DialogueState()
    # Only the last few of the student's messages can hold the questions a follow-up leans on.
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    recent = humans[-2 * MAX_PREVIOUS] if len(humans) > 2 * MAX_PREVIOUS else 0
    for index, message in enumerate(messages):
        if isinstance(message, SystemMessage) and message.text.startswith(NOTICE):
            intents.read_notice(state, message.text, today)
        elif isinstance(message, AIMessage) and message.text:
            state.offered = intents.offered_slots(message.text, today)
            state.last_reply = message.text
        elif isinstance(message, HumanMessage):
            if index >= recent and intents.is_question_for_knowledge(message.text, today, state.offered):
                state.questions.append(intents.small_talk(message.text)[1] or message.text)
            state.offered = []  # the list was answered, one way or another
    return state


def _result(tool_message):
    try:
        result = json.loads(tool_message.text)
    except ValueError:
        result = None
    return result if isinstance(result, dict) else {"ok": False, "error": tool_message.text}


def _escalation_reason(turn):
    for message in turn:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                if call["name"] == "human_escalation":
                    return str(call["args"].get("reason", ""))
    return ""


def _this_turn(messages):
    """The messages after the student's last message."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index + 1:]
    return messages


def _last_human(messages):
    return next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")


def _call(tool, **args):
    return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}",
                                              "type": "tool_call"}])


def _slot_date_time(slot):
    return date.fromisoformat(slot["date"]), time.fromisoformat(slot["time"])


def _label(slot, lang):
    day, hour = _slot_date_time(slot)
    return slot_label(day, hour, lang)


def _slot_list(head, slots, lang):
    """A heading, the slots grouped by day ("• Tuesday 24 November: 09:00, 10:00"), and how to pick one."""
    days = {}
    for slot in slots:
        day, _ = _slot_date_time(slot)
        days.setdefault(day, []).append(slot["time"])
    lines = "\n".join(f"• {day_label(day, lang)}: {', '.join(times)}" for day, times in days.items())
    first_day, first_time = _slot_date_time(slots[0])
    weekday = day_label(first_day, lang).split(" ")[0]
    example = TEXT[lang]["example"].format(day=weekday, time=first_time.strftime("%H:%M"))
    return f"{head}\n{lines}\n" + TEXT[lang]["pick"].format(example=example)


def _when(requested, lang):
    """'on Friday 27 November in the afternoon' / 'el viernes 27 de noviembre por la tarde'."""
    t = TEXT[lang]
    parts = []
    if requested.get("date"):
        parts.append(t["on"].format(day=day_label(date.fromisoformat(requested["date"]), lang)))
    if requested.get("part_of_day"):
        parts.append(t["in_the"].format(part=t["parts"][requested["part_of_day"]]))
    return " ".join(parts)


def _requested(requested, lang):
    """What the student asked for, as a phrase that can open a sentence."""
    t = TEXT[lang]
    if requested.get("date") and requested.get("time"):
        text = slot_label(date.fromisoformat(requested["date"]), time.fromisoformat(requested["time"]), lang)
    elif requested.get("date"):
        text = day_label(date.fromisoformat(requested["date"]), lang)
        if requested.get("part_of_day"):
            text += " " + t["in_the"].format(part=t["parts"][requested["part_of_day"]])
    elif requested.get("time"):
        text = t["at"].format(time=requested["time"])
    else:
        text = {"en": "That time", "es": "Ese horario"}[lang]
    return text[0].upper() + text[1:]


_ANSWER_NOTHING = ("greeting", "how_are_you", "who_are_you", "thanks", "bye", "no", "yes", "ack", "escalated",
                   "sorry", "unknown", "no_advisor", "dont_know", "failed", "no_slots")
_CANNED = tuple(TEXT[lang][key].split("{")[0][:24] for lang in TEXT for key in _ANSWER_NOTHING)


def answers_nothing(text):
    """True for the assistant's fixed replies (greetings, hand-off notes): they tell an advisor nothing."""
    return text.startswith(_CANNED)
