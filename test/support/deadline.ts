/** Tests wait with the server's deadlines: a wait that never ends names what it waited for. */
export { within } from '../../server/core/deadline.js';
