#!/usr/bin/env bash
# Build the sample store used by `make demo` (and by the tests of the demo): a roster
# imported from a CRM export, three challenges of different types applied from spec
# files, and a week of submissions and ratings. The clock is pinned with P2P_NOW so
# the story is the same whatever today is.
set -euo pipefail
store=${1:-demo-store}
here=$(cd "$(dirname "$0")" && pwd)

git init --quiet "$store"
git -C "$store" config user.name "Sales Ops"
git -C "$store" config user.email "ops@example.com"
export P2P_STORE="$store" P2P_NOW=2026-10-01T09:00:00Z

cp "$here/p2p.yaml" "$store/p2p.yaml"   # init keeps a p2p.yaml written before it
p2p init "$store"
p2p people import "$here/people.csv"
p2p challenge apply "$here/specs"

pitch() {  # pitch RATER TARGET OPENING VALUE PROOF CTA COMMENT
  p2p --as "$1" rate q4-pitch "$2" --score opening="$3" --score value-proposition="$4" \
    --score proof="$5" --score call-to-action="$6" --comment "$7" >/dev/null
}
face() {  # face RATER TARGET ACK CLARIFY RESPOND ADVANCE COMMENT
  p2p --as "$1" rate pricing-objections "$2" --score acknowledge="$3" --score clarify="$4" \
    --score respond-with-evidence="$5" --score advance="$6" --comment "$7" >/dev/null
}

# October: a first pitch battle, so November's scores show who improved.
export P2P_NOW=2026-10-08T15:00:00Z
for rep in ava ben cal eli gus; do
  p2p --as "$rep" submit oct-pitch --link "https://video.example.com/oct/$rep" >/dev/null
done
export P2P_NOW=2026-10-13T10:00:00Z
october() {  # october TARGET OPENING VALUE PROOF CTA, rated by three peers
  for rater in $(echo ava ben cal eli gus fay | tr ' ' '\n' | grep -vx "$1" | head -3); do
    p2p --as "$rater" rate oct-pitch "$1" --score opening="$2" --score value-proposition="$3" --score proof="$4" \
      --score call-to-action="$5" >/dev/null
  done
}
october ava 3 4 3 3
october ben 4 4 4 4
october cal 2 2 3 2
october eli 4 5 4 4
october gus 3 3 3 2

export P2P_NOW=2026-11-05T15:00:00Z
for rep in ava ben cal eli fay gus jun; do
  p2p --as "$rep" submit q4-pitch --link "https://video.example.com/q4/$rep" --tag fintech >/dev/null
done
p2p --as dia submit q4-pitch --link https://video.example.com/q4/dia --notes "First pitch ever!" >/dev/null
for rep_metric in ava:7 ben:5 cal:9 dia:4 eli:6 hana:8; do
  p2p --as "${rep_metric%%:*}" submit discovery-duel-nov --metric "${rep_metric##*:}" \
    --link "https://calls.example.com/${rep_metric%%:*}" >/dev/null
done

export P2P_NOW=2026-11-09T10:00:00Z
pitch ben ava 5 5 4 4 "The CFO hook in the first line is exactly right."
pitch cal ava 4 5 4 5 "Clear ROI story; the ask was crisp."
pitch eli ava 4 4 5 4 "Great customer proof."
pitch fay ava 5 4 4 3 "Name a time for the follow-up."
pitch ava ben 3 4 3 4 "Open with the customer's problem, not our history."
pitch eli ben 4 4 4 4 "Solid all round."
pitch gus ben 4 3 3 4 "Needs one concrete number."
pitch ava cal 3 3 2 3 "Good energy; back the claim with a customer result."
pitch ben cal 3 3 3 3 "Slow start, strong finish."
pitch jun cal 2 3 3 4 "Lead with the pain."
pitch fay cal 3 3 3 4 "Nice call to action."
pitch ava eli 5 5 5 4 "Best proof section of the round."
pitch ben eli 4 5 4 4 "Textbook value proposition."
pitch jun eli 5 4 5 5 "I am stealing this opener."
pitch cal fay 4 4 4 3 "Crisp."
pitch gus fay 3 4 4 4 "Good story."
pitch ava gus 3 3 3 3 "Keep going!"
pitch ava dia 4 4 3 4 "Great first pitch."
pitch ben dia 4 3 4 4 "Confident delivery."

p2p --as ava submit pricing-objections --partner ben --link https://video.example.com/obj/ava >/dev/null
p2p --as ben submit pricing-objections --partner ava --link https://video.example.com/obj/ben >/dev/null
p2p --as eli submit pricing-objections --partner fay --link https://video.example.com/obj/eli >/dev/null
p2p --as fay submit pricing-objections --partner eli --link https://video.example.com/obj/fay >/dev/null

export P2P_NOW=2026-11-12T16:00:00Z
face cal ava 4 4 5 4 "Great clarifying question before answering."
face eli ava 5 4 4 4 "Calm and confident."
face jun ava 4 5 4 3 "Ask for the next step."
face ava ben 3 3 4 3 "Acknowledge first, then answer."
face fay ben 4 3 4 4 "Good evidence."
face cal eli 4 4 4 4 "Steady."
face ben eli 4 5 5 4 "Turned price into value."
face gus eli 4 4 4 5 "Strong close."
face ava fay 3 4 3 4 "Good questions."
face gus ben 4 4 3 4 "Name the customer."
face jun fay 4 4 4 4 "Calm under pressure."
face cal fay 4 3 4 4 "Good pivot to value."

# Peers vote for the best pitch, and reps say which feedback helped them.
for voter_pick in ben:eli cal:ava dia:eli fay:eli gus:ava jun:eli hana:ava; do
  p2p --as "${voter_pick%%:*}" vote q4-pitch "${voter_pick##*:}" --award best-pitch >/dev/null
done
useful=$(p2p --as eli rate q4-pitch cal --score opening=3 --score value-proposition=2 --score proof=3 \
  --score call-to-action=3 --comment "Quantify the ROI: one number beats three adjectives." --format json \
  | sed -E 's/.*"id": "([0-9A-Z]{26})".*/\1/')
p2p --as cal rate-feedback q4-pitch "$useful" --helpful 5 >/dev/null

# Follow-through: action items from the feedback, weekly activity, CRM results, mentors.
export P2P_NOW=2026-11-13T09:00:00Z
p2p --as mia action add cal "Open with one customer number before the product" --challenge q4-pitch \
  --due 2026-11-20 >/dev/null
p2p --as ben action add ben "Acknowledge the objection before answering it" --challenge pricing-objections \
  --due 2026-11-30 >/dev/null
gus_item=$(p2p --as noa action add gus "Book two discovery calls with fintech leads" --due 2026-11-16 --format json \
  | sed -E 's/.*"id": "([0-9A-Z]{26})".*/\1/')
p2p --as gus action done "$gus_item" >/dev/null
for rep_numbers in ava:64:11:5 ben:48:7:3 cal:95:6:0 dia:110:5:0 eli:58:12:6 fay:51:9:4 gus:88:7:1; do
  IFS=: read -r rep calls meetings demos <<<"$rep_numbers"
  p2p --as "$rep" activity log --week 2026-W45 --calls "$calls" --meetings "$meetings" --demos "$demos" >/dev/null
  p2p --as "$rep" activity log --week 2026-W46 --calls "$((calls + 6))" --meetings "$meetings" --demos "$demos" >/dev/null
done
p2p --as mia outcomes import "$here/outcomes.csv" >/dev/null
p2p --as mia match --seed 7 >/dev/null
p2p --as noa feature q4-pitch eli --note "The proof section to copy: a named customer and one number" >/dev/null

# Deal clinics: a stuck deal the group helped close, and one due for follow-up.
id_of() { sed -E 's/.*"id": "([0-9A-Z]{26})".*/\1/'; }
northwind=$(p2p --as ava clinic open "Northwind renewal stuck in procurement" --follow-up 2026-11-20 \
  --notes "Procurement wants a 15% discount before they sign; the champion went quiet." --format json | id_of)
security=$(p2p --as ben clinic suggest "$northwind" "Trade the discount for a two-year term" --format json | id_of)
p2p --as eli clinic suggest "$northwind" "Ask the champion's boss for a 20-minute call" >/dev/null
p2p --as ava clinic pick "$northwind" "$security" --due 2026-11-18 >/dev/null
contoso=$(p2p --as cal clinic open "Contoso pilot has no next step" --follow-up 2026-11-18 --format json | id_of)
p2p --as fay clinic suggest "$contoso" "Book a success-criteria workshop before the pilot ends" >/dev/null
export P2P_NOW=2026-11-19T09:00:00Z
p2p --as ava clinic close "$northwind" --outcome won --notes "Two-year term at 8%; signed Friday." >/dev/null

unset P2P_NOW
echo
p2p leaderboard q4-pitch
echo
p2p leaderboard pricing-objections
echo
p2p leaderboard discovery-duel-nov
echo
p2p leaderboard
echo
p2p check --fairness
echo "demo store built in $store — try: p2p --store $store challenge list"
