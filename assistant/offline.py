"""The offline assistant: a LangChain chat model that needs no key and no network.

It goes through the same tool loop as the real providers: it answers from the
best-matching knowledge-base passage, asks for the escalation tool when a person is
wanted or the knowledge base has no answer, and calls the booking tools for
booking intents.
"""
import json
import re
import uuid
from datetime import date
from typing import Any, Callable, List, Optional

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

from .knowledge import KnowledgeBase
from .when import parse_date, parse_time

_HUMAN = re.compile(
    r"\b(human|real person|a person|someone real|somebody|operator|representative|agent|advisor|adviser|"
    r"counsel+or|staff member|member of staff|live (chat|support)|speak to someone|talk to someone)\b", re.I)
_WANTS = re.compile(r"\b(talk|speak|chat|connect|transfer|put me through|get me|want|need|like|call|contact|"
                    r"reach|escalate|can i have)\b", re.I)
_BOOK = re.compile(r"\b(book|booking|schedule|reserve|appointment|set up a call|arrange|slot|slots|"
                   r"availability|available times|free times|reschedule|move my (call|booking))\b", re.I)
_LIST = re.compile(r"\b(slots?|availability|available|free times|when can|what times|which times|options)\b", re.I)
_GREETING = re.compile(r"^\s*(hi|hello|hey|hola|good (morning|afternoon|evening)|greetings)[\s!.,]*$", re.I)
_THANKS = re.compile(r"^\s*(thanks|thank you|thx|great|perfect|ok(ay)?|cool|awesome)[\s!.,a-z]*$", re.I)
SLOTS_OFFERED = "free advisor call slots"


class OfflineAssistant(BaseChatModel):
    """Rule-and-retrieval assistant over a KnowledgeBase, speaking LangChain's tool-calling protocol."""

    knowledge: KnowledgeBase
    approved: Optional[KnowledgeBase] = None  # advisor-approved answers, searched first
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
                  run_manager: Any = None, tool_names: Optional[List[str]] = None, **kwargs) -> ChatResult:
        message = self.respond(messages, set(tool_names or ()))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages, stop=None, run_manager=None, tool_names=None, **kwargs):
        message = self.respond(messages, set(tool_names or ()))
        if message.tool_calls:
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                for i, c in enumerate(message.tool_calls)]))
            return
        for word in re.findall(r"\S+\s*", message.content):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))

    # -- the decision -------------------------------------------------------------------

    def respond(self, messages, tools):
        """The next AIMessage: a tool call, or text."""
        last = messages[-1]
        if isinstance(last, ToolMessage):
            if last.name == "human_escalation" and "get_booking_slots" in tools and not _advisors_available(last):
                return _call("get_booking_slots")  # nobody can join now: offer a call instead
            lead = NO_ADVISOR if any(isinstance(m, ToolMessage) and m.name == "human_escalation"
                                     and not _advisors_available(m) for m in _this_turn(messages)) else ""
            return AIMessage(content=lead + self._after_tool(last))
        question = last.text if isinstance(last, HumanMessage) else ""
        offered = _last_ai_text(messages[:-1]).find(SLOTS_OFFERED) >= 0

        if "human_escalation" in tools and _asks_for_human(question):
            return _call("human_escalation", reason="The student asked to talk to an advisor.")
        if _GREETING.match(question):
            return AIMessage(content=f"Hello! I'm the {self.institution} admissions assistant. Ask me about "
                                     "programs, admissions, tuition, deadlines or housing, or I can book "
                                     "you a call with an advisor.")
        if _THANKS.match(question) and len(question) < 40:
            return AIMessage(content="You're welcome! Is there anything else I can help you with?")
        when_date, when_time = parse_date(question, self.today()), parse_time(question)
        booking = bool(_BOOK.search(question)) or offered or bool(when_date and when_time)
        if booking and "book_time_slot" in tools and (when_date or when_time):
            args = {}
            if when_date:
                args["date"] = when_date.isoformat()
            if when_time:
                args["time"] = when_time.strftime("%H:%M")
            return _call("book_time_slot", **args)
        if _BOOK.search(question) and "get_booking_slots" in tools:
            return _call("get_booking_slots")

        approved = self.approved.answer(question, min_coverage=0.6) if self.approved else None
        found = approved or self.knowledge.answer(question)
        if found:
            heading, text = found
            return AIMessage(content=text)
        if "human_escalation" in tools:
            return _call("human_escalation", reason=f"Not covered by the knowledge base: {question[:300]}")
        return AIMessage(content="I'm sorry, I don't have that information. An admissions advisor can help.")

    def _after_tool(self, result_message):
        name = result_message.name or ""
        try:
            result = json.loads(result_message.text)
        except ValueError:
            result = {"ok": False, "error": result_message.text}
        if not result.get("ok"):
            return _explain_failure(result)
        if name == "human_escalation" or "note" in result:
            return ("I've passed your chat to an admissions advisor, who will join here shortly. "
                    "You can keep writing in the meantime.")
        if "booking" in result:
            return (f"Done! Your call with an admissions advisor is booked for {result['booking']['label']}. "
                    "You'll see the confirmation here in the chat.")
        if "slots" in result:
            if not result["slots"]:
                return "I'm sorry, there are no free advisor call slots right now. I can pass you to an advisor."
            return f"Here are the next {SLOTS_OFFERED}:\n" + _slot_lines(result["slots"]) + \
                "\nWhich one suits you? For example: \"" + _example(result["slots"][0]) + "\"."
        return "Done."


NO_ADVISOR = ("No advisor is available to chat right now, so I've passed your question on and you can "
              "also book a call with an advisor. ")


def _advisors_available(tool_message):
    try:
        return json.loads(tool_message.text).get("advisors_available", True) is not False
    except ValueError:
        return True


def _this_turn(messages):
    """The messages after the student's last message."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index + 1:]
    return messages


_PERSON = re.compile(r"\b(talk|speak|chat)\s+(to|with)\s+(a |an |some |one |the )?(real )?(human|person|someone|"
                     r"somebody|advisor|adviser|agent|representative|staff|counsel+or|operator)\b|\bhuman\b|"
                     r"\breal person\b|\boperator\b", re.I)


def _asks_for_human(text):
    """Asking for a person wins over everything; "a call with an advisor" is a booking."""
    if _PERSON.search(text):
        return True
    return bool(_HUMAN.search(text) and (_WANTS.search(text) or len(text.split()) <= 4)) \
        and not _BOOK.search(text.replace("call", ""))


def _call(name, **args):
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}",
                                              "type": "tool_call"}])


def _last_ai_text(messages):
    for message in reversed(messages):
        if isinstance(message, AIMessage) and message.text:
            return message.text
    return ""


def _slot_lines(slots):
    days = {}
    for slot in slots:
        day = slot["label"].rsplit(" at ", 1)[0]
        days.setdefault(day, []).append(slot["time"])
    return "\n".join(f"• {day}: {', '.join(times)}" for day, times in days.items())


def _example(slot):
    return slot["label"].split(" ")[0] + " at " + slot["time"]


def _explain_failure(result):
    error = result.get("error", "That didn't work.")
    options = result.get("candidates") or result.get("alternatives") or []
    if result.get("candidates"):
        lead = "Several slots match. Which one would you like?"
    elif options:
        lead = f"I couldn't book that: {error} These slots are free:"
    else:
        lead = f"I couldn't do that: {error}"
    if not options:
        return lead
    return f"{lead}\n" + _slot_lines(options) + f"\nTell me which one suits you ({SLOTS_OFFERED} above)."
