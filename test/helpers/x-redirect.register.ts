// Loaded with `node --import` by tests that start a Crieur process posting to the local X peer:
// the X adapter's requests go to X_PEER_URL instead of api.x.com. Test code only.
import { registerChannel } from '../../server/publishing/channels/extra-channels';
import { XAdapter } from '../../server/publishing/channels/x.adapter';
import { redirectTo } from './x-peer';

if (process.env.X_PEER_URL) registerChannel(new XAdapter({ plugins: [redirectTo(process.env.X_PEER_URL)] }));
