#!/usr/bin/env python3
"""Checks a `conduit run --trace-format chrome` file against the Trace Event Format.

    scripts/check-chrome-trace.py FILE [--vcpus N] [--expect NAME ...] [--perfetto]

The format (Google's "Trace Event Format" document, which Perfetto's JSON importer follows):
  - a JSON object whose "traceEvents" is a list of events (displayTimeUnit "ms" or "ns" if given);
  - every event has a string "name" and "ph", and integer "pid" and "tid";
  - "X" (complete) events have numeric "ts" and "dur" >= 0; "B"/"E" pairs balance per thread;
    "i"/"I" (instant) events have "ts" and a scope "s" of "g", "p" or "t"; "M" (metadata)
    events name a process or thread and carry "args";
  - on one thread, slices nest or follow one another: none starts inside another and ends
    after it;
  - the timestamps of the non-metadata events never decrease in file order (what Conduit
    promises: one host thread runs every vCPU).
Conduit's own promises on top: one named track per vCPU (--vcpus), every firmware slice with
the decoded call in its args, and each --expect NAME present as a slice or instant.
--perfetto also loads the file with the `perfetto` PyPI package's trace processor, when it can
start (it downloads its trace_processor_shell binary on first use). Exit status 1 on any problem.
"""
import argparse
import json
import sys

PHASES_WITH_TS = {"X", "B", "E", "i", "I", "C", "b", "e", "n", "s", "t", "f"}
FIRMWARE_ARGS = {"conduit", "function_id", "x0", "arguments", "results", "action", "reason", "guest_time_ns"}


def check(events, vcpus, expected):
    problems = []
    names = set()
    threads = {}
    open_slices = {}  # (pid, tid) -> stack of end times of enclosing X slices
    open_begins = {}  # (pid, tid) -> count of B without E
    last_ts = None
    for index, event in enumerate(events):
        where = f"event {index}"
        if not isinstance(event, dict):
            problems.append(f"{where}: not an object")
            continue
        name, ph = event.get("name"), event.get("ph")
        if not isinstance(name, str) or not isinstance(ph, str):
            problems.append(f"{where}: no string name and ph")
            continue
        where = f"event {index} ({ph} {name})"
        if not isinstance(event.get("pid"), int) or not isinstance(event.get("tid"), int):
            problems.append(f"{where}: pid and tid must be integers")
            continue
        key = (event["pid"], event["tid"])
        if ph == "M":
            if name in ("process_name", "thread_name") and not isinstance(event.get("args", {}).get("name"), str):
                problems.append(f"{where}: metadata without args.name")
            if name == "thread_name":
                threads[event["tid"]] = event["args"]["name"]
            continue
        if ph not in PHASES_WITH_TS:
            problems.append(f"{where}: unknown phase")
            continue
        ts = event.get("ts")
        if not isinstance(ts, (int, float)) or ts < 0:
            problems.append(f"{where}: ts must be a number >= 0")
            continue
        if last_ts is not None and ts < last_ts:
            problems.append(f"{where}: ts {ts} is before the previous event's {last_ts}")
        last_ts = ts
        names.add(name)
        stack = open_slices.setdefault(key, [])
        while stack and stack[-1] <= ts:
            stack.pop()
        if ph == "X":
            dur = event.get("dur")
            if not isinstance(dur, (int, float)) or dur < 0:
                problems.append(f"{where}: dur must be a number >= 0")
                continue
            if stack and ts + dur > stack[-1]:
                problems.append(f"{where}: starts inside the slice before it on tid {key[1]} and ends after it")
            stack.append(ts + dur)
            if event.get("cat") == "firmware":
                missing = FIRMWARE_ARGS - set(event.get("args", {}))
                if missing:
                    problems.append(f"{where}: args lack {', '.join(sorted(missing))}")
        elif ph == "B":
            open_begins[key] = open_begins.get(key, 0) + 1
        elif ph == "E":
            if open_begins.get(key, 0) == 0:
                problems.append(f"{where}: E without a B on tid {key[1]}")
            else:
                open_begins[key] -= 1
        elif ph in ("i", "I") and event.get("s", "t") not in ("g", "p", "t"):
            problems.append(f"{where}: instant scope must be g, p or t")
    for key, count in open_begins.items():
        if count:
            problems.append(f"tid {key[1]}: {count} B event(s) never ended")
    if vcpus is not None:
        for vcpu in range(vcpus):
            if threads.get(vcpu) != f"vCPU {vcpu}":
                problems.append(f"no track named 'vCPU {vcpu}' (tid {vcpu})")
    for name in expected:
        if name not in names:
            problems.append(f"no slice or instant named {name}")
    return problems


def load_in_perfetto(path):
    """The slice count Perfetto's trace processor sees, or why it could not run."""
    try:
        from perfetto.trace_processor import TraceProcessor
    except ImportError:
        return None, "the perfetto package is not installed"
    try:
        processor = TraceProcessor(trace=path)
    except Exception as error:  # its first use downloads trace_processor_shell
        return None, f"its trace processor did not start ({type(error).__name__})"
    rows = list(processor.query("select count(*) as n from slice"))
    processor.close()
    return rows[0].n, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--vcpus", type=int)
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--perfetto", action="store_true")
    args = parser.parse_args()
    try:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        sys.exit(f"check-chrome-trace: {args.file}: {error}")
    if not isinstance(document, dict) or not isinstance(document.get("traceEvents"), list):
        sys.exit(f"check-chrome-trace: {args.file}: not a JSON object with a traceEvents list")
    if document.get("displayTimeUnit", "ms") not in ("ms", "ns"):
        sys.exit(f"check-chrome-trace: {args.file}: displayTimeUnit must be ms or ns")
    events = document["traceEvents"]
    problems = check(events, args.vcpus, args.expect)
    for problem in problems[:20]:
        print(f"check-chrome-trace: {args.file}: {problem}")
    if problems:
        sys.exit(1)
    slices = sum(1 for e in events if e.get("ph") == "X")
    instants = sum(1 for e in events if e.get("ph") in ("i", "I"))
    print(f"check-chrome-trace: {args.file}: valid, {slices} slices, {instants} instants, {len(events)} events")
    if args.perfetto:
        count, why = load_in_perfetto(args.file)
        if why:
            print(f"check-chrome-trace: Perfetto: skipped: {why}")
        elif count != slices:
            sys.exit(f"check-chrome-trace: Perfetto's trace processor loaded {count} slices, not {slices}")
        else:
            print(f"check-chrome-trace: Perfetto's trace processor loaded all {count} slices")


if __name__ == "__main__":
    main()
