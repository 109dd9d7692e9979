"""AI providers, chosen by name: openai, gemini, and the built-in offline assistant."""
from dataclasses import dataclass, field
from typing import Callable, Optional

from langchain.chat_models import init_chat_model

from .offline import OfflineAssistant

PROVIDER_ORDER = ("openai", "gemini", "local")


@dataclass
class Provider:
    name: str
    model: str  # what chat_history.model records, e.g. "openai:gpt-4o"
    label: str
    configured: bool
    reason: Optional[str]
    factory: Callable[[], object]
    # (client, OpenAI tool schemas) -> the client with the tools bound; most providers take the schemas as they are
    tools: Callable[[object, list], object] = lambda client, schemas: client.bind_tools(schemas)
    _client: object = field(default=None, repr=False)

    def client(self):
        """The chat model, built once per process so its HTTP connections are reused."""
        if self._client is None:
            self._client = self.factory()
        return self._client


def build_providers(config, knowledge, today, institution):
    """Every provider the app knows, keyed by name, with whether it is configured and why not."""

    def openai():
        from .openai_chat import PlainChatOpenAI  # imports the SDK: only when OpenAI is configured
        return PlainChatOpenAI(model=config.OPENAI_MODEL, api_key=config.OPENAI_API_KEY,
                               base_url=config.OPENAI_BASE_URL, timeout=config.AI_TIMEOUT,
                               max_retries=config.AI_MAX_RETRIES, temperature=0.2)

    def gemini():
        return init_chat_model(config.GEMINI_MODEL, model_provider="google_genai",
                               google_api_key=config.GOOGLE_API_KEY, base_url=config.GEMINI_BASE_URL,
                               # google-genai counts attempts, not retries
                               timeout=config.AI_TIMEOUT, max_retries=config.AI_MAX_RETRIES + 1,
                               temperature=0.2)

    def gemini_tools(client, schemas):
        # LangChain's bind_tools keeps OpenAI schemas and converts them to Gemini declarations on
        # every call (a tenth of a Gemini reply's CPU); declarations bound as they are pass through.
        from langchain_google_genai._function_utils import convert_to_genai_function_declarations
        return client.bind(tools=convert_to_genai_function_declarations(schemas))

    def local():
        return OfflineAssistant(knowledge=knowledge, institution=institution, today=today)

    return {
        "openai": Provider("openai", f"openai:{config.OPENAI_MODEL}", f"OpenAI {config.OPENAI_MODEL}",
                           bool(config.OPENAI_API_KEY), None if config.OPENAI_API_KEY else "OPENAI_API_KEY is not set",
                           openai),
        "gemini": Provider("gemini", f"gemini:{config.GEMINI_MODEL}", f"Gemini {config.GEMINI_MODEL}",
                           bool(config.GOOGLE_API_KEY), None if config.GOOGLE_API_KEY else "GOOGLE_API_KEY is not set",
                           gemini, gemini_tools),
        "local": Provider("local", "local", "Offline assistant", True, None, local),
    }


def default_provider(providers):
    """The first configured of openai, gemini; else local."""
    return next(name for name in PROVIDER_ORDER if providers[name].configured)


def fallback_chain(active, providers):
    """The active provider, then the other configured ones in order, the offline assistant last."""
    names = [active] + [n for n in PROVIDER_ORDER if n != active]
    return [providers[n] for n in dict.fromkeys(names) if n in providers and providers[n].configured]
