#!/usr/bin/env bash
# Re-fits the shipped routing defaults: `groupqwen route calibrate` on the shipped graded set with the built-in chat
# tiers, then embeds the learned router it wrote into Sources/Gateway/Routing/LearnedRouter+Shipped.swift.
# The keyword fallback (RoutingConfiguration's defaults) is copied from OUT/routing.yaml by hand.
# Usage: scripts/ship-router.sh [OUT_DIR]   (default: route-calibration/)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-route-calibration}"
.build/release/groupqwen route calibrate Benchmarks/RoutingBench/routing-set.jsonl --target-quality 0.95 --output "$out"
python3 - "$out/learned-router.json" Sources/Gateway/Routing/LearnedRouter+Shipped.swift <<'PY'
import json, sys
router = json.load(open(sys.argv[1]))
text = json.dumps(router, sort_keys=True, separators=(",", ":"))
assert '"""' not in text
lines = [text[i:i + 100] for i in range(0, len(text), 100)]
body = "\\\n".join(lines)
open(sys.argv[2], "w").write(f'''import Foundation

extension LearnedRouter {{
    /// The learned router of `routing.strategy: learned` (unless `learned_router:` names another), fitted by `groupqwen route calibrate` on
    /// `Benchmarks/RoutingBench/routing-set.jsonl` for the default chat tiers (see the README's routing section):
    /// {router["fitted_on"]}. Regenerate with `scripts/ship-router.sh`.
    public static let shipped: LearnedRouter? = try? JSONDecoder().decode(LearnedRouter.self, from: Data(shippedJSON.utf8))

    private static let shippedJSON = """
{body}
"""
}}
''')
PY
echo "wrote Sources/Gateway/Routing/LearnedRouter+Shipped.swift from $out/learned-router.json"
