import { html, nothing } from 'lit/html.js';
import { usersQuery } from './api.js';
import { badgesOf, text } from './badge.js';
import { chunk, loaded } from './chunks.js';
import { serverOf } from './config.js';
import { awarded, facts, tierName } from './default-badge.js';
import { emit, warn } from './events.js';
import { globalRenderBadge, legacyRenderBadge } from './legacy.js';
import { loadUser } from './loader.js';
import { sheetOf } from './styles.js';

/**
 * What the script shares with its chunks, which import nothing at run time (so that the classic
 * script's chunks need neither Lit nor the script's modules a second time, and share its state:
 * one cache of users, one set of console warnings): Lit's `html` and `nothing`, the helpers of the
 * default markup, and the loading of users. A chunk's default export receives it.
 */
export const kit = { html, nothing, text, facts, tierName, awarded, chunk, loaded, loadUser, serverOf, usersQuery, badgesOf, emit, warn, globalRenderBadge, legacyRenderBadge, sheetOf };

export type Kit = typeof kit;
