// The reference y-websocket server (@y/websocket-server, in memory) on a
// free loopback port, for appliance/pages's BenchmarkPagesLoad: prints
// {"port"}; each line "mem" on stdin prints its memory after a GC.
// Run with node --expose-gc.
import http from 'node:http'
import { createInterface } from 'node:readline'
import { WebSocketServer } from 'ws'
import { setupWSConnection } from '@y/websocket-server/utils'

const server = http.createServer((_, res) => { res.writeHead(200); res.end('ok') })
const wss = new WebSocketServer({ noServer: true })
wss.on('connection', (conn, req) => setupWSConnection(conn, req, { docName: req.url.slice(1).split('?')[0], gc: true }))
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)))
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'mem') return
  global.gc && global.gc()
  const m = process.memoryUsage()
  console.log(JSON.stringify({ rss: m.rss, heap: m.heapUsed, external: m.external }))
})
