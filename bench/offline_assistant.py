"""Offline assistant: CPU per Knowledge.lookup and per whole OfflineAssistant.respond (intents,
dialogue state and retrieval) over the golden-set questions, and the memory they add, beside a
bare floor measured in the same run (one plain BM25 get_scores call on the question's stems, over
the same passages); then how often retrieval alone gets each knowledge conversation right (the
dialogue layer, booking and small talk left out).

    python bench/offline_assistant.py             # every eval/golden/*.jsonl, 3 rounds
    python bench/offline_assistant.py --rounds 1
"""
import argparse
import gc
import json
import sys
import re
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb():
    """Resident set size of this process now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def conversations(paths):
    """(kb path, lang, question, earlier questions) for every student turn."""
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            conv = json.loads(line)
            said = []
            for turn in conv["turns"]:
                yield ROOT / conv["kb"], conv.get("lang", "en"), turn["student"], list(said)
                said.append(turn["student"])


RETRIEVAL_KINDS = ("fact", "reworded", "followup", "comparison", "not_offered", "unknown")


def _norm(text):
    text = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    return re.sub(r"(?<=\d),(?=\d)", "", text)


def turn_passes(kind, expect, found):
    """The golden expectations a lookup alone can meet (facts quoted, not offered, unknown)."""
    text = _norm(found.text)
    if expect.get("facts") and not (found.kind == "answer" and all(_norm(f) in text for f in expect["facts"])):
        return False
    if expect.get("any_facts") and not (found.kind == "answer" and any(_norm(f) in text for f in expect["any_facts"])):
        return False
    if expect.get("escalate") is True or expect.get("not_offered") or kind == "unknown":
        return found.kind in ("unknown", "not_offered", "clarify")
    return found.kind == "answer" or not (expect.get("facts") or expect.get("any_facts"))


def retrieval_table(paths, knowledge):
    """Conversations of the knowledge kinds played through Knowledge.lookup alone, per kind and language."""
    rows = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            conv = json.loads(line) if line.strip() else None
            if not conv or conv["kind"] not in RETRIEVAL_KINDS:
                continue
            kb, said, ok = knowledge[ROOT / conv["kb"]], [], True
            for turn in conv["turns"]:
                ok &= turn_passes(conv["kind"], turn["expect"], kb.lookup(turn["student"], said, conv["lang"]))
                said.append(turn["student"])
            row = rows.setdefault((conv["kind"], conv["lang"]), [0, 0])
            row[0] += ok
            row[1] += 1
    print(f"\n{'retrieval alone':20}{'passed':>12}")
    for (kind, lang), (good, total) in sorted(rows.items()):
        print(f"{kind + ' ' + lang:20}{good:>6}/{total:<5}{good / total:>5.0%}")
    good, total = sum(r[0] for r in rows.values()), sum(r[1] for r in rows.values())
    print(f"{'all':20}{good:>6}/{total:<5}{good / total:>5.0%}")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked")
    parser.add_argument("--set", action="append", dest="sets", help="golden JSONL (default: eval/golden/*)")
    args = parser.parse_args()
    paths = args.sets or sorted(str(p) for p in (ROOT / "eval/golden").glob("*.jsonl"))
    turns = list(conversations(paths))
    kb_paths = sorted({kb for kb, *_ in turns})

    # The floor: what the old assistant had resident (numpy, bm25s, PyStemmer, one BM25 per file).
    import bm25s

    from assistant.text import stems
    start = rss_mb()
    floors = {}
    for kb in kb_paths:
        from assistant.knowledge import split
        passages = split(kb.read_text(encoding="utf-8"))
        retriever = bm25s.BM25()
        retriever.index([stems(p.heading + " " + p.text) or ["empty"] for p in passages], show_progress=False)
        floors[kb] = retriever
    gc.collect()
    floor_rss = rss_mb()

    from assistant.knowledge import Knowledge
    knowledge = {kb: Knowledge.from_path(kb) for kb in kb_paths}
    gc.collect()
    full_rss = rss_mb()

    from datetime import date

    from langchain_core.messages import AIMessage, HumanMessage

    from assistant.offline import OfflineAssistant
    tools = {"human_escalation", "get_booking_slots", "book_time_slot", "get_my_booking", "cancel_my_booking"}
    bots = {kb: OfflineAssistant(knowledge=k, today=lambda: date(2026, 11, 30)) for kb, k in knowledge.items()}

    floor_cpu, lookup_cpu, respond_cpu, kinds = [], [], [], {}
    for _ in range(args.rounds):
        for kb, lang, question, previous in turns:
            # The whole offline path on the same turn: the earlier questions as the chat's history.
            history = [m for q in previous for m in (HumanMessage(q), AIMessage("ok"))]
            t0 = time.process_time()
            bots[kb].respond([*history, HumanMessage(question)], tools)
            respond_cpu.append(time.process_time() - t0)
            tokens = stems(question, lang) or ["empty"]
            t0 = time.process_time()
            floors[kb].get_scores(tokens)
            floor_cpu.append(time.process_time() - t0)
            t0 = time.process_time()
            found = knowledge[kb].lookup(question, previous, lang)
            lookup_cpu.append(time.process_time() - t0)
            kinds[found.kind] = kinds.get(found.kind, 0) + 1

    ms = 1000
    print(f"{len(turns)} questions x {args.rounds} rounds, {len(kb_paths)} knowledge bases")
    print(f"{'':28}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    rows = [("floor: BM25 get_scores", floor_cpu), ("Knowledge.lookup", lookup_cpu),
            ("OfflineAssistant.respond", respond_cpu)]
    for name, values in rows:
        print(f"{name:28}{percentile(values, 50) * ms:>10.3f}{percentile(values, 95) * ms:>10.3f}"
              f"{max(values) * ms:>10.3f}")
    for p in (50, 95):
        floor = percentile(floor_cpu, p) or 1e-9
        print(f"ratio lookup/floor p{p}: {percentile(lookup_cpu, p) / floor:.1f}x; "
              f"respond/floor p{p}: {percentile(respond_cpu, p) / floor:.1f}x")
    print(f"RSS: floor (imports + plain BM25 indexes) +{floor_rss - start:.1f} MB; "
          f"Knowledge (all languages, lexicon, dense vectors) +{full_rss - floor_rss:.1f} MB more; "
          f"process {full_rss:.0f} MB")
    print("kinds:", ", ".join(f"{k} {v // args.rounds}" for k, v in sorted(kinds.items())))
    retrieval_table(paths, knowledge)


if __name__ == "__main__":
    main()
