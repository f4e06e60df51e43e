/**
 * Compile-time guard (run by `npm run typecheck`): the typed client's wire types must agree with the schemas the
 * server validates and serialises with. A field renamed, added or retyped on either side breaks the type check.
 * Not a test file: there is nothing to run.
 */
import type { Static } from '@sinclair/typebox'
import type * as Client from '../../src/client/index.ts'
import type { ConnectionListSchema, ConnectionViewSchema, CreateConnectionBody, CreatedConnectionSchema } from '../../src/modules/connections/connection.schema.ts'
import type { balanceSchema, connectedAccountsSchema, createTransactionsRequestSchema, getTransactionsRequestSchema, userInfoSchema } from '../../src/modules/data/data.schema.ts'
import type { AuthorizeBody, ClockView } from '../../src/modules/sandbox/sandbox.schema.ts'
import type { DeliveryPageSchema, DeliverySchema } from '../../src/modules/webhooks/webhook.schema.ts'

/** Each is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
/** Everything the server may send fits the client's type. */
type Covers<Client, Server> = [Server] extends [Client] ? true : false
const ok = <T extends true>(_: T[]) => _

ok<Same<Client.Connection, Static<typeof ConnectionViewSchema>>>([])
ok<Same<Client.Page<Client.Connection>, Static<typeof ConnectionListSchema>>>([])
// The client's union is narrower than the server's one-object schema (exactly one branch is present), and within it.
ok<Covers<Static<typeof CreatedConnectionSchema>, Client.CreatedConnection>>([])
// What the server accepts as a create body, the client's request type accepts too.
ok<Covers<Client.CreateConnectionRequest, CreateConnectionBody>>([])
ok<Same<Client.UserInfo, Static<typeof userInfoSchema.response[200]>>>([])
ok<Same<Client.ConnectedAccounts, Static<typeof connectedAccountsSchema.response[200]>>>([])
ok<Same<Client.Balance, Static<typeof balanceSchema.response[200]>>>([])
ok<Covers<Client.CreateTransactionsRequest, Static<typeof createTransactionsRequestSchema.body>>>([])
ok<Same<{ id: string, status: 'pending' }, Static<typeof createTransactionsRequestSchema.response[202]>>>([])
ok<Same<Client.TransactionsRequest, Static<typeof getTransactionsRequestSchema.response[200]>>>([])
ok<Same<Client.SandboxAuthorizeRequest, Static<typeof AuthorizeBody>>>([])
ok<Same<Client.SandboxClock, Static<typeof ClockView>>>([])
ok<Same<Client.WebhookDelivery, Static<typeof DeliverySchema>>>([])
ok<Same<Client.Page<Client.WebhookDelivery>, Static<typeof DeliveryPageSchema>>>([])
