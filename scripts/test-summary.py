#!/usr/bin/env python3
"""Sums meson's testlog.json files into one closing line: 'N passed, N failed'."""
import json
import sys

passed = failed = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                result = json.loads(line).get("result")
                if result in ("OK", "EXPECTEDFAIL", "SKIP"):
                    passed += 1
                else:
                    failed += 1
                    print(f"failed: {json.loads(line).get('name')} in {path}", file=sys.stderr)
    except FileNotFoundError:
        print(f"test-summary: {path} missing: that suite did not run", file=sys.stderr)
        failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
