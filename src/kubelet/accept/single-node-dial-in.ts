import type { Logger } from '../../common/logger.js';
import type { KubeletConfig } from '../config/kubelet-config.js';
import { DialInChannel } from './dial-in-channel.js';
import { DialInServer } from './dial-in-server.js';

/** Runners dialling in for a kubelet's one node: the server, and the channel its runner client uses. */
export interface DialIn {
  server: DialInServer;
  channel: DialInChannel;
  close(): Promise<void>;
}

/**
 * Opens --accept-runners for a kubelet that serves one node (--nodename):
 * runners granted that node get it, one at a time; others are refused.
 * Undefined without --accept-runners.
 */
export async function openSingleNodeDialIn(
  config: KubeletConfig,
  logger: Logger,
  onAttached: () => void,
): Promise<DialIn | undefined> {
  const accept = config.acceptRunners;
  if (!accept) return undefined;
  const late: { channel?: DialInChannel } = {};
  const server = await DialInServer.open(accept, logger, (request) =>
    request.nodeName === config.nodeName && late.channel
      ? late.channel.claim(request)
      : Promise.resolve({
          refuse: 403,
          reason: `this kubelet serves node "${config.nodeName}" only, not "${request.nodeName}"`,
        }),
  );
  const channel = new DialInChannel({
    nodeName: config.nodeName,
    socketPath: server.socketPath(0),
    logger: logger.child({ component: 'dial-in', node: config.nodeName }),
    onAttached,
  });
  await channel.open();
  late.channel = channel;
  return {
    server,
    channel,
    close: async () => {
      await channel.close();
      await server.close();
    },
  };
}
