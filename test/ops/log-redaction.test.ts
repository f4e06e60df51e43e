import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactUrl } from '../../src/http/log-serializers.ts'

test('credential query parameters are masked in logged URLs; everything else is kept', () => {
  assert.equal(redactUrl('/data/abc?token=s3cret'), '/data/abc?token=***')
  assert.equal(redactUrl('/data/callback?code=c0de&state=st4te&x=1'), '/data/callback?code=***&state=***&x=1')
  assert.equal(redactUrl('/data/abc/result?l=link'), '/data/abc/result?l=***')
  assert.equal(redactUrl('/v3/connected-accounts?type=account'), '/v3/connected-accounts?type=account')
  assert.equal(redactUrl('/healthz'), '/healthz')
  assert.equal(redactUrl('/x?%74oken=s3cret'), '/x?%74oken=***', 'an encoded name is still recognised')
})
