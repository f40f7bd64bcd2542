/**
 * The dial-in handshake between a runner started with `--connect` and a
 * kubelet started with `--accept-runners`. Both halves read these names.
 *
 * Over TLS the runner sends one HTTP/1.1 request:
 *
 *     GET /vkcmd.runner.v1/connect HTTP/1.1
 *     Host: kubelet.example.org:10255
 *     Connection: Upgrade
 *     Upgrade: vkcmd-runner-v1
 *     Authorization: Bearer <token>          (unless a client certificate authenticates)
 *     Vk-Cmd-Node-Name: <the node it asks to serve>
 *
 * The kubelet answers `101 Switching Protocols` (naming the node granted in
 * Vk-Cmd-Node-Name) and from then on the connection carries HTTP/2 with the
 * runner as the gRPC server of `vkcmd.runner.v1.Runner` and the kubelet as
 * its client, exactly as over a unix socket. Any other answer is a refusal
 * whose one-line text/plain body says why; the kubelet closes the connection.
 */

export const DIAL_IN_PATH = '/vkcmd.runner.v1/connect';
/** The value of the Upgrade header both sides send. */
export const DIAL_IN_PROTOCOL = 'vkcmd-runner-v1';
/** Request: the node the runner asks to serve. Response (101): the node granted. */
export const NODE_NAME_HEADER = 'vk-cmd-node-name';
/** Request: the runner's version, for the kubelet's log. */
export const RUNNER_VERSION_HEADER = 'vk-cmd-runner-version';
/** The most bytes of a request head the kubelet reads; a longer one is refused. */
export const MAX_HANDSHAKE_HEAD_BYTES = 8192;
/** How long a connection may take from accept to a complete request (TLS handshake included). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
