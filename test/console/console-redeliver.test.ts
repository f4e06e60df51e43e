import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failConnection } from '../../src/modules/connections/connection.lifecycle.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { seedConnection, signIn } from './console-helpers.ts'

test('Redeliver is offered only once a webhook URI exists; before, the page says where to set one', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client({ webhookUri: null })
  const id = await seedConnection(h, c.id)
  await failConnection(h.deps.db, c.id, id, new Date(), 'user_declined_consent')
  const b = await signIn(h, c)
  for (const url of ['/console/webhooks', `/console/connections/${id}`]) {
    const page = await b.get(url)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /connection_failed/)
    assert.doesNotMatch(page.body, />Redeliver</, url)
    assert.match(page.body, /To redeliver, first set a webhook URI in <a href="\/console\/settings">Settings<\/a>/, url)
  }
  await h.deps.db.updateTable('clients').set({ webhook_uri: 'https://your-app.com/webhooks' }).where('id', '=', c.id).execute()
  const after = await b.get('/console/webhooks')
  assert.match(after.body, />Redeliver</)
})
