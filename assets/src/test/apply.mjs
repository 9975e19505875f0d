// Times, in Node, what a client does with a page's stored updates (one hex
// update a line on stdin): applying each as replayed, against applying the
// one update Yjs merges them into; and Yjs's own merge. For bench/yjsmerge.
import * as Y from 'yjs'
import { readFileSync } from 'node:fs'

const ups = readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => Buffer.from(l, 'hex'))
const time = (f, n = 20) => {
  f()
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) f()
  return Number(process.hrtime.bigint() - start) / n / 1e6
}
const merged = Y.mergeUpdates(ups)
const out = {
  updates: ups.length,
  bytes: ups.reduce((n, u) => n + u.length, 0),
  merged_bytes: merged.length,
  replay_apply_ms: time(() => { const d = new Y.Doc(); for (const u of ups) Y.applyUpdate(d, u) }),
  merged_apply_ms: time(() => { const d = new Y.Doc(); Y.applyUpdate(d, merged) }),
  node_merge_ms: time(() => Y.mergeUpdates(ups)),
  same_text: (() => { const a = new Y.Doc(); ups.forEach((u) => Y.applyUpdate(a, u)); const b = new Y.Doc(); Y.applyUpdate(b, merged); return a.getText('t').toString() === b.getText('t').toString() })()
}
console.log(JSON.stringify(out))
