import { type ClientClass, getClient } from '@nightshift/runtime';
import type { TargetClientClass } from '@nightshift/targets';

/** An AWS SDK client class, made with the function's defaults or with a target's region and credentials. */
export type AnyClientClass<C> = ClientClass<C> & TargetClientClass<C>;

/** How a job makes its clients: of the account and region it acts on, and of its own. */
export interface ClientMakers {
  /** A client of the target's account and region (through its spoke role); the own one when not fanned out. */
  resource: <C>(Client: AnyClientClass<C>) => C;
  /** A client of the function's own account and region: its topic, tables, parameters and secrets. */
  own: <C>(Client: AnyClientClass<C>) => C;
}

/** Both kinds of client from the function's own role and region. */
export const OWN_CLIENTS: ClientMakers = {
  resource: (Client) => getClient(Client),
  own: (Client) => getClient(Client),
};
