#!/usr/bin/env python
"""Reads TensorBoard event files with the `tensorboard` package and prints
what it found as JSON; run by tests/tensorboard.rs (through `make test`,
whose venv has tensorboard from requirements-test.txt).

    python tests/tensorboard/read_events.py LOG_DIR

Output: {"runs": {"train": {"files": [...], "file_version": "brain.Event:2",
"events": n, "scalars": {"epoch_loss": [[step, value], ...], ...}}, ...}}
Every event of every file is also read with tensorboard's record reader,
which checks the records' CRC-32C and stops at a damaged one, so "events"
is short when a record is bad.
"""

import json
import os
import sys

from tensorboard.backend.event_processing import event_accumulator, event_file_loader


def main(log_dir):
    runs = {}
    for run in sorted(os.listdir(log_dir)):
        path = os.path.join(log_dir, run)
        if not os.path.isdir(path):
            continue
        files = sorted(f for f in os.listdir(path) if ".tfevents." in f)
        events = 0
        file_version = None
        for f in files:
            for event in event_file_loader.EventFileLoader(os.path.join(path, f)).Load():
                events += 1
                if event.HasField("file_version"):
                    file_version = event.file_version
        acc = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.SCALARS: 0})
        acc.Reload()
        scalars = {
            tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()[event_accumulator.SCALARS]
        }
        runs[run] = {"files": files, "file_version": file_version, "events": events, "scalars": scalars}
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main(sys.argv[1])
