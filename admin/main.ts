/**
 * The admin console's entry: the stylesheets (bundled into one file), then every element. Pages are
 * plain modules under pages/, each defining its element; the shell (app.ts) shows the one the URL names.
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { AdminApp } from './app.ts';
import './plot.ts';
import './feed.ts';
import './pages/overview.ts';
import './pages/badges.ts';
import './pages/awards.ts';
import './pages/members.ts';
import './pages/rules.ts';
import './pages/invitations.ts';
import './pages/keys.ts';
import './pages/webhooks.ts';
import './pages/audit.ts';
import './pages/settings.ts';
import './pages/services.ts';

customElements.define('ub-admin', AdminApp);
