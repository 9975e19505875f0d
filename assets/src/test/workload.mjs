// Writes a page's typing as Yjs updates, one hex update a line: argv[2]
// editors type argv[3] characters each, in turns, as the browser sends
// them (one update a keystroke). For bench/yjsmerge.
import * as Y from 'yjs'

const editors = Number(process.argv[2] || 2)
const keys = Number(process.argv[3] || 500)
const docs = Array.from({ length: editors }, () => new Y.Doc())
const out = []
docs.forEach((d) => d.on('update', (u, origin) => {
  if (origin === 'remote') return
  out.push(u)
  for (const o of docs) if (o !== d) Y.applyUpdate(o, u, 'remote')
}))
const phrase = 'Les élèves de CE1 ont visité le musée des sciences. '
for (let i = 0; i < keys; i++) {
  for (const [n, d] of docs.entries()) {
    const t = d.getText('t')
    t.insert(Math.min(t.length, (n * 97 + i * 13) % (t.length + 1)), phrase[i % phrase.length])
  }
}
for (const u of out) console.log(Buffer.from(u).toString('hex'))
