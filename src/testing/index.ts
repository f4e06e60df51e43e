/**
 * `ledgerite/testing`: Ledgerite in a test suite, whatever the runner (node:test, Vitest, Jest, Playwright Test).
 * Start it in-process (`startLedgerite`) or reach a running one (`connect`), register clients, complete journeys
 * with or without a browser, move the clock, receive verified webhooks, and reset between tests.
 */
export { completeJourney, type JourneyLocator, type JourneyOptions, type JourneyPage, type JourneyResult } from './journey.ts'
export {
  type AuthorizeOptions, type ConnectOptions, connect, type CreateClientOptions, type Ledgerite, type StartOptions, startLedgerite, type TestClient,
} from './ledgerite.ts'
export type { NextOptions, RejectedDelivery, WebhookReceiver } from './webhook-receiver.ts'
