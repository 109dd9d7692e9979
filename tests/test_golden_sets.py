"""The golden sets under eval/golden/ follow the evaluation contract and quote their knowledge bases."""
import json
import re
import unicodedata
from collections import Counter

import pytest

from conftest import ROOT

GOLDEN = ROOT / "eval" / "golden"
KINDS = {"fact", "reworded", "followup", "comparison", "booking", "my_booking",
         "smalltalk", "person", "unknown", "not_offered"}
LANGS = {"en", "es"}
EXPECT_TYPES = {"facts": list, "any_facts": list, "escalate": bool, "intent": str,
                "booking": str, "reply_lang": str, "no_quote": bool, "not_offered": bool,
                "computed": bool}
BOOKINGS = {"booked", "cancelled", "none"}
FILES = sorted(GOLDEN.glob("*.jsonl"))


def normalise(text):
    """Lower case, no accents, one space, and no thousands commas ("$12,000" == "$12000")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("\u2019", "'").replace("\u2014", "-").replace("\u2013", "-")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text)


def is_number(fact):
    return re.fullmatch(r"[^\d]{0,4}\d[\d,.]*[^\d]{0,8}", fact.strip()) is not None


def kb_texts(kb, lang):
    """The knowledge base a conversation names, plus its sibling in the conversation's language."""
    path = ROOT / kb
    texts = [path.read_text(encoding="utf-8")]
    sibling = path.with_name(f"{path.stem}.{lang}{path.suffix}")
    if lang != "en" and sibling.exists():
        texts.append(sibling.read_text(encoding="utf-8"))
    return [normalise(t) for t in texts]


def conversations():
    for path in FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                yield f"{path.name}:{number}", line


def problems(convo):
    """Everything wrong with one parsed conversation, as readable strings (empty when valid)."""
    found = []
    for key in ("id", "kb", "kind", "lang", "turns"):
        if key not in convo:
            found.append(f"missing {key!r}")
    if found:
        return found
    if set(convo) - {"id", "kb", "kind", "lang", "turns"}:
        found.append(f"unknown keys {sorted(set(convo) - {'id', 'kb', 'kind', 'lang', 'turns'})}")
    if convo["kind"] not in KINDS:
        found.append(f"kind {convo['kind']!r}")
    if convo["lang"] not in LANGS:
        found.append(f"lang {convo['lang']!r}")
    if not (ROOT / convo["kb"]).is_file():
        return found + [f"knowledge base {convo['kb']} does not exist"]
    if not isinstance(convo["turns"], list) or not convo["turns"]:
        return found + ["no turns"]
    texts = kb_texts(convo["kb"], convo["lang"])
    for n, turn in enumerate(convo["turns"], 1):
        if set(turn) != {"student", "expect"} or not isinstance(turn["student"], str) \
                or not turn["student"].strip() or not isinstance(turn["expect"], dict):
            found.append(f"turn {n}: needs a non-empty 'student' string and an 'expect' object")
            continue
        expect = turn["expect"]
        for key, value in expect.items():
            if key not in EXPECT_TYPES:
                found.append(f"turn {n}: unknown expect key {key!r}")
            elif not isinstance(value, EXPECT_TYPES[key]):
                found.append(f"turn {n}: {key} should be {EXPECT_TYPES[key].__name__}")
        if expect.get("booking", "none") not in BOOKINGS:
            found.append(f"turn {n}: booking {expect['booking']!r}")
        if expect.get("intent", "person") != "person":
            found.append(f"turn {n}: intent {expect['intent']!r}")
        if expect.get("reply_lang", "en") not in LANGS:
            found.append(f"turn {n}: reply_lang {expect['reply_lang']!r}")
        if expect.get("intent") == "person" and expect.get("escalate") is not True:
            found.append(f"turn {n}: a request for a person must expect escalate: true")
        if expect.get("booking") in {"booked", "cancelled"} and expect.get("escalate"):
            found.append(f"turn {n}: a booking turn cannot also expect a hand-off")
        facts, alternatives = expect.get("facts", []), expect.get("any_facts", [])
        if any(not isinstance(f, str) or not f.strip() for f in facts + alternatives):
            found.append(f"turn {n}: empty or non-string fact")
            continue
        found += [f"turn {n}: fact {f!r} is not in {convo['kb']}"
                  for f in facts if not supported(f, texts, expect)]
        # any_facts are wordings of one fact (e.g. "April 15" / "15 de abril"): one must be quoted.
        if alternatives and not any(supported(f, texts, expect) for f in alternatives):
            found.append(f"turn {n}: none of the any_facts {alternatives!r} is in {convo['kb']}")
    return found


def supported(fact, texts, expect):
    """True when the fact is quoted from the knowledge base, or is a number the turn marks computed."""
    if any(normalise(fact) in text for text in texts):
        return True
    return bool(expect.get("computed")) and is_number(fact)


def test_there_are_golden_sets():
    assert FILES, "no eval/golden/*.jsonl"


@pytest.mark.parametrize("line", [pytest.param(line, id=where) for where, line in conversations()])
def test_every_conversation_follows_the_contract_and_quotes_its_knowledge_base(line):
    convo = json.loads(line)
    assert isinstance(convo, dict)
    assert problems(convo) == []


def test_conversation_ids_are_unique_across_all_sets():
    ids = Counter(json.loads(line)["id"] for _, line in conversations())
    assert [i for i, count in ids.items() if count > 1] == []


def test_at_least_a_quarter_of_each_knowledge_bases_conversations_are_in_spanish():
    langs = {}
    for _, line in conversations():
        convo = json.loads(line)
        langs.setdefault(convo["kb"], Counter())[convo["lang"]] += 1
    assert {kb: count for kb, count in langs.items() if count["es"] * 4 < sum(count.values())} == {}


def test_the_checker_rejects_a_fact_the_knowledge_base_lacks_unless_it_is_a_computed_number():
    turn = {"student": "how much?", "expect": {"facts": ["$12,345"]}}
    convo = {"id": "x", "kb": "school_data.txt", "kind": "fact", "lang": "en", "turns": [turn]}
    assert any("is not in" in p for p in problems(convo))
    turn["expect"]["computed"] = True
    assert problems(convo) == []
    turn["expect"]["facts"] = ["free pizza"]
    assert any("is not in" in p for p in problems(convo))
    turn["expect"] = {"any_facts": ["15 de marzo", "March 15"]}
    assert any("none of the any_facts" in p for p in problems(convo))
    turn["expect"] = {"any_facts": ["15 de marzo", "March 1"]}
    assert problems(convo) == []


def test_the_checker_ignores_case_accents_and_thousands_commas():
    assert normalise("Matrícula: $12,000") == normalise("matricula: $12000")
    turn = {"student": "¿cuánto?", "expect": {"facts": ["Malecón", "12000"]}}
    convo = {"id": "y", "kb": "school_data.txt", "kind": "fact", "lang": "es", "turns": [turn]}
    assert problems(convo) == []
