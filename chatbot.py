"""The admissions agent: a LangChain tool-calling loop over the active provider.

Tools live in assistant/tools.py, the prompt in assistant/prompt.py, providers in
assistant/providers.py. A failing provider falls back to the next configured one and
finally to the offline assistant, so the student always gets a reply.
"""
import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage, message_chunk_to_message
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ValidationError

from assistant.knowledge import Knowledge
from assistant import language
from assistant.language import conversation_language
from assistant.offline import NOTICE, TEXT
from assistant.prompt import cited_sections, system_prompt
from assistant.providers import build_providers, default_provider, fallback_chain
from assistant.tools import build_tools

log = logging.getLogger(__name__)


@dataclass
class ModelCall:
    model: str
    ok: bool
    latency_ms: int
    error: Optional[str] = None


@dataclass
class Reply:
    text: str
    model: str  # e.g. "openai:gpt-4o" or "local"
    calls: list = field(default_factory=list)  # every ModelCall of this turn, for analytics
    sources: list = field(default_factory=list)  # knowledge-base section headings the answer quotes
    lang: str = "en"  # the language the student was answered in ("en"/"es"), for the chat's record


class ProviderFailed(Exception):
    """A provider raised, timed out, or answered with nothing usable."""


class Chatbot:
    """One per process: the knowledge base, the providers, and the tool loop."""

    def __init__(self, config):
        self.config = config
        self.knowledge = Knowledge.from_path(config.KNOWLEDGE_BASE_PATH)
        # Above this size the prompt carries the passages that match the question, not the whole file.
        self.prompt_max_bytes = config.KNOWLEDGE_PROMPT_MAX_BYTES
        self.institution = config.INSTITUTION_NAME or institution_from_title(self.knowledge.text_for("en"))
        self.providers = build_providers(config, self.knowledge, self.today, self.institution)
        self.approved_text = ""
        # Tool schemas do not depend on the chat the tools are bound to.
        self._tool_schemas = [convert_to_openai_tool(t) for t in build_tools(None, None)]
        self._bound_models = {}
        # Building a client imports its SDK (about a second of CPU): do it at start, not in the first
        # student's reply, where it would stall every connection of the process.
        for provider in self.providers.values():
            if provider.configured:
                self._bound(provider)
        language.load()

    def today(self):
        return datetime.now(ZoneInfo(self.config.TIMEZONE)).date()

    def now(self):
        return datetime.now(ZoneInfo(self.config.TIMEZONE)).replace(tzinfo=None)

    def set_approved_answers(self, rows):
        """Advisor-approved answers join the knowledge base (prompt and offline retrieval)."""
        self.approved_text = "\n\n".join(f"## {r['question']}\n{r['answer']}" for r in rows)
        self.knowledge.set_approved(rows)

    @property
    def default_model(self):
        return default_provider(self.providers)

    def reply(self, chat_id, history, active, actions, stream=None, lang=None):
        """Answer the conversation `history` (chat_history rows) for one chat.

        With a `stream` (delta(text), reset()), text is passed on as the model produces it. `lang`
        ("en"/"es") is the chat's language when the page set it; else it is read from the student.
        """
        tools = _LazyTools(chat_id, actions)
        student = [row["message"] for row in history if row["role"] == "human"]
        lang = lang or conversation_language(student)
        chain = fallback_chain(active, self.providers)
        # The offline assistant reads the knowledge base itself, and it never fails over: no prompt to build.
        knowledge, excerpt = self._prompt_knowledge(student, lang) if chain[0].name != "local" else ("", False)
        messages = [SystemMessage(system_prompt(self.institution, knowledge, self.today(),
                                                self.config.TIMEZONE, lang, self.approved_text, excerpt))]
        messages += to_langchain(history)
        model_calls = []
        for _ in range(self.config.AI_MAX_TOOL_STEPS):
            message, provider = self._invoke(chat_id, chain, messages, stream, model_calls, lang)
            chain = chain[chain.index(provider):]  # a provider that failed is not asked again this turn
            messages.append(message)
            calls = message.tool_calls + [dict(c, args=None) for c in message.invalid_tool_calls]
            if not calls:
                return _reply(message, provider, model_calls, knowledge, lang)
            for call in calls:
                messages.append(self._run_tool(chat_id, tools, call))
        # Out of steps: the offline assistant summarises the last tool result.
        local = self.providers["local"]
        final = self._bound(local).invoke(messages, lang=lang)
        if not final.text.strip():
            final = AIMessage(TEXT[lang]["failed"])
        return _reply(final, local, model_calls, knowledge, lang)

    def _prompt_knowledge(self, student, lang):
        """The knowledge for the prompt: the whole text in the student's language when it fits,
        else the passages that match the last two questions, with their section names."""
        text = self.knowledge.text_for(lang)
        if len(text.encode()) <= self.prompt_max_bytes:
            return text, False
        return self.knowledge.prompt_context(" ".join(student[-2:]), lang, self.prompt_max_bytes), True

    def _invoke(self, chat_id, chain, messages, stream, model_calls, lang):
        for provider in chain:
            started = time.perf_counter()
            streamed = []
            try:
                message = self._call(provider, messages, stream, streamed, lang)
                if not isinstance(message, AIMessage) or not (message.text.strip() or message.tool_calls
                                                               or message.invalid_tool_calls):
                    raise ProviderFailed("empty answer")
                if streamed and message.tool_calls and stream:
                    stream.reset()  # text before a tool call was the model thinking aloud
                model_calls.append(_call_record(provider, started, None))
                return message, provider
            except Exception as exc:  # any provider fault moves on to the next provider
                if provider is chain[-1]:
                    raise  # the offline assistant is last and does not fail on its own: a bug surfaces
                if streamed and stream:
                    stream.reset()
                model_calls.append(_call_record(provider, started, exc))
                log.warning("provider %s failed for chat %s: %s: %s", provider.name, chat_id,
                            type(exc).__name__, str(exc)[:200])

    def _bound(self, provider):
        """The provider's model with the tools bound, built once: schemas are the same for every chat."""
        if provider.name not in self._bound_models:
            self._bound_models[provider.name] = provider.tools(provider.client(), self._tool_schemas)
        return self._bound_models[provider.name]

    def _call(self, provider, messages, stream, streamed, lang):
        model = self._bound(provider)
        # The offline assistant is told the language; real models read it in the prompt.
        options = {"lang": lang} if provider.name == "local" else {}
        if stream is None:
            return model.invoke(messages, **options)
        chunks = []
        for chunk in model.stream(messages, **options):
            chunks.append(chunk)
            if chunk.text and not chunk.tool_call_chunks:
                streamed.append(chunk.text)
                stream.delta(chunk.text)
        if not chunks:
            raise ProviderFailed("empty stream")
        # Merged once at the end: `full + chunk` per chunk re-merged everything so far each time.
        return message_chunk_to_message(chunks[0] if len(chunks) == 1 else add_ai_message_chunks(*chunks))


    def _run_tool(self, chat_id, tools, call):
        """Run one tool call; a bad name or argument becomes an error the model can read."""
        name, call_id = call.get("name"), call.get("id") or "call"
        tool = tools.get(name)
        if tool is None:
            result = {"ok": False, "error": f"Unknown tool {name!r}."}
        elif call.get("args") is None or not isinstance(call["args"], dict):
            result = {"ok": False, "error": "The tool arguments were not valid JSON."}
        else:
            try:
                return ToolMessage(tool.invoke(call["args"]), tool_call_id=call_id, name=name)
            except ValidationError as exc:
                result = {"ok": False, "error": "Invalid arguments: " + "; ".join(
                    e["msg"] for e in exc.errors(include_url=False))}
            except Exception:
                log.exception("tool %s failed for chat %s", name, chat_id)
                result = {"ok": False, "error": "The tool failed; tell the student an advisor will help."}
        return ToolMessage(json.dumps(result), tool_call_id=call_id, name=name or "unknown", status="error")


class _LazyTools:
    """The chat's tools by name, built at the first tool call (most replies make none)."""

    def __init__(self, chat_id, actions):
        self.chat_id, self.actions, self._tools = chat_id, actions, None

    def get(self, name):
        if self._tools is None:
            self._tools = {t.name: t for t in build_tools(self.chat_id, self.actions)}
        return self._tools.get(name)


def _reply(message, provider, model_calls, knowledge, lang):
    """The Reply, with the sections it quotes: the offline assistant says which; a real model cites them."""
    if provider.name == "local":
        return Reply(message.text.strip(), provider.model, model_calls,
                     list(message.additional_kwargs.get("sources") or []), lang)
    text, sources = cited_sections(message.text.strip(), knowledge)
    return Reply(text, provider.model, model_calls, sources, lang)


def _call_record(provider, started, exc):
    return ModelCall(provider.model, exc is None, int((time.perf_counter() - started) * 1000),
                     None if exc is None else f"{type(exc).__name__}: {str(exc)[:150]}")


def institution_from_title(text):
    """The name in a knowledge base's first heading ("# Lakeshore Polytechnic - Guide" -> "Lakeshore Polytechnic")."""
    for line in text.splitlines():
        if line.strip():
            title = line.strip().lstrip("#").strip()
            name = re.split(r"\s+[-–—|:]\s+|:\s", title, maxsplit=1)[0].strip()
            return name if line.lstrip().startswith("#") and 0 < len(name) <= 80 else "the university"
    return "the university"


def to_langchain(history):
    """chat_history rows -> LangChain messages. Advisors speak for the university side; the chat's
    own notices (bookings, hand-offs) come as system messages so the model knows what happened."""
    messages = []
    for row in history:
        if row["role"] == "human":
            messages.append(HumanMessage(row["message"]))
        elif row["role"] == "ai":
            messages.append(AIMessage(row["message"]))
        elif row["role"] == "human_operator":
            messages.append(AIMessage(f"[Admissions advisor] {row['message']}"))
        elif row["role"] == "system":
            messages.append(SystemMessage(NOTICE + row["message"]))
    return messages
