// Load on one page through the official client (y-websocket's
// WebsocketProvider), for appliance/pages's BenchmarkPagesLoad.
//   node test/load.mjs latency <server> <room> <editors> <seconds> <rate>
//     each editor makes <rate> edits a second (a key into the shared map,
//     valued with the time it was made); every other editor notes when it
//     arrives. Prints {"p50", "p99", "max", "samples", "expected"} in ms.
//   node test/load.mjs idle <server> <room> <connections>
//     opens that many synced connections, prints "ready", closes them on
//     a line on stdin.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { createInterface } from 'node:readline'

const [,, mode, server, room, countArg, secondsArg, rateArg] = process.argv
const count = Number(countArg)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
// PREAU_TOKEN: the session the official client presents, on the
// handshake, as a program does (Authorization: Bearer).
const headers = process.env.PREAU_TOKEN ? { Authorization: 'Bearer ' + process.env.PREAU_TOKEN } : {}
class Authorized extends WebSocket {
  constructor (url, protocols) { super(url, protocols, { headers }) }
}
const open = () => {
  const doc = new Y.Doc()
  const p = new WebsocketProvider(server, room, doc, { WebSocketPolyfill: Authorized, disableBc: true })
  return { doc, p }
}
const allSynced = async (cs) => { while (!cs.every((c) => c.p.synced)) await sleep(20) }

if (mode === 'idle') {
  const cs = Array.from({ length: count }, open)
  await allSynced(cs)
  console.log('ready')
  createInterface({ input: process.stdin }).once('line', () => {
    cs.forEach((c) => c.p.destroy())
    setTimeout(() => process.exit(0), 200)
  })
} else {
  const seconds = Number(secondsArg)
  const rate = Number(rateArg)
  const cs = Array.from({ length: count }, open)
  await allSynced(cs)
  const lat = []
  cs.forEach((c) => c.doc.getMap('m').observe((ev, tr) => {
    if (tr.local) return
    const now = performance.now()
    for (const k of ev.keysChanged) lat.push(now - c.doc.getMap('m').get(k))
  }))
  let n = 0
  const timers = cs.map((c, i) => setTimeout(() => {
    timers[i] = setInterval(() => { c.doc.getMap('m').set(i + ':' + (n++), performance.now()) }, 1000 / rate)
  }, (i * 1000 / rate / count)))
  await sleep(seconds * 1000)
  timers.forEach((t) => { clearTimeout(t); clearInterval(t) })
  await sleep(1000)
  lat.sort((a, b) => a - b)
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]
  console.log(JSON.stringify({ p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1], samples: lat.length, expected: n * (count - 1) }))
  cs.forEach((c) => c.p.destroy())
  setTimeout(() => process.exit(0), 200)
}
