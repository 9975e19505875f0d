// Drives the official y-websocket client (WebsocketProvider, unmodified)
// against a server given as argv[2] (ws://host:port/prefix), in the room
// argv[3]; prints one JSON line of what each client saw. Run by
// appliance/pages's TestOfficialClient.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [,, server, room] = process.argv
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const until = async (what, cond, ms = 5000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timeout: ' + what)
    await sleep(20)
  }
}

const open = (name, params = {}) => {
  const doc = new Y.Doc()
  const p = new WebsocketProvider(server, room, doc, { WebSocketPolyfill: WebSocket, params, disableBc: true })
  p.awareness.setLocalStateField('user', { name })
  return { doc, p, text: () => doc.getText('t').toString() }
}
const synced = (c) => until('sync', () => c.p.synced)
const names = (c) => [...c.p.awareness.getStates().values()].map((s) => s.user && s.user.name).filter(Boolean).sort()

const out = {}
const a = open('Alice')
const b = open('Bilal')
await synced(a); await synced(b)
// Two editors at once.
a.doc.getText('t').insert(0, 'Bonjour ')
b.doc.getText('t').insert(0, 'Salut ')
await until('converge', () => a.text() === b.text() && a.text().length === 'Bonjour Salut '.length)
out.a = a.text(); out.b = b.text()
await until('awareness', () => names(a).length === 2 && names(b).length === 2)
out.namesA = names(a)
// A late joiner gets everything.
const c = open('Chloé')
await synced(c)
await until('late joiner', () => c.text() === a.text())
out.c = c.text()
// A reader: gets the document, its edits go nowhere.
const r = open('Rémi', { ro: '1' })
await synced(r)
out.readerBefore = r.text()
r.doc.getText('t').insert(0, 'PIRATE ')
await sleep(500)
out.aAfterReader = a.text()
// A reader's awareness still reaches the others.
await until('reader seen', () => names(a).includes('Rémi'))
// An abrupt close: the others are told its states are gone.
b.p.ws.terminate()
b.p.shouldConnect = false
await until('gone', () => !names(a).includes('Bilal'))
out.namesAfterClose = names(a)
// Edits while offline reach the server when the client reconnects.
b.doc.getText('t').insert(b.text().length, 'hors-ligne')
b.p.shouldConnect = true
b.p.connect()
await until('offline edit', () => a.text().endsWith('hors-ligne'))
out.afterReconnect = a.text()
const fresh = open('Farid')
await synced(fresh)
await until('stored', () => fresh.text() === a.text())
out.fresh = fresh.text()
console.log(JSON.stringify(out))
for (const x of [a, b, c, r, fresh]) x.p.destroy()
process.exit(0)
