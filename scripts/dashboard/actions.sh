#!/usr/bin/env bash
# Actions through `comfysh dashboard` as the page sends them (same Origin), against real
# ComfyUI servers: five long prompts (the fifth waits in comfysh), cancel, interrupt, clear,
# and requests that must change nothing.
#   scripts/dashboard/actions.sh http://127.0.0.1:8197 PROMPT.json
B=${1:-http://127.0.0.1:8197}
PROMPT=${2:-/work/comfy/prompt.json}
out=$(mktemp -d)
wf() { python3 -c "
import json,sys; g=json.load(open(sys.argv[3])); g=g.get('prompt', g); g['2']['inputs'].update(seed=int(sys.argv[1]), steps=int(sys.argv[2]), delay=0.2); print(json.dumps(g))" "$1" "$2" "$PROMPT"; }
post() { curl -s -H "Origin: $B" -H 'Content-Type: application/json' --data-binary "$2" "$B$1"; echo; }
s=$(date +%s)
for i in 1 2 3 4 5; do post "/api/submit?name=long$i.json" "$(wf $((s+i)) 100)" | tee $out/sub$i.json; done
sleep 3
id3=$(python3 -c "import json;print(json.load(open('$out/sub5.json'))['prompt_id'])")
echo "--- cancel ${id3:0:8} (waiting)"; post /api/cancel "{\"prompt_id\":\"${id3:0:8}\"}"
echo "--- interrupt (no id: our running prompt)"; post /api/interrupt '{}'
id1=$(python3 -c "import json;print(json.load(open('$out/sub1.json'))['prompt_id'])")
echo "--- interrupt ${id1:0:8}"; post /api/interrupt "{\"prompt_id\":\"${id1:0:8}\"}"
echo "--- cancel a prefix naming nothing"; post /api/cancel '{"prompt_id":"zzzz"}'
echo "--- clear"; post /api/clear ''
echo "--- a UI-format workflow"; post "/api/submit?name=ui.json" '{"nodes":[],"links":[]}'
echo "--- not JSON"; post "/api/submit?name=x.json" 'hello'
echo "--- an invalid graph"; post "/api/submit?name=bad.json" '{"1":{"class_type":"NoSuchNode","inputs":{}}}'
echo "--- foreign origin"; curl -s -o /dev/null -w "%{http_code}\n" -H "Origin: http://evil.example" -X POST --data '{}' $B/api/clear
echo "--- unknown route"; curl -s $B/nope; echo
