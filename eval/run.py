"""Play golden conversations against the assistant and print how it did, per kind and per language.

    python -m eval.run                  # every eval/golden/*.jsonl, through the real server
    python -m eval.run --direct         # in-process, faster, for developers
    python -m eval.run --set eval/golden/havana.jsonl --kind booking --show-failures
    python -m eval.run --min-pass 0.9   # exit 1 when fewer than 90% of conversations pass
"""
import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python eval/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval import golden, report  # noqa: E402
from eval.score import QuoteDetector, TurnResult, allowed_numbers, score_turn  # noqa: E402
from eval.slots import context_texts  # noqa: E402


def evaluate(conversations, direct=False, timeout=30, progress=None):
    """Play and score the conversations, one runner (server) per knowledge base."""
    scored, by_kb = [], {}
    for conv in conversations:
        by_kb.setdefault(conv.kb_path, []).append(conv)
    slot_texts = context_texts()
    for kb_path, group in by_kb.items():
        texts = golden.kb_texts(kb_path)
        allowed, quotes, langs = allowed_numbers(texts), QuoteDetector(texts), golden.kb_languages(kb_path)
        if direct:
            from eval.direct import DirectRunner
            runner = DirectRunner(kb_path, timeout)
        else:
            from eval.live import LiveRunner
            runner = LiveRunner(kb_path, timeout)
        try:
            for conv in group:
                results = _play(runner, conv)
                scores, said = [], []
                for turn, result in zip(conv.turns, results):
                    said.append(turn["student"])
                    result.context = [*result.context, *slot_texts]
                    scores.append(score_turn(conv.kind, conv.lang, turn["expect"], result, allowed, said, quotes,
                                             langs))
                scored.append(report.ConversationScore(conv, results, scores))
                if progress:
                    progress(scored[-1])
        finally:
            runner.close()
    return scored


def _play(runner, conv):
    """The conversation's turns; a runner failure fails the conversation, not the whole run."""
    try:
        return runner.play(conv)
    except Exception as exc:  # noqa: BLE001 - reported per conversation, the others still run
        error = f"{type(exc).__name__}: {exc}"
        print(f"\n{conv.id}: {error}", file=sys.stderr)
        return [TurnResult(student=t["student"], timed_out=True, error=error) for t in conv.turns]


def _parser():
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", dest="sets", metavar="PATH",
                        help="a golden JSONL file (repeatable; default: every eval/golden/*.jsonl)")
    parser.add_argument("--kind", action="append", choices=golden.KINDS, help="only this kind (repeatable)")
    parser.add_argument("--lang", action="append", choices=golden.LANGS, help="only this language")
    parser.add_argument("--id", action="append", dest="ids", help="only this conversation id (repeatable)")
    parser.add_argument("--limit", type=int, help="at most this many conversations")
    parser.add_argument("--direct", action="store_true",
                        help="in-process Chatbot with the offline assistant instead of the real server")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each reply (default 30)")
    parser.add_argument("--show-failures", action="store_true", help="print every failing turn")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of tables")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument("--min-pass", type=float, metavar="RATE",
                        help="exit 1 when the share of passing conversations is below RATE (e.g. 0.9)")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        conversations = golden.load(args.sets, args.kind, args.lang, set(args.ids) if args.ids else None)
    except (golden.GoldenError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit is not None:
        conversations = conversations[:args.limit]
    if not conversations:
        print("error: no conversations selected", file=sys.stderr)
        return 2

    def progress(conv):
        print("." if conv.passed else "F", end="", file=sys.stderr, flush=True)

    try:
        scored = evaluate(conversations, direct=args.direct, timeout=args.timeout, progress=progress)
    except RuntimeError as exc:  # a server that does not start: nothing to score
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    summary = report.summarise(scored)
    if args.show_failures:
        print(report.failures(scored))
    if args.json:
        print(json.dumps({"mode": "direct" if args.direct else "server",
                          "total": summary["total"].as_dict(),
                          "kinds": {k: r.as_dict() for k, r in summary["kinds"].items()},
                          "langs": {k: r.as_dict() for k, r in summary["langs"].items()},
                          "knowledge_bases": {k: r.as_dict() for k, r in summary["kbs"].items()},
                          "failed": [c.conversation.id for c in scored if not c.passed]}, indent=2))
    else:
        print(f"mode: {'direct (in-process)' if args.direct else 'server (Socket.IO)'}")
        print(report.table(summary, markdown=args.markdown))
    if args.min_pass is not None:
        rate = summary["total"].passed / summary["total"].conversations
        if rate < args.min_pass:
            print(f"pass rate {rate:.1%} is below --min-pass {args.min_pass:.0%}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
