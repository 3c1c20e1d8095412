import createDebug from 'debug';

/** The root logger; stages use `log.extend('<stage>')`, so `DEBUG=dynpipe:*` shows them all. */
export const log = createDebug('dynpipe');
