import { escapeHtml } from '../../http/escape.ts'
import { MOCK_ERROR_REASONS } from '../model-bank/mock-users.ts'

/** What the front door shows: where this server answers, and whether the sandbox routes are on. */
export interface HomePageInput {
  publicUrl: string
  sandboxControl: boolean
}

/** The three commands to a first connection, for a server at `url` (also printed by the README). */
export function firstCommands (url: string): string[] {
  return [
    'eval "$(npx ledgerite clients create --name my-app --redirect-uri https://your-app.com/callback --env)"',
    `TOKEN=$(curl -s ${url}/connect/token -d grant_type=client_credentials -d client_id=$CLIENT_ID -d client_secret=$CLIENT_SECRET -d scope=data | jq -r .access_token)`,
    `curl -s ${url}/v3/data-connections -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"scopes":["info","accounts","balance","transactions"],"provider_selection":{"type":"user_selected"},"user":{"name":"Jane Smith","email":"jane@example.com"},"user_consent":{"type":"authorization_flow_captured"},"hosted_page":{"type":"authorization_flow","return_uri":"https://your-app.com/callback"}}' | jq -r .hosted_page.uri`,
  ]
}

/**
 * The front door at `/`: what this server is, where its reference, Console and contract are, the mock users, and
 * the first commands. Built from fixed text and escaped values only; styled by the hosted pages' stylesheet.
 */
export function renderHomePage (input: HomePageInput): string {
  const e = escapeHtml
  const url = input.publicUrl
  const links: Array<[string, string, string]> = [
    ['/docs', 'API reference', 'every operation, rendered from the same schemas the routes validate with'],
    ['/console', 'Console', 'your client\'s connections, webhook deliveries and settings (sign in with the client id and secret)'],
    ['/openapi.json', 'OpenAPI document', 'for code generators and contract tests'],
    ['/healthz', 'Health', '/readyz and /metrics too'],
  ]
  const errorReasons = MOCK_ERROR_REASONS.map((r) => `<code>${e(r)}</code>`).join(', ')
  const commands = firstCommands(url).map((c, i) => `<li><p class="muted">${['Register a client: its id and secret become $CLIENT_ID and $CLIENT_SECRET', 'Get a token with the data scope', 'Create a connection and open the hosted page it prints'][i]}</p><pre><code>${e(c)}</code></pre></li>`).join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Ledgerite</title>
<link rel="stylesheet" href="/data/assets/journey.css">
<link rel="stylesheet" href="/assets/home.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="inner"><span class="brand">Ledgerite</span><span class="sandbox">Sandbox</span></div></header>
<main id="main" tabindex="-1">
<div class="card">
<h1>Ledgerite is running</h1>
<p>A stateful, offline stand-in for an open-banking <strong>Data API v3</strong>: connections, hosted authorisation pages, a model bank, account data and signed webhooks, at <code>${e(url)}</code>.</p>
<h2>Find your way</h2>
<ul>
${links.map(([href, name, what]) => `<li><a href="${e(href)}">${e(name)}</a> <span class="muted">— ${e(what)}</span></li>`).join('\n')}
</ul>
<h2>Your first connection</h2>
<ol>
${commands}
</ol>
<p class="muted">Sign in at the bank as <code>john</code> / <code>doe</code>.${input.sandboxControl ? ' Without a browser: <code>POST /sandbox/v3/data-connections/{id}/authorize</code> with <code>{"outcome":"authorized"}</code>.' : ''}</p>
<h2>Mock users</h2>
<table>
<thead><tr><th scope="col">username</th><th scope="col">password</th><th scope="col">what happens</th></tr></thead>
<tbody>
<tr><td><code>john</code></td><td><code>doe</code></td><td>signs in; data reads succeed</td></tr>
<tr><td><code>john1</code> … <code>john100</code></td><td><code>doe1</code> … <code>doe100</code></td><td>each a different synthetic customer</td></tr>
<tr><td><code>john</code> … <code>john100</code></td><td><code>iban</code> … <code>iban100</code></td><td>the same customers; every account also has an IBAN</td></tr>
<tr><td><code>john</code></td><td><code>eternal</code></td><td>as <code>john</code>/<code>doe</code>; extending its consent needs no action</td></tr>
<tr><td><code>john.million</code></td><td><code>doe</code></td><td>a current account with over a million transactions</td></tr>
<tr><td><code>error.&lt;reason&gt;</code></td><td><code>error</code></td><td>authorises; every data call then fails with the reason: ${errorReasons}</td></tr>
<tr><td><code>login.&lt;reason&gt;</code></td><td>anything</td><td>the bank refuses the sign-in: the journey fails with the reason (an extension)</td></tr>
</tbody>
</table>
<h2>In your tests</h2>
<p><code>import { startLedgerite } from 'ledgerite/testing'</code> starts one in-process; see the README, “Use it in your tests”.</p>
</div>
</main>
</body>
</html>
`
}
