"""Summarise py-spy collapsed stacks (BENCH_PROFILE=dir python bench/<script>.py writes them).

Prints the functions with the most samples, inclusive (anywhere on the stack) and self (on top),
as shares of all samples, so a profile can be read in a terminal or pasted into a report.

    python bench/profile_summary.py /tmp/prof/app-1234.txt [--top 30] [--match havana/]
    python bench/profile_summary.py /tmp/prof/app-1234.txt --callers "transaction (db/"
        # which lines of the app's own code (havana/, db/, assistant/, chatbot.py, app.py) lead there
"""
import argparse
import collections
import re


def load(path):
    stacks = []
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def frame_name(frame):
    # py-spy raw frames look like "function (path/to/file.py:123)"; drop the line for grouping.
    m = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
    if not m:
        return frame
    path = re.sub(r".*/site-packages/", "", m[2])
    path = re.sub(r".*/work/main/", "", path)
    return f"{m[1]} ({path})"


PROJECT = re.compile(r"\((havana|db|assistant)/|\((chatbot|app)\.py")


def callers(stacks, total, target, top):
    """Samples under `target`, grouped by the nearest frame of the app's own code above it (with its line)."""
    by = collections.Counter()
    for frames, n in stacks:
        for i, frame in enumerate(frames):
            if target in frame:
                above = next((f for f in reversed(frames[:i]) if PROJECT.search(f)), "(no app frame)")
                by[f"{above}  ->  {frame_name(frame)}"] += n
                break
    for name, n in by.most_common(top):
        print(f"{100 * n / total:5.1f}%  {name}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("path")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--match", default="", help="only frames whose name contains this")
    ap.add_argument("--callers", help="group the samples under this frame by the app line above it")
    args = ap.parse_args()
    stacks = load(args.path)
    total = sum(n for _, n in stacks) or 1
    if args.callers:
        return callers(stacks, total, args.callers, args.top)
    inclusive, own = collections.Counter(), collections.Counter()
    for frames, n in stacks:
        names = [frame_name(f) for f in frames]
        for name in set(names):
            inclusive[name] += n
        own[names[-1]] += n
    print(f"{total} samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n-- {title} --")
        shown = 0
        for name, n in counter.most_common():
            if args.match in name:
                print(f"{100 * n / total:5.1f}%  {name}")
                shown += 1
                if shown >= args.top:
                    break


if __name__ == "__main__":
    main()
