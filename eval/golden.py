"""Golden sets: JSONL conversations (contract 5), loaded and checked before anything runs."""
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "eval" / "golden"
KB_DIRS = (ROOT, ROOT / "eval" / "kb")

KINDS = ("fact", "reworded", "followup", "comparison", "booking", "my_booking",
         "smalltalk", "person", "unknown", "not_offered")
LANGS = ("en", "es")
# `computed` only marks a fact the knowledge base does not state (a difference or a total); the
# scorer already accepts sums and differences of two knowledge-base numbers as not invented.
EXPECT_KEYS = {"facts", "any_facts", "escalate", "intent", "booking", "reply_lang", "no_quote", "not_offered",
               "computed"}
BOOKING_VALUES = ("booked", "cancelled", "none")


class GoldenError(ValueError):
    """A golden-set line that does not follow the format; says which file and line."""


@dataclass
class Conversation:
    id: str
    kb: str
    kind: str
    lang: str
    turns: list  # [{"student": str, "expect": dict}]
    source: str = ""

    @property
    def kb_path(self):
        return kb_path(self.kb)


def kb_path(name):
    """A knowledge base named in a golden set: at the top level (school_data.txt) or under eval/kb/."""
    path = Path(name)
    if path.is_absolute():
        return path
    for folder in KB_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise GoldenError(f"knowledge base {name!r} not found in {', '.join(str(d) for d in KB_DIRS)}")


def kb_texts(path):
    """The knowledge base and its language siblings (school_data.es.txt) as texts."""
    path = Path(path)
    texts = [path.read_text(encoding="utf-8")]
    for sibling in sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")):
        if sibling != path and len(sibling.stem) == len(path.stem) + 3:  # school_data.es.txt
            texts.append(sibling.read_text(encoding="utf-8"))
    return texts


def kb_languages(path):
    """The languages a knowledge base is available in: its own, and its siblings' (school_data.es.txt)."""
    from .score import reply_language
    path = Path(path)
    langs = {reply_language(path.read_text(encoding="utf-8")[:3000])}
    for sibling in path.parent.glob(f"{path.stem}.*{path.suffix}"):
        if len(sibling.stem) == len(path.stem) + 3:
            langs.add(sibling.stem[-2:])
    return langs


def _check(line, where):
    def fail(message):
        raise GoldenError(f"{where}: {message}")

    try:
        data = json.loads(line)
    except ValueError as exc:
        fail(f"not JSON ({exc})")
    if not isinstance(data, dict):
        fail("a line must be a JSON object")
    for key in ("id", "kb", "kind", "lang", "turns"):
        if key not in data:
            fail(f"missing {key!r}")
    if data["kind"] not in KINDS:
        fail(f"kind {data['kind']!r} is not one of {', '.join(KINDS)}")
    if data["lang"] not in LANGS:
        fail(f"lang {data['lang']!r} is not one of {', '.join(LANGS)}")
    if not isinstance(data["turns"], list) or not data["turns"]:
        fail("turns must be a non-empty list")
    for number, turn in enumerate(data["turns"], 1):
        if not isinstance(turn, dict) or not isinstance(turn.get("student"), str) or not turn["student"].strip():
            fail(f"turn {number}: needs a non-empty 'student' string")
        expect = turn.setdefault("expect", {})
        if not isinstance(expect, dict):
            fail(f"turn {number}: expect must be an object")
        unknown = set(expect) - EXPECT_KEYS
        if unknown:
            fail(f"turn {number}: unknown expect keys {sorted(unknown)}")
        for key in ("facts", "any_facts"):
            if key in expect and not (isinstance(expect[key], list)
                                      and all(isinstance(f, str) and f.strip() for f in expect[key])):
                fail(f"turn {number}: {key} must be a list of non-empty strings")
        if "booking" in expect and expect["booking"] not in BOOKING_VALUES:
            fail(f"turn {number}: booking must be one of {', '.join(BOOKING_VALUES)}")
        if "intent" in expect and expect["intent"] != "person":
            fail(f"turn {number}: the only intent is 'person'")
        if "reply_lang" in expect and expect["reply_lang"] not in LANGS:
            fail(f"turn {number}: reply_lang must be en or es")
        for key in ("escalate", "no_quote", "not_offered", "computed"):
            if key in expect and not isinstance(expect[key], bool):
                fail(f"turn {number}: {key} must be true or false")
    return Conversation(data["id"], data["kb"], data["kind"], data["lang"], data["turns"], where)


def load(paths=None, kind=None, lang=None, ids=None):
    """Conversations from the given JSONL files (default: every eval/golden/*.jsonl), filtered."""
    paths = [Path(p) for p in paths] if paths else sorted(GOLDEN_DIR.glob("*.jsonl"))
    conversations, seen = [], {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            conv = _check(line, f"{path.name}:{number}")
            if conv.id in seen:
                raise GoldenError(f"{conv.source}: id {conv.id!r} already used at {seen[conv.id]}")
            seen[conv.id] = conv.source
            try:
                conv.kb_path  # a missing knowledge base fails here, before any server starts
            except GoldenError as exc:
                raise GoldenError(f"{conv.source}: {exc}") from None
            conversations.append(conv)
    return [c for c in conversations
            if (kind is None or c.kind in kind) and (lang is None or c.lang in lang)
            and (ids is None or c.id in ids)]
