import type * as grpc from '@grpc/grpc-js';

/** The callback of one unary call the fake client holds. */
export type HeldCallback = (err: grpc.ServiceError | null) => void;

/**
 * A gRPC client whose unary calls (the runner health checks) wait until the
 * test answers them: `held` collects each call's callback in order.
 */
export function heldChecksClient(): { client: grpc.Client; held: HeldCallback[] } {
  const held: HeldCallback[] = [];
  const client = {
    makeUnaryRequest: (...args: unknown[]) => {
      held.push(args[args.length - 1] as HeldCallback);
      return {};
    },
  } as unknown as grpc.Client;
  return { client, held };
}
