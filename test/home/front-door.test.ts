import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/build-app.ts'

test('GET / is the front door: an HTML page linking the reference, Console and contract, with the first commands', async (t) => {
  const h = await buildTestApp(t, { PUBLIC_URL: 'http://ledgerite.test:3000' })
  const res = await h.inject({ method: 'GET', url: '/' })
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/html/)
  assert.match(String(res.headers['content-security-policy']), /default-src 'none'/)
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/)
  for (const href of ['/docs', '/console', '/openapi.json', '/data/assets/journey.css', '/assets/home.css']) {
    assert.ok(res.body.includes(`"${href}"`), `links ${href}`)
  }
  assert.match(res.body, /npx ledgerite clients create --name my-app --redirect-uri https:\/\/your-app\.com\/callback --env/)
  assert.match(res.body, /curl -s http:\/\/ledgerite\.test:3000\/connect\/token/, 'commands name this server\'s URL')
  assert.match(res.body, /<code>john<\/code><\/td><td><code>doe<\/code>/, 'lists the mock users')
  assert.match(res.body, /error\.&lt;reason&gt;.*<code>provider_error<\/code>/)
  assert.ok(!/<script/i.test(res.body), 'no script at all')
  const css = await h.inject({ method: 'GET', url: '/assets/home.css' })
  assert.equal(css.statusCode, 200)
  assert.match(String(css.headers['content-type']), /^text\/css/)
})

test('the front door escapes the configured URL and is not part of the API contract', async (t) => {
  const h = await buildTestApp(t, { PUBLIC_URL: 'http://ledgerite.test:3000/a<b' })
  const res = await h.inject({ method: 'GET', url: '/' })
  assert.ok(!res.body.includes('a<b'), 'no raw markup from configuration')
  assert.ok(res.body.includes('a&lt;b'))
  const openapi = (await h.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> }
  assert.equal(openapi.paths['/'], undefined)
})
