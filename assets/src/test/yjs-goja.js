// Yjs's update functions on globalThis.Y, for bench/yjsmerge, which runs
// them inside goja (a JavaScript interpreter in Go) to weigh them against
// replaying the stored updates.
import { mergeUpdates, diffUpdate, encodeStateVectorFromUpdate } from 'yjs'

globalThis.Y = { mergeUpdates, diffUpdate, encodeStateVectorFromUpdate }
