// The class pages' live editor: TipTap on a Yjs document that the official
// y-websocket client keeps in step with the server (/api/v1/pages/{id}/ws),
// with the others' carets and names. The HTML it renders is posted to the
// server now and then, which sanitizes it for readers, search and history.
// Built by `make assets` into assets/js/pages.js.
import { Editor } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const root = document.getElementById('page-editor')
if (root) start(root)

function start (root) {
  const id = root.dataset.page
  const place = root.querySelector('.page-editable')
  const status = root.querySelector('.page-status')
  const template = (name) => {
    const t = document.getElementById(name)
    return t ? t.innerHTML.trim() : ''
  }
  place.textContent = ''

  const doc = new Y.Doc()
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const provider = new WebsocketProvider(scheme + '//' + location.host + '/api/v1/pages', id + '/ws', doc)
  const editor = new Editor({
    element: place,
    extensions: [
      StarterKit.configure({ undoRedo: false }), // Yjs keeps the undo history
      Collaboration.configure({ document: doc }),
      CollaborationCaret.configure({ provider, user: { name: root.dataset.name, color: root.dataset.color } })
    ]
  })
  window.preauPages = { editor, doc, provider } // for the browser tests

  const say = (text) => { status.textContent = text }
  provider.on('status', ({ status }) => say(status === 'connected' ? root.dataset.connected : root.dataset.offline))

  let seeded = false
  provider.on('sync', (synced) => {
    if (!synced || seeded) return
    seeded = true
    const restore = template('page-restore')
    if (restore) {
      editor.commands.setContent(restore)
      history.replaceState(null, '', location.pathname)
      save()
    } else if (doc.getXmlFragment('default').length === 0 && template('page-html')) {
      // A page written before it had a document (the demo's): its HTML
      // becomes the document's first content.
      editor.commands.setContent(template('page-html'))
    }
  })

  if (root.hasAttribute('data-compact')) provider.once('sync', () => setTimeout(compact, 1000))

  // Post the HTML two seconds after this editor's own changes.
  let timer = 0
  const save = () => {
    clearTimeout(timer)
    timer = 0
    const body = new URLSearchParams({ html: editor.getHTML() })
    fetch('/pages/' + id + '/html', { method: 'POST', body, credentials: 'same-origin' })
      .then((r) => { if (r.ok) say(root.dataset.saved) })
      .catch(() => {})
  }
  editor.on('update', ({ transaction }) => {
    const sync = transaction.getMeta('y-sync$')
    if (sync && sync.isChangeOrigin) return // the others' edits: theirs to post
    clearTimeout(timer)
    timer = setTimeout(save, 2000)
  })
  window.addEventListener('pagehide', () => { if (timer) save() })

  // Compaction: the page holds many small updates; this editor merges
  // them with Yjs's own mergeUpdates and gives the server the one update,
  // naming the last row merged (the server replaces those rows only).
  function compact () {
    fetch('/pages/' + id + '/mises-a-jour', { credentials: 'same-origin' })
      .then((r) => r.ok ? r.json() : Promise.reject(r.status))
      .then(({ through, updates }) => {
        if (!through || updates.length < 2) return
        const merged = Y.mergeUpdates(updates.map(fromBase64))
        return fetch('/pages/' + id + '/compacter', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ through, update: toBase64(merged) })
        })
      })
      .catch(() => {})
  }

  root.querySelectorAll('[data-cmd]').forEach((b) => b.addEventListener('click', () => {
    const chain = editor.chain().focus()
    switch (b.dataset.cmd) {
      case 'bold': chain.toggleBold().run(); break
      case 'italic': chain.toggleItalic().run(); break
      case 'heading': chain.toggleHeading({ level: 2 }).run(); break
      case 'bulletList': chain.toggleBulletList().run(); break
    }
  }))
}

function fromBase64 (s) {
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function toBase64 (bytes) {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}
