// Prints the text of the Yjs document made of the updates given on stdin,
// one hex update a line (the shared type "t"), or with argv[2] = "make",
// prints two updates made apart, by two documents that never met; with
// "merge", prints the one update Yjs merges those on stdin into. Run by
// appliance/sync's TestPagesEditedOnBothSidesOfAnOutage and
// appliance/pages's TestCompactionKeepsTheDocument.
import * as Y from 'yjs'
import { readFileSync } from 'node:fs'

if (process.argv[2] === 'make') {
  for (const text of process.argv.slice(3)) {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, text)
    console.log(Buffer.from(Y.encodeStateAsUpdate(doc)).toString('hex'))
  }
} else if (process.argv[2] === 'merge') {
  const ups = readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => Buffer.from(l, 'hex'))
  console.log(Buffer.from(Y.mergeUpdates(ups)).toString('hex'))
} else {
  const doc = new Y.Doc()
  for (const line of readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
    Y.applyUpdate(doc, Buffer.from(line, 'hex'))
  }
  console.log(doc.getText('t').toString())
}
