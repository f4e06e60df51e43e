import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { contrast } from '../../src/modules/journey/branding.ts'
import { computeMarks, markOf } from '../../src/modules/journey/provider-marks.ts'
import { findProvider, PROVIDERS } from '../../src/modules/providers/provider.catalog.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { Browserish, CONFIG, createHosted } from './journey-helpers.ts'

const mark = (id: string) => markOf(findProvider(id)!)

describe('provider marks', () => {
  test('no two providers of a country share a label or a colour, and every label is readable on its tile', () => {
    const marks = computeMarks(PROVIDERS)
    const countries = new Set(PROVIDERS.map((p) => p.country))
    for (const country of countries) {
      const inCountry = PROVIDERS.filter((p) => p.country === country).map((p) => ({ id: p.provider_id, ...marks.get(p.provider_id)! }))
      const labels = inCountry.map((m) => m.label)
      assert.equal(new Set(labels).size, labels.length, `${country}: ${labels.join(' ')}`)
      const colours = inCountry.map((m) => m.colour)
      assert.equal(new Set(colours).size, colours.length, `${country}: colours ${colours.join(' ')}`)
      for (const m of inCountry) assert.ok(contrast(m.colour, m.ink) >= 4.5, `${m.id}: ${m.ink} on ${m.colour}`)
    }
  })

  test('the pairs that used to look alike are told apart', () => {
    for (const [a, b] of [['mock', 'ob-monzo'], ['ob-barclays', 'ob-barclaycard'], ['ob-natwest', 'ob-nationwide'], ['ob-bos', 'ob-boi']]) {
      assert.notEqual(mark(a!).label, mark(b!).label, `${a} / ${b}`)
    }
    assert.equal(mark('ob-natwest').label, 'NW')
    assert.equal(mark('ob-barclaycard').label, 'BC')
    // RBS and Ulster have the same brand colour in the catalogue
    assert.equal(findProvider('ob-rbs')!.bg_color, findProvider('ob-ulster')!.bg_color)
    assert.notEqual(mark('ob-rbs').colour, mark('ob-ulster').colour)
    // a colour without a collision is the brand's own
    assert.equal(mark('ob-monzo').colour, findProvider('ob-monzo')!.bg_color.toLowerCase())
  })
})

describe('the picker', () => {
  test('draws every mark from one inline sprite (no logo request), popular GB banks first, then A–Z', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[1])
    const page = await new Browserish(app).get(hosted.path)
    assert.equal(page.statusCode, 200)
    assert.doesNotMatch(page.body, /<img[^>]+providers\//)
    const buttons = [...page.body.matchAll(/data-provider-id="([^"]+)"/g)].map((m) => m[1]!)
    const symbols = new Set([...page.body.matchAll(/<symbol id="pm-([^"]+)"/g)].map((m) => m[1]!))
    assert.ok(buttons.length > 10)
    for (const id of buttons) assert.ok(symbols.has(id), `symbol for ${id}`)
    assert.match(page.body, /<h2 class="group-title" id="group-popular">Popular banks<\/h2>/)
    assert.equal(buttons[0], 'ob-monzo')
    const popularEnd = page.body.indexOf('id="group-all"')
    assert.ok(popularEnd > 0)
    const all = [...page.body.slice(popularEnd).matchAll(/data-provider-id="[^"]+"><svg[^>]*><use href="#[^"]+"\/><\/svg><span>([^<]+)</g)].map((m) => m[1]!)
    assert.deepEqual(all, [...all].sort((a, b) => a.localeCompare(b, 'en')))
    // search as you type: the script, each bank's folded search text, the "no bank found" note and the guidance
    assert.match(page.body, /<script src="\/data\/assets\/picker\.js" defer><\/script>/)
    assert.match(page.body, /<li data-search="monzo ob-monzo">/)
    assert.match(page.body, /<p id="no-match" role="status" hidden>No bank on this page matches/)
    assert.match(page.body, /<summary>My bank isn’t listed<\/summary>/)
    const js = await app.inject({ method: 'GET', url: '/data/assets/picker.js' })
    assert.equal(js.statusCode, 200)
    assert.match(String(js.headers['content-type']), /^text\/javascript/)
  })

  test('another country has no popular group; its banks are A–Z with their own sprite', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, { ...CONFIG[1], hosted_page: { ...CONFIG[1].hosted_page, country_code: 'DE' } })
    const page = await new Browserish(app).get(hosted.path)
    assert.doesNotMatch(page.body, /group-popular/)
    assert.doesNotMatch(page.body, /pm-ob-monzo/)
  })
})
