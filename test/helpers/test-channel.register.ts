// Loaded with `node --import` by tests that start Crieur processes delivering to a local peer:
// the test channel exists only where a test registers it.
import { registerChannel } from '../../server/publishing/channels/extra-channels';
import { TestAdapter } from './test-channel.adapter';

registerChannel(new TestAdapter());
