/**
 * Transaction origins for updates that did not come from a mutation. Persistence and the
 * cross-page channel look at them so an update is never written back to where it came from:
 * loading from IndexedDB is not re-persisted or re-broadcast; an update from another page of the
 * same origin (which that page already persisted) is neither re-persisted nor re-broadcast.
 * `Symbol.for` keeps them equal across duplicated module copies (e.g. two bundles on one page).
 */
export const STORAGE_ORIGIN: unique symbol = Symbol.for('candor:storage') as never;
export const BROADCAST_ORIGIN: unique symbol = Symbol.for('candor:broadcast') as never;
