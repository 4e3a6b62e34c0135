/** Default export: the plugin, for `app.register(import('@faultline/fastify'))`. */
import { faultline } from './plugin.js';

export default faultline;
