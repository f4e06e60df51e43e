
/**
 * The hosted pages' static assets, served from the package (no CDN): one stylesheet, one small script for the
 * desktop page's live update and one for the picker's search as you type. Providers' marks are drawn from the
 * catalogue (provider-marks.ts): the catalogue's logo URIs point at a CDN the CSP does not allow, and must work
 * offline.
 *
 * Colours are chosen for contrast ≥ 4.5:1 (WCAG AA): text #1b1b1f on #ffffff is 16.8:1, muted #4b4b55 is 8.4:1,
 * the primary button's #ffffff on #0b57d0 is 6.3:1, links #0b57d0 on #ffffff 6.3:1, errors #a4161a 7.7:1.
 */
export const JOURNEY_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1rem;line-height:1.5;color:#1b1b1f;background:#f4f5f7}
a{color:#0b57d0}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:1rem}
header.top{background:#fff;border-bottom:1px solid #d6d8de}
header.top .inner{max-width:40rem;margin:0 auto;padding:.75rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
.brand{display:flex;align-items:center;gap:.6rem;min-width:0;font-weight:700;font-size:1.05rem;overflow-wrap:anywhere}
.brand img{width:32px;height:32px;object-fit:contain;border-radius:6px;flex:none}
.secured{font-size:.85rem;color:#4b4b55}
.sandbox{font-size:.85rem;color:#4b4b55}
main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #d6d8de;border-radius:12px;padding:1.5rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem;overflow-wrap:break-word;hyphens:auto}
.card{overflow-wrap:break-word}
.cancel{margin:1.25rem 0 0;padding-top:1rem;border-top:1px solid #d6d8de}
.cancel form{margin:0}
.link-button{font:inherit;background:none;border:0;padding:.6rem 0;min-height:44px;color:#0b57d0;text-decoration:underline;cursor:pointer;text-align:left}
.neutral{color:#4b4b55}
.dev-note{border:2px dashed #8a5a00;background:#fff8e6;color:#1b1b1f;border-radius:8px;padding:.75rem 1rem;margin:1rem 0;font-size:.9rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
p{margin:.5rem 0}
.muted{color:#4b4b55}
.for-user{font-size:.9rem;color:#4b4b55;margin:0 0 1rem}
.btn{display:inline-block;font:inherit;font-weight:600;font-size:1rem;padding:.75rem 1.25rem;border-radius:8px;border:2px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer;text-decoration:none;text-align:center;min-height:48px}
.btn:hover{background:#0842a0;border-color:#0842a0}
.btn.secondary{background:#fff;color:#1b1b1f;border-color:#4b4b55}
.btn.secondary:hover{background:#eef0f4}
.btn.block{display:block;width:100%}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.25rem}
.actions form{flex:1 1 12rem;margin:0}
.actions .btn{width:100%}
.search{display:flex;gap:.5rem;margin:1rem 0}
.search label{position:absolute;left:-999px}
.search input{flex:1;min-width:0;font:inherit;padding:.6rem .75rem;border:2px solid #4b4b55;border-radius:8px;min-height:48px}
.tabs{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:0 0 1rem}
.tabs a{display:flex;align-items:center;min-height:44px;padding:.4rem .9rem;border:1px solid #4b4b55;border-radius:999px;text-decoration:none;color:#1b1b1f;font-size:.95rem}
.tabs a[aria-current="page"]{background:#1b1b1f;color:#fff;border-color:#1b1b1f}
.providers{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.5rem}
.provider{display:flex;align-items:center;gap:.75rem;width:100%;font:inherit;font-size:1rem;text-align:left;padding:.6rem .75rem;background:#fff;border:1px solid #b9bcc6;border-radius:10px;cursor:pointer;color:#1b1b1f;min-height:56px}
.provider:hover{border-color:#0b57d0;background:#f5f8ff}
.provider svg,.bank-head svg{width:40px;height:40px;border-radius:8px;flex:none}
.sprite{position:absolute;width:0;height:0;overflow:hidden}
.group-title{font-size:1rem;margin:1rem 0 .5rem;color:#4b4b55}
.not-listed{margin-top:1.25rem}
[hidden]{display:none !important}
.provider .country{margin-left:auto;font-size:.8rem;color:#4b4b55}
.bank-head{display:flex;align-items:center;gap:.75rem;margin-bottom:1rem}
.bank-head svg{width:48px;height:48px;border-radius:10px}
ul.scopes{padding-left:1.25rem;margin:.5rem 0 1rem}
ul.scopes li{margin:.25rem 0}
.note{background:#f4f5f7;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
.handoff{display:grid;grid-template-columns:auto 1fr;gap:1.5rem;align-items:center}
.qr{width:200px;height:200px;border:1px solid #d6d8de;border-radius:8px;background:#fff}
.or{display:flex;align-items:center;gap:.75rem;color:#4b4b55;margin:1.25rem 0}
.or::before,.or::after{content:"";flex:1;border-top:1px solid #d6d8de}
details{margin:.75rem 0}
summary{cursor:pointer;color:#0b57d0}
.copy{width:100%;font:inherit;font-size:.85rem;padding:.5rem;border:1px solid #4b4b55;border-radius:6px;margin-top:.5rem}
.result-icon{font-size:2.5rem;line-height:1;margin-bottom:.5rem}
.ok{color:#146c2e}
.fail{color:#a4161a}
.reason{border-left:4px solid #a4161a;padding:.25rem .75rem;margin:1rem 0}
.spinner{width:2rem;height:2rem;border:4px solid #d6d8de;border-top-color:#0b57d0;border-radius:50%;animation:spin 1s linear infinite;margin:.5rem 0 1rem}
@keyframes spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
footer{max-width:40rem;margin:0 auto 2rem;padding:0 1rem;font-size:.85rem;color:#4b4b55}
@media (max-width:32rem){
  main{margin:1rem auto}
  .card{padding:1rem;border-radius:10px}
  h1{font-size:1.3rem}
  .handoff{grid-template-columns:1fr;justify-items:center}
  .providers{grid-template-columns:1fr}
}
`.trim()

/**
 * A client's accent colour over the stylesheet's blue: buttons, links, focus rings, the spinner. The colour was
 * checked to give white text ≥ 4.5:1 (branding.ts), which is also its contrast as text on the white card.
 */
export function accentCss (colour: string): string {
  const hover = `#${[1, 3, 5].map((i) => Math.round(Number.parseInt(colour.slice(i, i + 2), 16) * 0.82).toString(16).padStart(2, '0')).join('')}`
  return [
    `a,summary,.link-button{color:${colour}}`,
    `:focus-visible{outline-color:${colour}}`,
    `.btn{background:${colour};border-color:${colour}}`,
    `.btn:hover{background:${hover};border-color:${hover}}`,
    '.btn.secondary{background:#fff;color:#1b1b1f;border-color:#4b4b55}',
    `.provider:hover{border-color:${colour}}`,
    `.spinner{border-top-color:${colour}}`,
  ].join('\n')
}

/**
 * The desktop page follows the journey by itself: it polls the status endpoint named in `data-status-uri` and
 * goes to the result when there is one, or reloads when the state it was drawn for has changed (the phone opened
 * the link, or left for the bank), and stops once a form of the page is submitted. Without JavaScript, a
 * <noscript> meta refresh does the same more slowly.
 */
export const JOURNEY_JS = `
(function () {
  var root = document.querySelector('[data-status-uri]')
  if (!root || !window.fetch) return
  var uri = root.getAttribute('data-status-uri')
  var state = root.getAttribute('data-state')
  // Once the user submits a form (Continue on this device, Cancel) the page is leaving: a reload now would cancel
  // that navigation and strand the user on this page, so the polling stops.
  var leaving = false
  document.addEventListener('submit', function () { leaving = true }, true)
  function later () { if (!leaving) setTimeout(tick, 1500) }
  function tick () {
    if (leaving) return
    fetch(uri, { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null })
      .then(function (s) {
        if (!s) return later()
        if (leaving) return
        if (s.result_uri) { window.location.assign(s.result_uri); return }
        if (s.state !== state) { window.location.reload(); return }
        later()
      }, later)
  }
  later()
})()
`.trim()

/**
 * The picker's search as you type (progressive enhancement: without it, the search form is submitted and the
 * server filters across every country). Hides the banks of this page that do not match, the group headings
 * left empty, and shows the "no bank found" note, which points at the full search.
 */
export const PICKER_JS = `
(function () {
  var input = document.getElementById('q')
  var lists = document.querySelectorAll('[data-bank-group]')
  var none = document.getElementById('no-match')
  if (!input || !lists.length || !none) return
  function fold (s) { return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase() }
  function filter () {
    var q = fold(input.value.trim())
    var shown = 0
    for (var g = 0; g < lists.length; g++) {
      var items = lists[g].querySelectorAll('li[data-search]')
      var inGroup = 0
      for (var i = 0; i < items.length; i++) {
        var hit = !q || items[i].getAttribute('data-search').indexOf(q) !== -1
        items[i].hidden = !hit
        if (hit) inGroup++
      }
      lists[g].hidden = inGroup === 0
      shown += inGroup
    }
    none.hidden = shown !== 0
  }
  input.addEventListener('input', filter)
})()
`.trim()
